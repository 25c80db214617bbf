// The contract's RPC layer over an in-memory pair of ports: requests, progress, results,
// errors, cancellation and events, with everything validated on receipt.

import { describe, expect, it } from 'vitest';
import { createInMemoryPair } from '../../../shared/rpc/in-memory-pair';
import { createContractClient } from '../../../shared/rpc/client';
import { serveContract } from '../../../shared/rpc/server';
import { CancellationTokenSource, throwIfCancelled } from '../../../shared/rpc/cancellation';
import { EngineError, badInput } from '../../../shared/contract/errors';
import { decodeBinaryMessage, encodeBinaryMessage } from '../../../shared/rpc/binary-codec';
import { createMultiplexer, demultiplex, type FramePort, type MultiplexFrame } from '../../../shared/rpc/multiplex';

const grid = { size: [2, 2], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
const info = {
  id: 'a',
  name: 'x',
  source: 'x',
  format: 'test',
  grid,
  componentType: 'float32' as const,
  pixelType: 'Scalar',
  components: 1,
  range: { min: 0, max: 3 },
  percentiles: { p1: 0, p50: 1, p99: 3 },
  role: 'intensity' as const,
  nonFinite: 0,
  warnings: [],
};

describe('binary codec', () => {
  it('round-trips typed arrays of every kind, aligned', () => {
    const message = { a: new Float32Array([1.5, -2]), b: [new Uint8Array([1, 2, 3]), new Int16Array([-5])], c: new Float64Array([Math.PI]) };
    const back = decodeBinaryMessage(encodeBinaryMessage(message)) as typeof message;
    expect(back.a).toBeInstanceOf(Float32Array);
    expect([...back.a]).toEqual([1.5, -2]);
    expect([...back.b[0]]).toEqual([1, 2, 3]);
    expect([...back.b[1]]).toEqual([-5]);
    expect(back.c[0]).toBe(Math.PI);
  });

  it('gives views into the frame where asked and aligned, copies where not', () => {
    const message = { a: new Float32Array([1.5, -2]), b: new Float64Array([Math.E]), c: new Uint8Array([7, 8, 9]) };
    const frame = encodeBinaryMessage(message);
    const back = decodeBinaryMessage(frame, { views: true }) as typeof message;
    expect([...back.a]).toEqual([1.5, -2]);
    expect(back.b[0]).toBe(Math.E);
    expect([...back.c]).toEqual([7, 8, 9]);
    expect(back.a.buffer).toBe(frame.buffer);
    expect(back.b.buffer).toBe(frame.buffer);
    // The same bytes one byte into a larger buffer: the floats cannot be views there.
    const shifted = new Uint8Array(frame.byteLength + 1);
    shifted.set(frame, 1);
    const fromShifted = decodeBinaryMessage(shifted.subarray(1), { views: true }) as typeof message;
    expect([...fromShifted.a]).toEqual([1.5, -2]);
    expect(fromShifted.b[0]).toBe(Math.E);
    expect(fromShifted.a.buffer).not.toBe(shifted.buffer);
    expect(fromShifted.c.buffer).toBe(shifted.buffer);
    // By default every array is a copy of its own.
    expect((decodeBinaryMessage(frame) as typeof message).a.buffer).not.toBe(frame.buffer);
  });

  it('rejects frames whose arrays overrun the frame', () => {
    const frame = encodeBinaryMessage({ a: new Float32Array(4) });
    expect(() => decodeBinaryMessage(frame.subarray(0, frame.length - 8))).toThrow(/overruns/);
  });
});

describe('contract RPC over an in-memory pair', () => {
  it('streams progress, then resolves with a validated result carrying pixels', async () => {
    const [clientPort, serverPort] = createInMemoryPair();
    serveContract(serverPort, {
      'image.load': async (_req, ctx) => {
        ctx.progress({ stage: 'reading', fraction: 0.5 });
        return { info, pixels: new Float32Array([0, 1, 2, 3]) };
      },
    });
    const client = createContractClient(clientPort);
    const seen: number[] = [];
    const result = await client.request('image.load', { source: { kind: 'path', path: '/x.nii' } }, { onProgress: (p) => seen.push(p.fraction) });
    expect(seen).toEqual([0.5]);
    expect([...result.pixels]).toEqual([0, 1, 2, 3]);
  });

  it('carries errors as name, message, code and file', async () => {
    const [clientPort, serverPort] = createInMemoryPair();
    serveContract(serverPort, {
      'image.load': async () => {
        throw badInput('/data/broken.nii.gz', 'the file is truncated');
      },
    });
    const client = createContractClient(clientPort);
    const error = await client.request('image.load', { source: { kind: 'path', path: '/data/broken.nii.gz' } }).catch((e) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toBe('/data/broken.nii.gz: the file is truncated');
    expect(error.file).toBe('/data/broken.nii.gz');
  });

  it('refuses a request that does not match its channel schema', async () => {
    const [clientPort, serverPort] = createInMemoryPair();
    serveContract(serverPort, { 'image.load': async () => ({ info, pixels: new Float32Array(4) }) });
    const client = createContractClient(clientPort);
    const error = await client.request('image.load', { source: { kind: 'path', path: '' } } as never).catch((e) => e);
    expect(error.code).toBe('INVALID_MESSAGE');
    expect(error.message).toMatch(/source\.path/);
  });

  it('cancels a running job through the token', async () => {
    const [clientPort, serverPort] = createInMemoryPair();
    let sawCancel = false;
    serveContract(serverPort, {
      'image.listDicomSeries': async (_req, ctx) => {
        for (;;) {
          await new Promise((r) => setTimeout(r, 5));
          if (ctx.token.isCancellationRequested) sawCancel = true;
          throwIfCancelled(ctx.token);
        }
      },
    });
    const client = createContractClient(clientPort);
    const source = new CancellationTokenSource();
    const pending = client.request('image.listDicomSeries', { folder: '/x' }, { token: source.token });
    setTimeout(() => source.cancel(), 20);
    const error = await pending.catch((e) => e);
    expect(error.code).toBe('CANCELLED');
    expect(sawCancel).toBe(true);
  });

  it('delivers events to subscribers and drops invalid payloads', async () => {
    const [clientPort, serverPort] = createInMemoryPair();
    const server = serveContract(serverPort, {});
    const client = createContractClient(clientPort);
    const got: unknown[] = [];
    client.on('files.openRequested', (p) => got.push(p));
    server.emit('files.openRequested', { sources: [{ kind: 'path', path: '/a.nii' }] });
    serverPort.post({ kind: 'event', event: 'files.openRequested', payload: { sources: 'nope' } });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([{ sources: [{ kind: 'path', path: '/a.nii' }] }]);
  });
});

describe('multiplexing many clients over one port', () => {
  it('routes each connection to its own server and refuses clients that send answers', async () => {
    const toWorker = new Set<(f: MultiplexFrame) => void>();
    const toHost = new Set<(f: MultiplexFrame) => void>();
    const hostSide: FramePort = { post: (f) => toWorker.forEach((l) => l(structuredClone(f))), onFrame: (l) => (toHost.add(l), () => toHost.delete(l)) };
    const workerSide: FramePort = { post: (f) => toHost.forEach((l) => l(structuredClone(f))), onFrame: (l) => (toWorker.add(l), () => toWorker.delete(l)) };
    let served = 0;
    demultiplex(workerSide, (port) => {
      const id = ++served;
      const server = serveContract(port, { 'files.recent': async () => ({ paths: [`/connection/${id}`] }) });
      return () => server.dispose();
    });
    const mux = createMultiplexer(hostSide);
    const [a1, a2] = createInMemoryPair();
    const [b1, b2] = createInMemoryPair();
    mux.attach(a2);
    mux.attach(b2);
    const a = createContractClient(a1);
    const b = createContractClient(b1);
    expect((await a.request('files.recent', {})).paths).toEqual(['/connection/1']);
    expect((await b.request('files.recent', {})).paths).toEqual(['/connection/2']);
    const replies: unknown[] = [];
    a1.onMessage((m) => replies.push(m));
    a1.post({ kind: 'result', id: 99, result: {} });
    await new Promise((r) => setTimeout(r, 10));
    expect(replies).toMatchObject([{ kind: 'error', id: 99, error: { code: 'INVALID_MESSAGE' } }]);
  });
});
