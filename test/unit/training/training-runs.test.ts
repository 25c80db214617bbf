// Training runs end to end on small grids, in process: what a user relies on when a run is
// interrupted and resumed, when data folders are messy, and that the known failure mode
// without augmentation is what the method says it is.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingRequest } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import type { JobContext } from '../../../main/engine/job-context';
import { silentJob } from '../../../main/engine/job-context';
import { readModelFolder, readTrainingCheckpoint } from '../../../main/engine/training/model-files';
import { defaultTrainingRequest } from '../../../main/engine/training/training-defaults';
import { PauseGate } from '../../../main/engine/training/pause-gate';
import { trainingData } from '../../../main/engine/training/training-data';
import { runTrainingJob } from '../../../main/engine/training/training-job';
import { tempFolder } from '../cli/run-cli';

const workerUrl = new URL('../../../dist/main/training-worker.js', import.meta.url);
const itkData = '/usr/share/doc/insighttoolkit5-examples/examples/Data';
const templates = '/usr/share/mricron/templates';

describe('training runs', () => {
  const scratch = tempFolder('ximorph-training-test-');
  const options = { cacheFolder: path.join(scratch.dir, 'cache'), workerUrl, backend: 'wasm' };
  const small = (out: string, extra: Partial<TrainingRequest> = {}): TrainingRequest => ({
    ...defaultTrainingRequest(2),
    exampleEdge: 24,
    resolutionMm: 8,
    steps: 4,
    batch: 2,
    samples: 64,
    threads: 1,
    checkpointEvery: 2,
    validateEvery: 1000,
    out: path.join(scratch.dir, out),
    ...extra,
  });
  const weightsOf = async (folder: string) => (await readModelFolder(folder)).weights;
  beforeAll(async () => void (await selectComputeBackend('wasm')));
  afterAll(() => scratch.cleanup());

  it('resumed from a checkpoint, ends exactly where an uninterrupted run ends; so does a run split across two threads', async () => {
    await runTrainingJob(small('whole'), options, silentJob);
    const whole = await weightsOf(path.join(scratch.dir, 'whole'));

    // Stopped after step 2: the checkpoint holds step 2, and --resume goes on from there.
    const source = new CancellationTokenSource();
    const stopAfterTwo: JobContext = { token: source.token, progress: (p) => p.iteration === 2 && source.cancel() };
    await expect(runTrainingJob(small('resumed'), options, stopAfterTwo)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await readTrainingCheckpoint(path.join(scratch.dir, 'resumed'))).state.step).toBe(2);
    await runTrainingJob({ ...small('resumed'), resume: true }, options, silentJob);
    expect(await weightsOf(path.join(scratch.dir, 'resumed'))).toEqual(whole);

    await runTrainingJob(small('threads', { threads: 2 }), options, silentJob);
    expect(await weightsOf(path.join(scratch.dir, 'threads'))).toEqual(whole);
  });

  it('paused, holds between steps with a checkpoint written, and goes on in place to the same end; cancelled while paused, stops there', async () => {
    const whole = await weightsOf(path.join(scratch.dir, 'whole'));
    const pause = new PauseGate();
    const stages: string[] = [];
    let checkpointWhilePaused: number | undefined;
    const pauseAfterOne: JobContext = {
      token: new CancellationTokenSource().token,
      progress: (p) => {
        stages.push(`${p.stage} ${p.iteration}`);
        if (stages.length === 1) pause.set(true);
        if (p.stage === 'paused')
          setTimeout(async () => {
            checkpointWhilePaused = (await readTrainingCheckpoint(path.join(scratch.dir, 'paused'))).state.step;
            pause.set(false);
          }, 300);
      },
    };
    await runTrainingJob(small('paused'), { ...options, pause }, pauseAfterOne);
    expect(stages).toEqual(['training 1', 'paused 1', 'training 1', 'training 2', 'training 3', 'training 4']);
    expect(checkpointWhilePaused).toBe(1);
    expect(await weightsOf(path.join(scratch.dir, 'paused'))).toEqual(whole);

    const source = new CancellationTokenSource();
    const held = new PauseGate();
    const cancelWhilePaused: JobContext = {
      token: source.token,
      progress: (p) => {
        if (p.stage === 'training' && p.iteration === 2 && !held.paused) held.set(true);
        if (p.stage === 'paused') setTimeout(() => source.cancel(), 100);
      },
    };
    await expect(runTrainingJob(small('paused-then-cancelled'), { ...options, pause: held }, cancelWhilePaused)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await readTrainingCheckpoint(path.join(scratch.dir, 'paused-then-cancelled'))).state.step).toBe(2);
  });

  it('trains on what a messy folder holds, and lists what it skipped', async () => {
    const folder = path.join(scratch.dir, 'scans');
    mkdirSync(path.join(folder, 'nested'), { recursive: true });
    copyFileSync(path.join(templates, 'ch2bet.nii.gz'), path.join(folder, 'nested', 'brain.nii.gz'));
    copyFileSync(path.join(itkData, 'BrainProtonDensitySlice.png'), path.join(folder, 'slice.png'));
    writeFileSync(path.join(folder, 'broken.nii.gz'), 'not a NIfTI file');
    // 3D steps on 16³ examples: what the folder gives, not learning (24³ took 35 s here).
    const result = await runTrainingJob(small('from-scans', { dimension: 3, data: { kind: 'folder', folder }, steps: 1, batch: 1, exampleEdge: 16 }), options, silentJob);
    expect(result.model.dimension).toBe(3);
    const reasons = Object.fromEntries(result.skipped.map((s) => [path.basename(s.source), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['broken.nii.gz', 'slice.png']);
    expect(reasons['slice.png']).toMatch(/a 2D image cannot train a 3D model/);
    expect(reasons['broken.nii.gz']).toMatch(/^broken\.nii\.gz: /);
    // The card lists them, and a resumed run still does (it used to keep only their count).
    expect((result.model.card as { training: { skipped: unknown } }).training.skipped).toEqual(result.skipped);
    const resumed = await runTrainingJob(small('from-scans', { dimension: 3, data: { kind: 'folder', folder }, steps: 2, batch: 1, exampleEdge: 16, resume: true }), options, silentJob);
    expect(resumed.skipped).toEqual(result.skipped);
    expect((resumed.model.card as { training: { skipped: unknown; steps: number } }).training).toMatchObject({ skipped: result.skipped, steps: 2 });
    // Prepared once: a second run finds the scan in the cache. It mixes in synthetic images
    // from an atlas's labels, which the card records.
    const mix = { fraction: 0.5, atlas: path.join(templates, 'aal.nii.gz') };
    const again = await runTrainingJob(small('from-scans-again', { dimension: 3, data: { kind: 'folder', folder, synthetic: mix }, steps: 1, batch: 1, exampleEdge: 16 }), options, silentJob);
    expect(again.model.card).toMatchObject({ training: { data: expect.stringMatching(/^1 scans from .*, and 50 % of the pairs synthetic images from the labels of aal\.nii\.gz at 8 mm$/) } });
    const { settings } = await readTrainingCheckpoint(path.join(scratch.dir, 'from-scans-again'));
    const data = await trainingData(settings.data);
    // Synthetic pairs carry their labels; pairs of scans do not. About half are each.
    const synthetic = (await Promise.all(Array.from({ length: 40 }, async (_, seed) => 'labelsA' in (await data.pair(seed))))).filter(Boolean).length;
    expect(synthetic).toBeGreaterThan(10);
    expect(synthetic).toBeLessThan(30);
  });

  it('validates synthetic training on the labelled scan the user gives', async () => {
    const validation = { image: path.join(templates, 'ch2bet.nii.gz'), labels: path.join(templates, 'aal.nii.gz') };
    const result = await runTrainingJob(small('synthetic-validated', { validation, steps: 2, validateEvery: 2 }), options, silentJob);
    expect((result.model.card as { validation: unknown[] }).validation).toHaveLength(1);
    const { settings } = await readTrainingCheckpoint(path.join(scratch.dir, 'synthetic-validated'));
    const heldOut = await (await trainingData(settings.data)).labelledPair!(7);
    // AAL's labels (up to 116), not the synthetic blobs' 1 to 12.
    expect(Math.max(...heldOut.labelsA)).toBeGreaterThan(12);
  });

  it('refuses an empty folder, or one with nothing usable, with one clear line', async () => {
    const empty = path.join(scratch.dir, 'empty');
    mkdirSync(empty);
    const error = await runTrainingJob(small('never', { data: { kind: 'folder', folder: empty } }), options, silentJob).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/^.*empty: holds no scans XiMorph can train on$/);
    const flat = path.join(scratch.dir, 'only-2d');
    mkdirSync(flat);
    copyFileSync(path.join(itkData, 'BrainProtonDensitySlice.png'), path.join(flat, 'slice.png'));
    const mixed = await runTrainingJob(small('never', { dimension: 3, data: { kind: 'folder', folder: flat } }), options, silentJob).catch((e: unknown) => e);
    expect((mixed as EngineError).message).toMatch(/holds no scans XiMorph can train on \(1 skipped: slice\.png: a 2D image cannot train a 3D model\)/);
  });
});
