// A browser tab's WebSocket as a contract port: one binary frame per message, sent in pieces
// when it is big (frame-pieces.ts says why); the tab's frames come whole.

import type { WebSocket } from 'ws';
import { decodeBinaryMessage, encodeBinaryMessage } from '../../shared/rpc/binary-codec';
import { framePieces } from '../../shared/rpc/frame-pieces';
import type { MessagePortLike } from '../../shared/rpc/wire';

export function websocketPort(socket: WebSocket, onBadFrame: (reason: string) => void): MessagePortLike {
  return {
    post(message) {
      if (socket.readyState !== socket.OPEN) return;
      for (const piece of framePieces(encodeBinaryMessage(message))) socket.send(piece);
    },
    onMessage(listener) {
      const handler = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        if (!isBinary || !Buffer.isBuffer(data)) return onBadFrame('expected one binary frame');
        let message: unknown;
        try {
          message = decodeBinaryMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        } catch (error) {
          return onBadFrame((error as Error).message);
        }
        try {
          listener(message);
        } catch (error) {
          // Thrown from ws's data handler, it would take the whole server down.
          onBadFrame(`the frame could not be handled (${(error as Error).message})`);
        }
      };
      socket.on('message', handler);
      return () => void socket.off('message', handler);
    },
  };
}
