// A real engine host (worker built into dist/ by `npm run build`) and browser-mode server
// for tests, plus a Node WebSocket client that speaks the contract like the renderer does.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { EngineHost } from '../../../main/host/engine-host';
import { startBrowserServer, type BrowserServer } from '../../../main/server/browser-server';
import type { ImageSource } from '../../../shared/contract/index';
import { createContractClient, type ContractClient } from '../../../shared/rpc/client';
import { decodeBinaryMessage, encodeBinaryMessage } from '../../../shared/rpc/binary-codec';
import { FrameAssembler } from '../../../shared/rpc/frame-pieces';
import type { MessagePortLike } from '../../../shared/rpc/wire';

export const workerUrl = new URL('../../../dist/main/engine-worker.js', import.meta.url);
const rendererRoot = path.resolve(new URL('../../../dist/renderer', import.meta.url).pathname);

export function startHost(startupSources: ImageSource[] = []): EngineHost {
  process.env.XIMORPH_HOME ??= mkdtempSync(path.join(os.tmpdir(), 'ximorph-test-'));
  return new EngineHost({ startupSources, workerUrl });
}

export async function startServer(host: EngineHost): Promise<BrowserServer> {
  return startBrowserServer({ host, rendererRoot });
}

export function nodeSocketPort(socket: WebSocket): MessagePortLike {
  const queued: Uint8Array[] = [];
  socket.on('open', () => queued.splice(0).forEach((f) => socket.send(f)));
  return {
    post(message) {
      const frame = encodeBinaryMessage(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else queued.push(frame);
    },
    onMessage(listener) {
      // As the tab does: a big message comes in pieces (shared/rpc/frame-pieces.ts).
      const assembler = new FrameAssembler();
      const handler = (data: Buffer) => {
        const frame = assembler.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (frame) listener(decodeBinaryMessage(frame));
      };
      socket.on('message', handler);
      return () => void socket.off('message', handler);
    },
    onClose(listener) {
      const handler = () => listener('closed');
      socket.on('close', handler);
      return () => void socket.off('close', handler);
    },
  };
}

/** A contract client over a WebSocket to a browser-mode server (in this process or a `ximorph serve`). */
export function connectOverWebSocket(server: Pick<BrowserServer, 'port' | 'token'>, headers: Record<string, string> = {}): { client: ContractClient; socket: WebSocket } {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
    headers: { Origin: `http://127.0.0.1:${server.port}`, ...headers },
  });
  return { client: createContractClient(nodeSocketPort(socket)), socket };
}
