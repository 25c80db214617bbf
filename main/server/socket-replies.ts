// Answers written straight to a socket, where Node gives no response object: a request its
// parser refused, a refused WebSocket upgrade, a CONNECT. The socket is closed afterwards.

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { securityHeaders } from './security-headers';

/** How long a client that does not read gets to take the answer before the socket is cut. */
const lingerMs = 2000;

export function endSocketWith(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable || socket.destroyed) return void socket.destroy();
  const body = `${reason}\n`;
  const headers = { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  socket.once('finish', () => socket.destroy());
  setTimeout(() => socket.destroy(), lingerMs).unref();
  socket.end(`${head}\r\n\r\n${body}`);
}
