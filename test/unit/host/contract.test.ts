// Every channel of the contract, and every kind of message (request, progress, result,
// error, cancel, event), over both transports into a real engine host and worker: the
// browser-mode WebSocket, and an in-process Electron-style bridge (structured clone, the
// preload's envelope check).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineHost } from '../../../main/host/engine-host';
import type { BrowserServer } from '../../../main/server/browser-server';
import type { ChannelName, EventPayload, RequestOf } from '../../../shared/contract/index';
import { channelNames } from '../../../shared/contract/index';
import { createContractClient, type ContractClient } from '../../../shared/rpc/client';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import type { MessagePortLike, WireMessage } from '../../../shared/rpc/wire';
import { wireMessageSchema } from '../../../shared/rpc/wire';
import { connectOverWebSocket, startHost, startServer } from './engine-fixture';

const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data';
const lung1 = path.join(data, 'RatLungSlice1.mha');
const lung2 = path.join(data, 'RatLungSlice2.mha');
const slicePng = path.join(data, 'BrainProtonDensitySliceBorder20.png');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ximorph-contract-'));

/** Electron IPC clones messages structurally; the preload checks what the page sends. */
function electronStyleBridge(host: EngineHost): { client: ContractClient; close(): void } {
  const toMain = new Set<(m: unknown) => void>();
  const toPage = new Set<(m: unknown) => void>();
  const deliver = (listeners: Set<(m: unknown) => void>, m: unknown) => setTimeout(() => listeners.forEach((l) => l(structuredClone(m))), 0);
  const mainSide: MessagePortLike = { post: (m) => deliver(toPage, m), onMessage: (l) => (toMain.add(l), () => toMain.delete(l)) };
  const pageSide: MessagePortLike = {
    post: (m: WireMessage) => deliver(toMain, wireMessageSchema.parse(m)),
    onMessage: (l) => (toPage.add(l), () => toPage.delete(l)),
  };
  const connection = host.connect(mainSide);
  return { client: createContractClient(pageSide), close: () => connection.detach() };
}

/** One meaningful exchange per channel; the keys must be every channel of the contract. */
type Exchange = (client: ContractClient, shared: Record<string, string>) => Promise<void>;

const progressOf = <C extends ChannelName>(client: ContractClient, channel: C, request: RequestOf<C>) => {
  const stages: string[] = [];
  return client.request(channel, request, { onProgress: (p) => stages.push((p as { stage: string }).stage) }).then((result) => ({ result, stages }));
};

const exchanges: Record<ChannelName, Exchange> = {
  'engine.describe': async (c) => {
    const r = await c.request('engine.describe', {});
    expect(r.backend.name).toMatch(/wasm|cpu|tensorflow/);
    expect(r.samples.length).toBeGreaterThan(0);
  },
  'session.startup': async (c) => expect(await c.request('session.startup', {})).toEqual({ sources: [], documentsFolder: expect.stringMatching(/^\//) }),
  'files.list': async (c) => expect((await c.request('files.list', { directory: data })).entries.some((e) => e.name === 'RatLungSlice1.mha')).toBe(true),
  'files.recent': async (c) => expect(Array.isArray((await c.request('files.recent', {})).paths)).toBe(true),
  // Both clients here are connected as browser mode connects them; Electron's native dialogs: save-locations.test.ts.
  'files.chooseSaveLocation': async (c) => expect(await c.request('files.chooseSaveLocation', { purpose: 'export' })).toEqual({ outcome: 'askInPage' }),
  // Browser mode: the folder is on the engine's machine, so the page shows its path instead.
  'files.reveal': async (c) => expect(await c.request('files.reveal', { path: '/tmp', grant: 'any' })).toEqual({ outcome: 'notHere' }),
  'image.load': async (c, shared) => {
    const { result, stages } = await progressOf(c, 'image.load', { source: { kind: 'path', path: lung1 } });
    expect(stages.length).toBeGreaterThan(0);
    expect(result.info.grid.size).toEqual([128, 128]);
    shared.fixed = result.info.id;
    shared.moving = (await c.request('image.load', { source: { kind: 'path', path: lung2 } })).info.id;
  },
  'image.fetch': async (c, shared) => {
    // The engine's copy again, as a reloaded page gets it: same id, same pixels.
    const again = await c.request('image.fetch', { id: shared.fixed });
    expect(again.info.id).toBe(shared.fixed);
    expect(again.pixels.length).toBe(128 * 128);
    await expect(c.request('image.fetch', { id: 'no-such-image' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  },
  'features.pcaSlice': async (c, shared) => {
    const r = await c.request('features.pcaSlice', { imageId: shared.fixed, model: 'mind-ssc', axis: 'axial' });
    expect(r.featurizer).toMatch(/MIND-SSC/);
    expect(r.rgb.length).toBe(r.width * r.height * 3);
    expect(new Set(r.rgb).size).toBeGreaterThan(10);
  },
  'image.describe': async (c) => expect((await c.request('image.describe', { path: lung1 })).info.format).toBe('MetaImage'),
  'image.listDicomSeries': async (c) => {
    const r = await c.request('image.listDicomSeries', { folder: '/usr/lib/python3/dist-packages/pydicom/data/test_files' });
    expect(r.series.length).toBeGreaterThan(1);
  },
  'image.release': async (c) => {
    const extra = await c.request('image.load', { source: { kind: 'path', path: lung2 } });
    expect(await c.request('image.release', { id: extra.info.id })).toEqual({});
  },
  'upload.begin': async (c, shared) => {
    shared.upload = (await c.request('upload.begin', { files: [{ name: 'dropped slice.png', size: statSync(slicePng).size }] })).uploadId;
    expect(shared.upload).toMatch(/^[\w-]{8,}$/);
  },
  'upload.chunk': async (c, shared) => {
    expect(await c.request('upload.chunk', { uploadId: shared.upload, file: 0, offset: 0, bytes: new Uint8Array(readFileSync(slicePng)) })).toEqual({});
    const loaded = await c.request('image.load', { source: { kind: 'upload', uploadId: shared.upload } });
    expect(loaded.info.name).toBe('dropped slice.png');
    expect(loaded.info.grid.size).toEqual([221, 257]);
  },
  'upload.discard': async (c) => {
    const { uploadId } = await c.request('upload.begin', { files: [{ name: 'never.mha', size: 10 }] });
    expect(await c.request('upload.discard', { uploadId })).toEqual({});
    await expect(c.request('image.load', { source: { kind: 'upload', uploadId } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  },
  'registration.defaults': async (c) => expect((await c.request('registration.defaults', {})).presets.map((p) => p.id)).toContain('2d'),
  'registration.run': async (c, shared) => {
    const { result, stages } = await progressOf(c, 'registration.run', { inputs: { fixedId: shared.fixed, movingId: shared.moving }, overrides: {}, preset: '2d' });
    expect(stages).toContain('alignment');
    expect(result.warpedMoving.info.grid.size).toEqual([128, 128]);
    expect(result.report.metrics.nccAfter).toBeGreaterThan(result.report.metrics.nccBefore);
    shared.job = result.jobId;
  },
  'registration.fetch': async (c, shared) => {
    const again = await c.request('registration.fetch', { jobId: shared.job });
    expect(again.jobId).toBe(shared.job);
    expect(again.warpedMoving.info.grid.size).toEqual([128, 128]);
    expect(again.displayField.vectors.length).toBe(again.displayField.grid.size.reduce((a, b) => a * b, 2));
  },
  'inspect.match': async (c, shared) => {
    // A point in the middle of the fixed slice, matched in the moving one, through the result too.
    const r = await c.request('inspect.match', { queryImageId: shared.fixed, otherImageId: shared.moving, point: [64, 64], model: 'mind-ssc', jobId: shared.job, heatmap: true });
    expect(r.featurizer).toMatch(/MIND-SSC/);
    expect(r.match.peakProbability).toBeGreaterThan(0);
    expect(r.heatmap!.values.length).toBe(r.heatmap!.grid.size[0] * r.heatmap!.grid.size[1]);
    expect(Math.max(...r.heatmap!.values)).toBe(255);
    expect(r.registration!.cycleErrorMm).toBeLessThan(0.5);
  },
  'registration.mapPoints': async (c, shared) => {
    const there = (await c.request('registration.mapPoints', { jobId: shared.job, points: [[60, 70]], inverse: false })).points;
    const back = (await c.request('registration.mapPoints', { jobId: shared.job, points: there, inverse: true })).points;
    expect(Math.hypot(back[0][0] - 60, back[0][1] - 70)).toBeLessThan(0.5);
  },
  'landmarks.write': async (c, shared) => {
    shared.landmarks = path.join(scratch, `landmarks-${shared.transport}.mrk.json`);
    const landmarks = [{ name: 'apex', fixed: [10, 20], moving: [11, 22], accepted: true }].map((l) => ({ ...l, fixed: [...l.fixed, 0], moving: [...l.moving, 0] }));
    expect((await c.request('landmarks.write', { path: shared.landmarks, landmarks, format: 'slicer-json', coordinateSystem: 'RAS' })).path).toBe(shared.landmarks);
  },
  'landmarks.read': async (c, shared) => {
    const r = await c.request('landmarks.read', { path: shared.landmarks });
    expect(r).toMatchObject({ format: 'slicer-json', coordinateSystem: 'RAS', landmarks: [{ name: 'apex', fixed: [10, 20, 0], moving: [11, 22, 0], accepted: true }] });
  },
  'registration.export': async (c, shared) => {
    shared.exported = path.join(scratch, `export-${shared.transport}`);
    // The lean set, without the Jacobian: opening it again computes det J from T.
    const { files } = await c.request('registration.export', { jobId: shared.job, directory: shared.exported, items: ['warpedMoving', 'forwardField', 'inverseField', 'affine', 'report'] });
    expect(files.map((f) => path.basename(f))).toContain('report.json');
  },
  'registration.command': async (c, shared) => expect((await c.request('registration.command', { jobId: shared.job })).command).toContain(`--moving ${lung2}`),
  'registration.open': async (c, shared) => {
    const r = await c.request('registration.open', { directory: shared.exported });
    expect(r.warpedMoving.info.grid.size).toEqual([128, 128]);
  },
  'session.record': async (c, shared) => {
    const record = {
      images: [
        { id: shared.fixed, source: { kind: 'path' as const, path: lung1 }, part: 'fixed' as const },
        { id: 'released-meanwhile', source: { kind: 'path' as const, path: lung2 }, part: 'moving' as const },
      ],
      registration: { preset: '2d', overrides: {} },
      jobs: [{ label: 'lung 2 → lung 1', inputs: { fixedId: shared.fixed, movingId: shared.moving }, status: 'done' as const, jobId: shared.job, summary: { seconds: 1, backend: 'wasm' }, error: null }],
      shownJobId: shared.job,
      landmarks: [],
      compare: { mode: 'checkerboard', showing: 'after' as const },
    };
    expect(await c.request('session.record', { record })).toEqual({});
    await expect(c.request('session.record', { record: { ...record, images: 'all' } } as never)).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
  },
  'session.restore': async (c, shared) => {
    // What the engine no longer holds is left out: the page never reaches for pixels that are gone.
    const { record, heldJobIds } = await c.request('session.restore', {});
    expect(record!.images.map((i) => i.id)).toEqual([shared.fixed]);
    expect(record!.compare).toEqual({ mode: 'checkerboard', showing: 'after' });
    expect(heldJobIds).toEqual([shared.job]);
  },
  'registration.release': async (c, shared) => {
    expect(await c.request('registration.release', { jobId: shared.job })).toEqual({});
    await expect(c.request('registration.fetch', { jobId: shared.job })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Twice is harmless: the result is simply gone.
    expect(await c.request('registration.release', { jobId: shared.job })).toEqual({});
  },
  'workspace.save': async (c, shared) => {
    shared.workspace = path.join(scratch, `study-${shared.transport}.json`);
    const workspace = {
      format: 'ximorph-workspace' as const,
      version: 1 as const,
      images: [{ source: { kind: 'path' as const, path: lung1 }, name: 'RatLungSlice1.mha', part: 'fixed' as const }],
      registration: { preset: '2d', overrides: { optimization: { diffusionWeight: 0.2 } } },
      results: [{ directory: shared.exported }],
      shownResult: 0,
      view: {},
    };
    expect((await c.request('workspace.save', { path: shared.workspace, workspace })).path).toBe(shared.workspace);
  },
  'workspace.open': async (c, shared) => {
    const r = await c.request('workspace.open', { path: shared.workspace });
    expect(r.workspace.registration.overrides.optimization?.diffusionWeight).toBe(0.2);
  },
  'training.defaults': async (c, shared) => {
    const { request } = await c.request('training.defaults', { dimension: 2 });
    expect(request).toMatchObject({ dimension: 2, data: { kind: 'synthetic' }, augmentation: { affine: true, roll: true } });
    shared.trainingOut = path.join(scratch, `model-${shared.transport}`);
  },
  'training.run': async (c, shared) => {
    // Two steps of one small example: the run, its progress and its model folder, not learning.
    const { request } = await c.request('training.defaults', { dimension: 2 });
    const { result, stages } = await progressOf(c, 'training.run', { ...request, exampleEdge: 24, resolutionMm: 8, steps: 2, batch: 1, samples: 64, checkpointEvery: 1, validateEvery: 100, out: shared.trainingOut });
    expect(stages).toContain('training');
    expect(result.model).toMatchObject({ name: `model-${shared.transport}`, dimension: 2, channels: 16 });
    expect(result.model.card).toMatchObject({ training: { steps: 2 } });
  },
  'training.pause': async (c, shared) => {
    await expect(c.request('training.pause', { paused: true })).rejects.toThrow(/no training run is going on/);
    // Paused after its first step, a run reports it and takes no step until resumed.
    const { request } = await c.request('training.defaults', { dimension: 2 });
    const seen: string[] = [];
    let pausedAt: number | undefined;
    const heldThere = new Promise<void>((resolve) => {
      const running = c.request('training.run', { ...request, exampleEdge: 24, resolutionMm: 8, steps: 3, batch: 1, samples: 64, validateEvery: 100, out: `${shared.trainingOut}-paused` }, {
        onProgress: (p) => {
          seen.push(`${p.stage} ${p.iteration}`);
          if (p.stage === 'training' && p.iteration === 1) void c.request('training.pause', { paused: true });
          if (p.stage === 'paused' && pausedAt === undefined) {
            pausedAt = p.iteration;
            resolve();
          }
        },
      });
      shared.pausedRun = 'started';
      void running.then(() => (shared.pausedRun = 'done'));
    });
    await heldThere;
    await new Promise((r) => setTimeout(r, 600));
    expect(seen.at(-1)).toBe(`paused ${pausedAt}`);
    expect(shared.pausedRun).toBe('started');
    expect(await c.request('training.pause', { paused: false })).toEqual({ paused: false });
    await expect.poll(() => shared.pausedRun, { timeout: 60_000 }).toBe('done');
    expect(seen.filter((s) => s.startsWith('training')).at(-1)).toBe('training 3');
  },
  'models.import': async (c, shared) => {
    const { model } = await c.request('models.import', { folder: shared.trainingOut, name: `imported-${shared.transport}` });
    expect(model).toMatchObject({ bundled: false, dimension: 2 });
  },
  'models.list': async (c, shared) => expect((await c.request('models.list', {})).models.map((m) => m.name)).toContain(`imported-${shared.transport}`),
  'models.delete': async (c, shared) => {
    await c.request('models.delete', { name: `imported-${shared.transport}` });
    expect((await c.request('models.list', {})).models.map((m) => m.name)).not.toContain(`imported-${shared.transport}`);
  },
};

let host: EngineHost;
let server: BrowserServer;
beforeAll(async () => {
  host = startHost();
  server = await startServer(host);
});
afterAll(async () => {
  await server.close();
  await host.dispose();
});

describe.each(['websocket', 'electron-bridge'] as const)('the contract over the %s transport', (transport) => {
  let client: ContractClient;
  let close: () => void;
  const shared: Record<string, string> = { transport };
  beforeAll(() => {
    if (transport === 'websocket') {
      const c = connectOverWebSocket(server);
      client = c.client;
      close = () => c.socket.close();
    } else ({ client, close } = electronStyleBridge(host));
  });
  afterAll(() => close());

  it('covers every channel', () => expect(Object.keys(exchanges).sort()).toEqual([...channelNames].sort()));

  // In order: later exchanges use what earlier ones made (images, a job, an export).
  for (const channel of Object.keys(exchanges) as ChannelName[]) it(`serves ${channel}`, () => exchanges[channel](client, shared));

  it('answers a bad request with a serialized error naming the file', async () => {
    const error = await client.request('image.load', { source: { kind: 'path', path: '/nowhere/missing.nii.gz' } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND', name: 'EngineError' });
    expect(error.message).toContain('missing.nii.gz');
  });

  it('cancels a running registration', async () => {
    const source = new CancellationTokenSource();
    const running = client.request('registration.run', { inputs: { fixedId: shared.fixed, movingId: shared.moving }, overrides: {} }, {
      token: source.token,
      onProgress: () => source.cancel(),
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('delivers host events', async () => {
    const got = new Promise<EventPayload<'files.openRequested'>>((resolve) => client.on('files.openRequested', (p) => resolve(p)));
    for (const id of host.connectionIds()) host.notify(id, 'files.openRequested', { sources: [{ kind: 'path', path: lung1 }] });
    expect(await got).toEqual({ sources: [{ kind: 'path', path: lung1 }] });
  });
});
