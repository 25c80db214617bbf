// Browser mode's transport: one binary frame per message over a WebSocket to the page's own
// host; the engine sends a big one in pieces, put together here (frame-pieces.ts). The token
// cookie set when the page loaded authorizes the socket. Messages posted before the socket
// opens wait in order.

import { decodeBinaryMessage, encodeBinaryMessage } from '../../../shared/rpc/binary-codec';
import { FrameAssembler } from '../../../shared/rpc/frame-pieces';
import type { MessagePortLike, WireMessage } from '../../../shared/rpc/wire';

export function websocketPort(url: URL): MessagePortLike {
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const queued: Uint8Array[] = [];
  socket.addEventListener('open', () => {
    for (const frame of queued.splice(0)) socket.send(frame);
  });
  return {
    post(message: WireMessage) {
      const frame = encodeBinaryMessage(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else if (socket.readyState === WebSocket.CONNECTING) queued.push(frame);
    },
    onMessage(listener) {
      const assembler = new FrameAssembler();
      const handler = (event: MessageEvent) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const frame = assembler.push(new Uint8Array(event.data));
        // The frame is this handler's alone, and the page never transfers what it receives.
        if (frame) listener(decodeBinaryMessage(frame, { views: true }));
      };
      socket.addEventListener('message', handler);
      return () => socket.removeEventListener('message', handler);
    },
    onClose(listener) {
      const handler = (event: CloseEvent) => listener(event.reason || `the connection closed (code ${event.code})`);
      socket.addEventListener('close', handler);
      return () => socket.removeEventListener('close', handler);
    },
  };
}
