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

  it('trains on what a messy folder holds, and lists what it skipped', async () => {
    const folder = path.join(scratch.dir, 'scans');
    mkdirSync(path.join(folder, 'nested'), { recursive: true });
    copyFileSync(path.join(templates, 'ch2bet.nii.gz'), path.join(folder, 'nested', 'brain.nii.gz'));
    copyFileSync(path.join(itkData, 'BrainProtonDensitySlice.png'), path.join(folder, 'slice.png'));
    writeFileSync(path.join(folder, 'broken.nii.gz'), 'not a NIfTI file');
    const result = await runTrainingJob(small('from-scans', { dimension: 3, data: { kind: 'folder', folder }, steps: 1, batch: 1 }), options, silentJob);
    expect(result.model.dimension).toBe(3);
    const reasons = Object.fromEntries(result.skipped.map((s) => [path.basename(s.source), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['broken.nii.gz', 'slice.png']);
    expect(reasons['slice.png']).toMatch(/a 2D image cannot train a 3D model/);
    expect(reasons['broken.nii.gz']).toMatch(/^broken\.nii\.gz: /);
    // Prepared once: a second run finds the scan in the cache.
    const again = await runTrainingJob(small('from-scans-again', { dimension: 3, data: { kind: 'folder', folder }, steps: 1, batch: 1 }), options, silentJob);
    expect(again.model.card).toMatchObject({ training: { data: expect.stringMatching(/^1 scans from/) } });
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
