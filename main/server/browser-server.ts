// Browser mode: serves the renderer and the engine contract to a browser over loopback, for
// a GPU box in a server room reached through an SSH tunnel. It binds to 127.0.0.1 only and
// requires the per-launch token: the page URL carries it once, after which an HttpOnly,
// SameSite=Strict cookie authorizes the assets and the WebSocket. Host and Origin are
// checked so that another site cannot reach the engine through the user's browser.
// Any page on any site can make the user's browser send requests here, so no request may
// take the server down: every path through it answers a status, and a bug answers 500.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { maxClientMessageBytes } from '../../shared/contract/upload-channels';
import type { EngineHost } from '../host/engine-host';
import { readStaticFile } from './static-files';
import { securityHeaders } from './security-headers';
import { Refusal, requestGate, tokenCookie } from './request-gate';
import { endSocketWith } from './socket-replies';
import { websocketPort } from './websocket-port';

export interface BrowserServerOptions {
  host: EngineHost;
  rendererRoot: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface BrowserServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => {});
  let port = 0;
  const gate = requestGate(token, () => port);

  const logBug = (what: string, error: unknown) => log(`browser mode: ${what}: ${(error as Error)?.stack ?? String(error)}`);
  /** A refusal as it is; anything else is a bug here, logged whole and answered 500. */
  const asRefusal = (error: unknown) => {
    if (error instanceof Refusal) return error;
    logBug('a request failed', error);
    return new Refusal(500, 'XiMorph failed to answer this request; the server log has the details.');
  };

  async function servePage(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    try {
      const target = gate.admit(req, 'page');
      const file = await readStaticFile(options.rendererRoot, target.pathname);
      if (!file) return send(404, 'Not found');
      const headers: Record<string, string> = { 'Content-Type': file.contentType };
      if (target.query.has('token')) headers['Set-Cookie'] = `${tokenCookie}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      send(200, req.method === 'HEAD' ? '' : file.body, headers);
    } catch (error) {
      const refusal = asRefusal(error);
      if (res.headersSent) return void res.destroy();
      send(refusal.status, refusal.message, refusal.status === 405 ? { Allow: 'GET, HEAD' } : {});
    }
  }

  const server = http.createServer((req, res) => {
    servePage(req, res).catch((error) => {
      logBug('could not answer a request', error);
      res.destroy();
    });
  });

  // Requests Node's parser refuses (bad request line, header bytes, sizes) and errors on
  // the connection: answer what can still be answered, and drop the connection.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    endSocketWith(socket, status, status === 431 ? 'The request headers are too large.' : 'The request is malformed.');
  });
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    endSocketWith(socket, 405, 'XiMorph is not a proxy.');
  });

  // Frames are capped at what the contract needs (one upload chunk and its envelope): a
  // larger frame closes its own socket before it is buffered, and nothing else.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxClientMessageBytes });
  const attach = (ws: WebSocket) => {
    ws.on('error', (error) => log(`browser mode: closed a WebSocket: ${error.message}`));
    try {
      const connection = options.host.connect(
        websocketPort(ws, (reason) => {
          log(`browser mode: closing a connection that sent a bad frame: ${reason}`);
          ws.close(1003, 'bad frame');
        }),
      );
      ws.on('close', () => connection.detach());
    } catch (error) {
      logBug('could not connect a WebSocket to the engine', error);
      ws.close(1011, 'internal error');
    }
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands over the raw socket without an error listener; an unheard error would throw.
    socket.on('error', () => socket.destroy());
    try {
      gate.admit(req, 'socket');
      sockets.handleUpgrade(req, socket, head, attach);
    } catch (error) {
      const refusal = asRefusal(error);
      endSocketWith(socket, refusal.status, refusal.message);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // Later server errors (out of file descriptors, say) must not throw: the next accept may work.
  server.on('error', (error) => logBug('the server failed', error));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
