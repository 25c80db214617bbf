// Browser mode must not fall over, whatever reaches it: any page on any site can make the
// user's browser send requests to it. A corpus of known-bad requests (the `GET //` that once
// took the server, the engine and the session down; absolute URIs; bad percent-encodings;
// NUL, CR and LF where they do not belong; huge headers; bad methods; HTTP/0.9 and HTTP/2;
// bad upgrades and bad frames) and seeded random mutations of good requests, over raw TCP to
// a real `ximorph serve` process. Afterwards the process is alive, still serves the page, and
// the engine session a client had open is intact: its socket answers, and an upload begun
// before the fuzz can be finished and loaded after it.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { ContractClient } from '../../../shared/rpc/client';
import { connectOverWebSocket } from './engine-fixture';
import type { RawAnswer } from './raw-requests';
import { seededRandom, sendRaw, upgradeRequest, webSocketFrame } from './raw-requests';
import type { ServeProcess } from './serve-process';
import { startServeProcess } from './serve-process';

const slicePng = readFileSync('/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20.png');

interface Case {
  readonly name: string;
  readonly pieces: readonly (string | Buffer)[];
  /** The status it must get, where one is right; otherwise anything but a 500. */
  readonly expected?: number;
  /** After an upgrade: the close code the server must send, or null for none (the socket stays open). */
  readonly closes?: number | null;
}

/** The known-bad requests; P is the port, T the token. */
function corpus(port: number, token: string): Case[] {
  const host = `Host: 127.0.0.1:${port}`;
  const get = (target: string, ...headers: string[]) => [`GET ${target} HTTP/1.1`, ...headers, '', ''].join('\r\n');
  const page = (name: string, target: string, expected?: number, ...headers: string[]) => ({ name, pieces: [get(target, host, 'Connection: close', ...headers)], expected });
  const upgrade = (name: string, expected: number | undefined, options: Parameters<typeof upgradeRequest>[2]) => ({ name, pieces: [upgradeRequest(port, token, options)], expected });
  const afterUpgrade = (name: string, closes: number | null, ...frames: Buffer[]) => ({ name, pieces: [upgradeRequest(port, token), ...frames], expected: 101, closes });
  const t = `token=${token}`;
  return [
    page('GET // (once fatal)', '//', 403),
    page('GET // with the token', `//?${t}`, 404),
    page('GET ///', '///', 403),
    page('GET //evil.example/x', `//evil.example/x?${t}`, 404),
    page('a backslash path', `/\\evil.example?${t}`, 404),
    page('absolute-form', `http://127.0.0.1:${port}/?${t}`, 400),
    page('absolute-form to another host', 'http://evil.example/', 400),
    page('asterisk-form', '*', 400),
    { name: 'OPTIONS *', pieces: [`OPTIONS * HTTP/1.1\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'CONNECT', pieces: [`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n${host}\r\n\r\n`], expected: 405 },
    page('a lone %', `/%?${t}`, 400),
    page('%zz', `/%zz?${t}`, 400),
    page('an overlong UTF-8 slash', `/%c0%af?${t}`, 400),
    page('an encoded NUL', `/index.html%00?${t}`, 400),
    page('encoded traversal', `/..%2f..%2fpackage.json?${t}`, 404),
    page('a bad % in the query', '/?token=%zz%', 403),
    page('a path longer than 8 KiB', `/${'a'.repeat(9000)}?${t}`, 414),
    page('a header of 20 KiB', `/?${t}`, 431, `X-Big: ${'b'.repeat(20_000)}`),
    page('3000 headers', `/?${t}`, 431, ...Array.from({ length: 3000 }, (_, i) => `X-${i}: ${i}`)),
    { name: 'a NUL in the request line', pieces: [`GET /\0 HTTP/1.1\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'a CR in the request line', pieces: [`GET /\r HTTP/1.1\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'a LF in the request line', pieces: [`GET /\n HTTP/1.1\r\n${host}\r\n\r\n`] },
    { name: 'a CR inside a header value', pieces: [`GET / HTTP/1.1\r\n${host}\r\nX-A: a\rb\r\n\r\n`], expected: 400 },
    { name: 'a NUL inside a header value', pieces: [`GET / HTTP/1.1\r\n${host}\r\nX-A: a\0b\r\n\r\n`], expected: 400 },
    { name: 'a space before the colon', pieces: [`GET / HTTP/1.1\r\nHost : 127.0.0.1:${port}\r\n\r\n`], expected: 400 },
    { name: 'bare LF line ends', pieces: [`GET /?${t} HTTP/1.1\n${host}\nConnection: close\n\n`] },
    { name: 'an invalid method', pieces: [`FOO / HTTP/1.1\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'a lowercase method', pieces: [`get / HTTP/1.1\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'no method', pieces: [` / HTTP/1.1\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'POST with a body', pieces: [`POST /?${t} HTTP/1.1\r\n${host}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`], expected: 405 },
    { name: 'DELETE', pieces: [`DELETE /?${t} HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`], expected: 405 },
    { name: 'TRACE', pieces: [`TRACE / HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`], expected: 405 },
    { name: 'HTTP/0.9', pieces: ['GET /\r\n'] },
    { name: 'the HTTP/2 preface', pieces: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])] },
    { name: 'HTTP/9.9', pieces: [`GET / HTTP/9.9\r\n${host}\r\n\r\n`], expected: 400 },
    { name: 'HTTP/1.0 without Host', pieces: [`GET /?${t} HTTP/1.0\r\n\r\n`], expected: 400 },
    { name: 'HTTP/1.1 without Host', pieces: [`GET /?${t} HTTP/1.1\r\nConnection: close\r\n\r\n`], expected: 400 },
    page('two Host headers', `/?${t}`, 400, host),
    page('a foreign second Host header', `/?${t}`, 400, 'Host: evil.example'),
    { name: 'a foreign Host', pieces: [get(`/?${t}`, 'Host: evil.example', 'Connection: close')], expected: 421 },
    { name: 'a garbage Host', pieces: [get(`/?${t}`, 'Host: \x01\x7f', 'Connection: close')], expected: 400 },
    { name: 'a Host with userinfo', pieces: [get(`/?${t}`, `Host: 127.0.0.1:${port}@evil.example`, 'Connection: close')], expected: 400 },
    { name: 'an empty Host', pieces: [get(`/?${t}`, 'Host:', 'Connection: close')], expected: 400 },
    { name: 'an unclosed IPv6 Host', pieces: [get(`/?${t}`, 'Host: [::1', 'Connection: close')], expected: 400 },
    page('a Cookie without a value', '/', 403, 'Cookie: ximorph_token'),
    page('a garbage Cookie', '/', 403, 'Cookie: ;;;==;=x;'),
    page('two Cookie headers, the right one second', '/', 200, 'Cookie: ximorph_token=wrong', `Cookie: ximorph_token=${token}`),
    page('a Cookie of 12 KiB', '/', 403, `Cookie: x=${'c'.repeat(12_000)}`),
    page('a negative Content-Length', `/?${t}`, 400, 'Content-Length: -1'),
    page('Content-Length and Transfer-Encoding', `/?${t}`, 400, 'Content-Length: 3', 'Transfer-Encoding: chunked'),
    { name: 'bad chunked encoding', pieces: [`GET /?${t} HTTP/1.1\r\n${host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n`] },
    page('an Expect header', `/?${t}`, 417, 'Expect: teapot'),
    upgrade('an upgrade to the wrong path', 404, { path: `/wss?${t}` }),
    upgrade('an upgrade to //ws', 404, { path: `//ws?${t}` }),
    upgrade('an upgrade without the token', 403, { path: '/ws' }),
    upgrade('an upgrade with a wrong token', 403, { path: '/ws?token=wrong' }),
    upgrade('an upgrade from a foreign Origin', 403, { headers: { Origin: 'http://evil.example' } }),
    upgrade('an upgrade from a null Origin', 403, { headers: { Origin: 'null' } }),
    upgrade('an upgrade from a foreign Host', 421, { headers: { Host: 'evil.example' } }),
    upgrade('an upgrade without Sec-WebSocket-Key', 400, { headers: { 'Sec-WebSocket-Key': null } }),
    upgrade('a garbage Sec-WebSocket-Key', 400, { headers: { 'Sec-WebSocket-Key': '%%%' } }),
    upgrade('Sec-WebSocket-Version 12', 400, { headers: { 'Sec-WebSocket-Version': '12' } }),
    upgrade('no Sec-WebSocket-Version', 400, { headers: { 'Sec-WebSocket-Version': null } }),
    upgrade('an upgrade to h2c', 400, { headers: { Upgrade: 'h2c' } }),
    upgrade('an upgrade with a bad percent-encoding', 400, { path: `/w%zzs?${t}` }),
    { name: 'two Origin headers', pieces: [upgradeRequest(port, token).replace('\r\n\r\n', `\r\nOrigin: http://127.0.0.1:${port}\r\n\r\n`)], expected: 400 },
    { name: 'a POST upgrade', pieces: [upgradeRequest(port, token).replace(/^GET/, 'POST')], expected: 405 },
    afterUpgrade('an unmasked frame', 1002, webSocketFrame(Buffer.from('hi'), { masked: false })),
    afterUpgrade('a reserved opcode', 1002, webSocketFrame(Buffer.from('hi'), { opcode: 3 })),
    afterUpgrade('reserved bits set', 1002, webSocketFrame(Buffer.from('hi'), { rsv: 4 })),
    afterUpgrade('a text frame of bad UTF-8', 1007, webSocketFrame(Buffer.from([0xc3, 0x28]), { opcode: 1 })),
    afterUpgrade('a text frame', 1003, webSocketFrame(Buffer.from('{"kind":"request"}'), { opcode: 1 })),
    afterUpgrade('a ping longer than 125 bytes', 1002, webSocketFrame(Buffer.alloc(200), { opcode: 9 })),
    afterUpgrade('a frame announcing 2^53 bytes', 1009, webSocketFrame(Buffer.alloc(16), { declaredLength: 2 ** 53 - 1 })),
    afterUpgrade('a frame announcing 300 MB', 1009, webSocketFrame(Buffer.alloc(16), { declaredLength: 300e6 })),
    afterUpgrade('a binary frame of garbage', 1003, webSocketFrame(randomish(64))),
    afterUpgrade('a header that overruns its frame', 1003, webSocketFrame(Buffer.from([255, 255, 255, 0, 1, 2]))),
    afterUpgrade('a typed-array reference to Object', 1003, webSocketFrame(encodedJson({ kind: 'request', id: 1, channel: 'engine.describe', payload: { $typed: 'constructor', at: 0, length: 1 } }))),
    afterUpgrade('a typed-array reference to __proto__', 1003, webSocketFrame(encodedJson({ kind: 'request', id: 2, channel: 'engine.describe', payload: { $typed: '__proto__', at: 0, length: 1 } }))),
    afterUpgrade('a message outside the contract', null, webSocketFrame(encodedJson({ kind: 'result', id: 1, result: {} }))),
    afterUpgrade('a request on no channel', null, webSocketFrame(encodedJson({ kind: 'request', id: 3, channel: 'no.such', payload: {} }))),
    afterUpgrade('a fragment never finished', null, webSocketFrame(Buffer.from('part'), { fin: false })),
    afterUpgrade('a close with a bad code', 1002, webSocketFrame(Buffer.from([0x03, 0xe7]), { opcode: 8 })),
  ];
}

function randomish(length: number): Buffer {
  const random = seededRandom(7);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** A frame body as the binary codec lays it out: length, JSON header, no arrays. */
function encodedJson(message: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(message));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([length, json]);
}

const interestingBytes = [0x00, 0x0d, 0x0a, 0x20, 0x09, 0x25, 0x2f, 0x3a, 0x3f, 0x40, 0x5c, 0x7f, 0x80, 0xc0, 0xff];

/** Random damage to a good request: bytes flipped, inserted or deleted, lines repeated, cut short, stretched. */
function mutate(request: string, random: () => number): Buffer {
  let bytes = Buffer.from(request, 'latin1');
  const at = () => Math.floor(random() * (bytes.length + 1));
  const byte = () => (random() < 0.7 ? interestingBytes[Math.floor(random() * interestingBytes.length)] : Math.floor(random() * 256));
  const steps = 1 + Math.floor(random() * 4);
  for (let step = 0; step < steps; step++) {
    const kind = Math.floor(random() * 6);
    const i = at();
    if (kind === 0 && bytes.length > 0) bytes[Math.min(i, bytes.length - 1)] = byte();
    else if (kind === 1) bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from(Array.from({ length: 1 + Math.floor(random() * 8) }, byte)), bytes.subarray(i)]);
    else if (kind === 2) bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1 + Math.floor(random() * 16))]);
    else if (kind === 3) {
      const lines = bytes.toString('latin1').split('\r\n');
      const line = 1 + Math.floor(random() * Math.max(1, lines.length - 3));
      lines.splice(line, 0, lines[line] ?? '');
      bytes = Buffer.from(lines.join('\r\n'), 'latin1');
    } else if (kind === 4) bytes = bytes.subarray(0, i);
    else bytes = Buffer.concat([bytes.subarray(0, i), Buffer.alloc(Math.floor(random() * 20_000), 0x41), bytes.subarray(i)]);
  }
  return bytes;
}

function mutations(port: number, token: string, count: number, seed: number): Case[] {
  const random = seededRandom(seed);
  const bases = [
    `GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    `HEAD /index.html HTTP/1.1\r\nHost: localhost:${port}\r\nCookie: ximorph_token=${token}\r\nConnection: close\r\n\r\n`,
    upgradeRequest(port, token),
  ];
  return Array.from({ length: count }, (_, i) => {
    const base = bases[i % bases.length];
    const pieces: Buffer[] = [mutate(base, random)];
    // Some upgrades go on to send frames of random bytes.
    if (base === bases[2] && random() < 0.3) pieces.push(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))));
    return { name: `mutation ${i} (seed ${seed})`, pieces };
  });
}

/**
 * Runs the cases, `parallel` at a time; answers in the cases' order. Each waits for the server
 * to close, or `waitMs`: what stays open (an unfinished request, a socket that was right to
 * stay) costs that long, so judged cases get time enough for a busy machine.
 */
async function runAll(port: number, cases: readonly Case[], waitMs: number, parallel = 16): Promise<RawAnswer[]> {
  const answers: RawAnswer[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      answers[i] = await sendRaw(port, cases[i].pieces, waitMs);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return answers;
}

let server: ServeProcess;
let client: ContractClient;
let socket: WebSocket;
let uploadId: string;
const half = Math.floor(slicePng.length / 2);

beforeAll(async () => {
  server = await startServeProcess();
  ({ client, socket } = connectOverWebSocket(server));
  await client.request('engine.describe', {});
  // Half an upload, held by the engine session across the fuzz.
  ({ uploadId } = await client.request('upload.begin', { files: [{ name: 'slice.png', size: slicePng.length }] }));
  await client.request('upload.chunk', { uploadId, file: 0, offset: 0, bytes: new Uint8Array(slicePng.subarray(0, half)) });
});
afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe('browser mode under malformed requests', () => {
  it('answers each known-bad request with the right status, and never with a 500', async () => {
    const cases = corpus(server.port, server.token);
    const answers = await runAll(server.port, cases, 3000);
    const outcomes = cases.map((c, i) => ({ name: c.name, status: answers[i].status, ...(c.closes === undefined ? {} : { closes: answers[i].closeCode }) }));
    const judged = cases.flatMap((c, i) => (c.expected === undefined ? [] : [outcomes[i]]));
    const expected = cases.flatMap((c) => (c.expected === undefined ? [] : [{ name: c.name, status: c.expected, ...(c.closes === undefined ? {} : { closes: c.closes }) }]));
    expect(judged).toEqual(expected);
    expect(outcomes.filter((o) => o.status === 500)).toEqual([]);
    expect(server.alive()).toBe(true);
  });

  it('survives seeded random mutations of good requests and upgrades', async () => {
    const cases = mutations(server.port, server.token, 240, 20261130);
    const answers = await runAll(server.port, cases, 250);
    const bad = cases.map((c, i) => ({ name: c.name, status: answers[i].status, text: answers[i].text.slice(0, 80) })).filter((o) => o.status === 500 || (o.text !== '' && o.status === null));
    expect(bad).toEqual([]);
    expect(server.alive()).toBe(true);
  });

  it('still serves the page, and the engine session is intact', async () => {
    expect(server.alive()).toBe(true);
    const page = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    // The socket opened before the fuzz still answers, and the upload it began is still there.
    expect((await client.request('engine.describe', {})).version).toMatch(/\d+\.\d+/);
    await client.request('upload.chunk', { uploadId, file: 0, offset: half, bytes: new Uint8Array(slicePng.subarray(half)) });
    const loaded = await client.request('image.load', { source: { kind: 'upload', uploadId } });
    expect(loaded.info.grid.size).toEqual([221, 257]);
    expect(server.log.filter((line) => /request failed|could not answer|server failed/.test(line))).toEqual([]);
  });
});
