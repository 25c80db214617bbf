// Raw bytes to a server over TCP: the requests no HTTP client would send, and the WebSocket
// frames no WebSocket client would. Plus a small seeded random source, so that a failing
// fuzz case can be replayed.

import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawAnswer {
  /** The status of the first response, or null when none came. */
  readonly status: number | null;
  /** After a 101: the code of the close frame the server sent, or null if it sent none. */
  readonly closeCode: number | null;
  /** What came back, as text (frames after a 101 included). */
  readonly text: string;
}

/** The close code among the server's (unmasked) frames that follow the 101's headers. */
function closeCodeOf(bytes: Buffer): number | null {
  let at = bytes.indexOf('\r\n\r\n');
  if (at < 0) return null;
  at += 4;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at] & 0x0f;
    let length = bytes[at + 1] & 0x7f;
    let start = at + 2;
    const extended = length === 126 ? 2 : length === 127 ? 8 : 0;
    if (start + extended > bytes.length) return null;
    if (length === 126) [length, start] = [bytes.readUInt16BE(start), start + 2];
    else if (length === 127) [length, start] = [Number(bytes.readBigUInt64BE(start)), start + 8];
    if (opcode === 8) return length >= 2 && start + 2 <= bytes.length ? bytes.readUInt16BE(start) : 1005;
    at = start + length;
  }
  return null;
}

/** Sends the pieces one after another, then reads until the server closes or `waitMs` passes. */
export function sendRaw(port: number, pieces: readonly (string | Buffer)[], waitMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(received);
      const text = bytes.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
      resolve({ status: status ? Number(status[1]) : null, closeCode: status?.[1] === '101' ? closeCodeOf(bytes) : null, text });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => {
      for (const piece of pieces) if (!socket.destroyed) socket.write(piece);
    });
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

export interface FrameOptions {
  opcode?: number;
  masked?: boolean;
  fin?: boolean;
  /** The three reserved bits, as a number 0–7. */
  rsv?: number;
  /** A length to announce other than the payload's own. */
  declaredLength?: number;
}

/** One WebSocket frame (RFC 6455 §5.2). Clients must mask; the defaults make a valid binary frame. */
export function webSocketFrame(payload: Buffer, options: FrameOptions = {}): Buffer {
  const { opcode = 2, masked = true, fin = true, rsv = 0 } = options;
  const length = options.declaredLength ?? payload.length;
  const lengthBytes = length < 126 ? Buffer.from([length]) : length < 65536 ? Buffer.from([126, length >> 8, length & 255]) : Buffer.alloc(9);
  if (length >= 65536) {
    lengthBytes[0] = 127;
    lengthBytes.writeBigUInt64BE(BigInt(length), 1);
  }
  lengthBytes[0] |= masked ? 0x80 : 0;
  const first = Buffer.from([(fin ? 0x80 : 0) | (rsv << 4) | opcode]);
  if (!masked) return Buffer.concat([first, lengthBytes, payload]);
  const mask = randomBytes(4);
  return Buffer.concat([first, lengthBytes, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
}

export interface UpgradeOptions {
  path?: string;
  /** Header lines that replace the defaults of the same name; null removes one. */
  headers?: Record<string, string | null>;
}

/** A WebSocket upgrade request to browser mode's /ws, valid unless told otherwise. */
export function upgradeRequest(port: number, token: string, options: UpgradeOptions = {}): string {
  const headers: Record<string, string | null> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    Origin: `http://127.0.0.1:${port}`,
    ...options.headers,
  };
  const lines = Object.entries(headers)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}`);
  return [`GET ${options.path ?? `/ws?token=${token}`} HTTP/1.1`, ...lines, '', ''].join('\r\n');
}

/** mulberry32: a small, seeded, good-enough random source. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A WebSocket to browser mode at the TCP level, after its 101, for sending frames by hand. */
export interface RawWebSocket {
  readonly socket: net.Socket;
  /** The code of the server's close frame, as soon as it arrives; null if the socket closed without one. */
  readonly closeCode: Promise<number | null>;
}

export function openRawWebSocket(port: number, token: string): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(upgradeRequest(port, token)));
    let received = Buffer.alloc(0);
    let opened = false;
    let closed: (code: number | null) => void = () => {};
    const closeCode = new Promise<number | null>((done) => (closed = done));
    socket.on('close', () => closed(closeCodeOf(received)));
    socket.on('error', (error) => (opened ? undefined : reject(error)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (opened) {
        const code = closeCodeOf(received);
        if (code !== null) closed(code);
      } else if (received.includes('\r\n\r\n')) {
        opened = true;
        if (received.toString('latin1').startsWith('HTTP/1.1 101')) resolve({ socket, closeCode });
        else reject(new Error(`no upgrade: ${received.toString('latin1', 0, 40)}`));
      }
    });
  });
}
