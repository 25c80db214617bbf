// Browser mode as a client meets it: the token gate, the Host and Origin checks, and the
// engine contract over a real WebSocket to a real engine worker.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineHost } from '../../../main/host/engine-host';
import type { BrowserServer } from '../../../main/server/browser-server';
import { startBrowserServer } from '../../../main/server/browser-server';
import { connectOverWebSocket, startHost, startServer } from './engine-fixture';

const ch2bet = '/usr/share/mricron/templates/ch2bet.nii.gz';
let host: EngineHost;
let server: BrowserServer;

beforeAll(async () => {
  host = startHost([{ kind: 'path', path: ch2bet }]);
  server = await startServer(host);
});
afterAll(async () => {
  await server.close();
  await host.dispose();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${server.port}${path}`, { headers });

describe('browser mode HTTP', () => {
  it('binds to loopback and serves the page only with the token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(await page.text()).toContain('<div id="app">');
  });

  it('accepts the cookie instead of the token, and refuses foreign Host headers', async () => {
    expect((await get('/', { cookie: `ximorph_token=${server.token}` })).status).toBe(200);
    // A DNS-rebinding page would arrive with its own host name.
    const rebinding = await new Promise<number>((resolve) => {
      import('node:http').then(({ request }) =>
        request({ host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { Host: 'evil.example:80' } }, (res) =>
          resolve(res.statusCode ?? 0),
        ).end(),
      );
    });
    expect(rebinding).toBe(421);
  });

  it('refuses path traversal out of the renderer folder', async () => {
    expect((await get(`/..%2f..%2fpackage.json?token=${server.token}`)).status).toBe(404);
  });
});

describe('browser mode WebSocket', () => {
  it('refuses sockets without the token or from another origin', async () => {
    const refused = (url: string, origin: string) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(url, { headers: { Origin: origin } });
        ws.on('open', () => resolve(false));
        ws.on('error', () => resolve(true));
      });
    expect(await refused(`ws://127.0.0.1:${server.port}/ws`, `http://127.0.0.1:${server.port}`)).toBe(true);
    expect(await refused(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, 'http://evil.example')).toBe(true);
  });

  it('serves the engine contract: describe, startup files and a real load', async () => {
    const { client, socket } = connectOverWebSocket(server);
    const description = await client.request('engine.describe', {});
    expect(['tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu']).toContain(description.backend.name);
    expect(await client.request('session.startup', {})).toEqual({ sources: [{ kind: 'path', path: ch2bet }], documentsFolder: expect.stringMatching(/^\//) });
    const fractions: number[] = [];
    const loaded = await client.request('image.load', { source: { kind: 'path', path: ch2bet } }, { onProgress: (p) => fractions.push(p.fraction) });
    expect(loaded.info.grid.size).toEqual([181, 217, 181]);
    expect(loaded.pixels.length).toBe(181 * 217 * 181);
    expect(loaded.info.role).toBe('intensity');
    expect((await client.request('files.recent', {})).paths).toContain(ch2bet);
    socket.close();
  });

  it('keeps serving after a bad request, with the error naming the file', async () => {
    const { client, socket } = connectOverWebSocket(server);
    const error = await client.request('image.load', { source: { kind: 'path', path: '/tmp/does-not-exist.nii.gz' } }).catch((e) => e);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/does-not-exist\.nii\.gz/);
    expect((await client.request('files.list', { directory: '/usr/share/mricron/templates' })).entries.map((e) => e.name)).toContain('ch2bet.nii.gz');
    socket.close();
  });
});

describe('browser mode when something inside it fails', () => {
  it('answers 500 for a bug in a request handler, logs it whole, and keeps serving', async () => {
    const log: string[] = [];
    // A renderer folder that is no path makes the file reader throw: a stand-in for any bug.
    const broken = await startBrowserServer({ host, rendererRoot: 42 as unknown as string, log: (line) => log.push(line) });
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`http://127.0.0.1:${broken.port}/?token=${broken.token}`);
      expect(answer.status).toBe(500);
      expect(await answer.text()).toBe('XiMorph failed to answer this request; the server log has the details.');
    }
    expect(log.join('\n')).toMatch(/TypeError.*\n\s+at /);
    await broken.close();
  });

  it('closes a socket it cannot connect to the engine with 1011, and keeps serving', async () => {
    const log: string[] = [];
    const failingHost = {
      connect() {
        throw new Error('no engine here');
      },
    } as unknown as EngineHost;
    const broken = await startBrowserServer({ host: failingHost, rendererRoot: '/nowhere', log: (line) => log.push(line) });
    for (let i = 0; i < 2; i++) {
      const socket = new WebSocket(`ws://127.0.0.1:${broken.port}/ws?token=${broken.token}`);
      expect(await new Promise((resolve) => socket.on('close', resolve))).toBe(1011);
    }
    expect(log.join('\n')).toMatch(/could not connect a WebSocket to the engine: Error: no engine here/);
    await broken.close();
  });
});
