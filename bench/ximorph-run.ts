// One XiMorph registration as the benchmark measures it, in its own process: load the images,
// register, write the results. The parent times the process from start to exit and reads its
// peak memory, so this is the end-to-end cost a user pays.
//
//   node --import tsx bench/ximorph-run.ts <out-dir> <fixed> <moving> [moving-labels] [--fixed-labels f]
//        [--backend b] [--resolution mm] [--iterations n]
// Writes, through the engine's IO layer (atomic; .nii.gz gzipped in parallel): warped.nii.gz,
// warped-labels.nii.gz (when labels are given), deformable.nii (the displacement field,
// uncompressed: 85 MB of floats take 1.9 s to gzip here, 0.5 s to write as they are),
// affine.json, and result.json (metrics, timings from load to files written, backend).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readImageFile, writeScalarImage, writeVectorImage } from '../main/engine/io';
import { registerImages } from '../main/engine/registration/register-images';
import type { OptimizationLevel } from '../main/engine/registration/parameters';
import { defaultParameters } from '../main/engine/registration/parameters';
import type { BackendPreference } from '../main/engine/compute/backend';
import { selectComputeBackend } from '../main/engine/compute/backend';
import { pointMap } from '../shared/transforms/transform';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: 'string' },
    resolution: { type: 'string' },
    iterations: { type: 'string' },
    'fixed-labels': { type: 'string' },
    parameters: { type: 'string' },
    point: { type: 'string' },
  },
});
const [out, fixedPath, movingPath, movingLabelsPath] = positionals;
// The compute backend starts with the engine (the worker selects it at start-up, before any
// request), so it is ready before the clock starts, as it is for a user pressing Register.
const backend = await selectComputeBackend((values.backend as BackendPreference | undefined) ?? 'auto');
const started = performance.now();
const read = async (file: string | undefined) => (file ? (await readImageFile(file)).image : undefined);
// One after another: concurrent itk-wasm reads each grow their own heap (measured +400 MB peak).
const fixed = await read(fixedPath);
const moving = await read(movingPath);
const movingLabels = await read(movingLabelsPath);
const fixedLabels = await read(values['fixed-labels']);
if (!fixed || !moving) throw new Error('usage: ximorph-run.ts <out-dir> <fixed> <moving> [moving-labels]');
const loaded = performance.now();
const extra = values.parameters ? JSON.parse(values.parameters) : {};
/** --iterations n: every optimization level runs n iterations. */
const withIterations = (n: number) => (extra.optimization?.levels ?? defaultParameters.optimization.levels).map((l: OptimizationLevel) => ({ ...l, iterations: n }));
const result = await registerImages(
  { fixed, moving, movingLabels, fixedLabels },
  {
    ...extra,
    backend: backend.name,
    ...(values.resolution ? { resolutionMm: Number(values.resolution) } : {}),
    ...(values.iterations ? { optimization: { ...extra.optimization, levels: withIterations(Number(values.iterations)) } } : {}),
  },
);
const registered = performance.now();
const dimension = fixed.grid.size.length;
await Promise.all([
  writeScalarImage(path.join(out, 'warped.nii.gz'), result.warpedMoving),
  result.warpedMovingLabels ? writeScalarImage(path.join(out, 'warped-labels.nii.gz'), result.warpedMovingLabels) : undefined,
  writeVectorImage(path.join(out, 'deformable.nii'), { grid: result.deformable.grid, components: dimension, pixels: result.deformable.vectors }),
  writeFile(path.join(out, 'affine.json'), JSON.stringify(result.affine)),
]);
const written = performance.now();
const { metrics, timings, memory, featurizer, workingGrid, parameters } = result;
// Where the full map sends a given point, and the affine's rotation (2D): for known transforms.
const point = values.point?.split(',').map(Number);
const m = result.affine.matrix;
const knownPoint = point && { image: pointMap(result.transform)(point), angleDegrees: (Math.atan2(m[3] - m[1], m[0] + m[4]) * 180) / Math.PI };
await writeFile(
  path.join(out, 'result.json'),
  JSON.stringify(
    {
      metrics: { ...metrics, diceBefore: metrics.diceBefore?.mean, diceAfter: metrics.diceAfter?.mean, dicePerLabel: metrics.diceAfter?.perLabel },
      timings: { load: (loaded - started) / 1000, ...timings, register: (registered - loaded) / 1000, write: (written - registered) / 1000, endToEnd: (written - started) / 1000 },
      memory,
      knownPoint,
      backend: result.backend,
      featurizer,
      workingGrid,
      parameters,
    },
    null,
    1,
  ),
);
