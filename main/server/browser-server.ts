// Browser mode: serves the renderer and the engine contract to a browser over loopback, for
// a GPU box in a server room reached through an SSH tunnel. It binds to 127.0.0.1 only and
// requires the per-launch token: the page URL carries it once, after which an HttpOnly,
// SameSite=Strict cookie authorizes the assets and the WebSocket. Host and Origin are
// checked so that another site cannot reach the engine through the user's browser.

import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { EngineHost } from '../host/engine-host';
import { readStaticFile } from './static-files';
import { securityHeaders } from './security-headers';
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

const cookieName = 'ximorph_token';
/** Uploads of dropped files travel over the socket; a CT series can be large. */
const maxFrameBytes = 2 * 1024 ** 3;

function tokensMatch(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName) return rest.join('=');
  }
  return null;
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostAllowed = (req: http.IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');
  const authorized = (req: http.IncomingMessage, url: URL) =>
    tokensMatch(url.searchParams.get('token'), token) || tokensMatch(cookieToken(req.headers.cookie), token);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    if (!hostAllowed(req)) return send(421, 'XiMorph serves 127.0.0.1 and localhost only.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed');
    if (!authorized(req, url))
      return send(403, 'XiMorph browser mode needs the token printed at launch: open the full URL it printed.');
    const file = await readStaticFile(options.rendererRoot, url.pathname);
    if (!file) return send(404, 'Not found');
    const headers: Record<string, string> = { 'Content-Type': file.contentType };
    if (url.searchParams.has('token'))
      headers['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    send(200, req.method === 'HEAD' ? '' : file.body, headers);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const originAllowed = origin === undefined || allowedHosts().some((h) => origin === `http://${h}`);
    if (url.pathname !== '/ws' || !hostAllowed(req) || !originAllowed || !authorized(req, url)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const connection = options.host.connect(
        websocketPort(ws, (reason) => {
          options.log?.(`closing a connection that sent a bad frame: ${reason}`);
          ws.close(1003, 'bad frame');
        }),
      );
      ws.on('close', () => connection.detach());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
