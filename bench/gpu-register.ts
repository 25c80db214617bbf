// Registration on a GPU machine that has no npm packages: the engine's registration stages
// (registerImages, everything between reading and writing files) timed on each backend in the
// same run, on the bench's brain pair resampled to 2 mm.
//
//   prepare (here, where the data and itk-wasm are):
//     node --import tsx bench/gpu-register.ts prepare KIT
//   the kit's runner is this file bundled (scripts/build-gpu-kit.mjs); on the GPU machine:
//     node KIT/gpu-register.mjs run KIT OUT.json webgpu wasm
//
// Each backend registers twice: the first run pays for shader compilation and warm-up, the
// second is what a user's next registration costs. Both are reported.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../shared/geometry/grid';
import type { ScalarImage } from '../shared/image/voxel-image';
import { affineFromLinearAndTranslation } from '../shared/transforms/transform';
import { identityMatrix } from '../shared/math/matrix';
import type { BackendPreference } from '../main/engine/compute/backend';
import { selectComputeBackend } from '../main/engine/compute/backend';
import { registerImages } from '../main/engine/registration/register-images';
import type { RegistrationInputs } from '../main/engine/registration/result';
import type { JobContext } from '../main/engine/job-context';
import { silentJob } from '../main/engine/job-context';

const roles = ['fixed', 'moving', 'fixedLabels', 'movingLabels'] as const;
type Role = (typeof roles)[number];

/** The grid of `grid`'s extent at `spacing` mm (same origin and direction). */
function gridAt(grid: ImageGrid, spacing: number): ImageGrid {
  const size = grid.size.map((n, a) => Math.max(1, Math.round((n * grid.spacing[a]) / spacing)));
  return { ...grid, size, spacing: size.map(() => spacing) };
}

async function prepare(kit: string): Promise<void> {
  const { readImageFile } = await import('../main/engine/io');
  const { resampleImage } = await import('../main/engine/resample/resample-image');
  const { generateSyntheticPair } = await import('../main/engine/synthetic/synthetic-pair');
  await selectComputeBackend('auto');
  const brain = (await readImageFile('/usr/share/mricron/templates/ch2bet.nii.gz')).image;
  const aal = (await readImageFile('/usr/share/mricron/templates/aal.nii.gz')).image;
  const pair = await generateSyntheticPair(brain, aal, { seed: 1 });
  const d = brain.grid.size.length;
  const identity = affineFromLinearAndTranslation(identityMatrix(d), new Array<number>(d).fill(0));
  const grid = gridAt(brain.grid, 2);
  const images: Record<Role, ScalarImage> = { fixed: brain, moving: pair.moving, fixedLabels: aal, movingLabels: pair.movingLabels! };
  const folder = path.join(kit, 'brain-2mm');
  await mkdir(folder, { recursive: true });
  for (const role of roles) {
    const labels = role.endsWith('Labels');
    const resampled = resampleImage(images[role], grid, identity, labels ? 'nearest' : 'linear');
    const pixels = Float32Array.from(resampled.pixels);
    await writeFile(path.join(folder, `${role}.json`), JSON.stringify({ grid, labels }));
    await writeFile(path.join(folder, `${role}.f32.gz`), gzipSync(Buffer.from(pixels.buffer)));
  }
  console.log(`wrote ${folder}: ${grid.size.join('×')} at 2 mm`);
}

async function readInputs(folder: string): Promise<RegistrationInputs> {
  const read = async (role: Role): Promise<ScalarImage> => {
    const { grid } = JSON.parse(await readFile(path.join(folder, `${role}.json`), 'utf8')) as { grid: ImageGrid };
    const bytes = gunzipSync(await readFile(path.join(folder, `${role}.f32.gz`)));
    return { grid, pixels: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
  };
  return { fixed: await read('fixed'), moving: await read('moving'), fixedLabels: await read('fixedLabels'), movingLabels: await read('movingLabels') };
}

/** Each stage's entry on stderr, so that a run cut short by its time limit shows where it was. */
function stageLog(start: number): JobContext {
  let last = '';
  return {
    ...silentJob,
    progress: (p) => {
      if (p.stage === last) return;
      last = p.stage;
      console.error(`  ${((performance.now() - start) / 1000).toFixed(2)} s: ${p.stage}`);
    },
  };
}

async function run(kit: string, out: string, backends: string[]): Promise<void> {
  const inputs = await readInputs(path.join(kit, 'brain-2mm'));
  const rows: Record<string, unknown>[] = [];
  for (const backend of backends) {
    try {
      const info = await selectComputeBackend(backend as BackendPreference);
      // A third run on WebGPU submits its command buffers in batches of 128 dispatches rather
      // than tfjs's 15: the host's cost per dispatch is what bounds these runs.
      const attempts = info.name === 'webgpu' ? ['first', 'second', 'submit batch 128'] : ['first', 'second'];
      for (const attempt of attempts) {
        if (attempt === 'submit batch 128') tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 128);
        const start = performance.now();
        const result = await registerImages(inputs, { backend: backend as BackendPreference }, stageLog(start));
        const seconds = (performance.now() - start) / 1000;
        const row = {
          backend: info.name,
          detail: info.detail,
          attempt,
          seconds: Number(seconds.toFixed(3)),
          stages: result.timings,
          size: inputs.fixed.grid.size,
          workingGrid: result.workingGrid.size,
          diceBefore: result.metrics.diceBefore?.mean,
          diceAfter: result.metrics.diceAfter?.mean,
          foldPercent: result.metrics.foldPercent,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    } catch (error) {
      const row = { backend, error: (error as Error).message.split('\n')[0] };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  await writeFile(out, JSON.stringify(rows, null, 2));
}

const [mode, kit, out, ...backends] = process.argv.slice(2);
if (mode === 'prepare' && kit) await prepare(kit);
else if (mode === 'run' && kit && out) await run(kit, out, backends.length ? backends : ['webgpu', 'wasm']);
else {
  console.error('usage: gpu-register prepare KIT | run KIT OUT.json [BACKEND...]');
  process.exitCode = 64;
}
process.exit();
