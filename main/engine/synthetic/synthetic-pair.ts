// The project's synthetic-pair generator: a moving image made from a fixed one by a known smooth
// deformation plus the usual nuisances of real scans, deterministic from a seed.
//   deformation — a stationary velocity field w, smooth at a few centimetres; the truth is
//                 T = exp(w) (fixed → moving) and the moving image is fixed ∘ exp(−w), so that
//                 moving(T(x)) = fixed(x). Scaled to a target mean displacement in the
//                 foreground and capped at a maximum.
//   bias field  — a smooth multiplicative field exp(b).
//   gamma       — intensities I ↦ max·(I/max)^γ.
//   noise       — Gaussian, a fraction of the 99th-percentile intensity.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import type { PixelArray, ScalarImage } from '../../../shared/image/voxel-image';
import type { DisplacementFieldTransform } from '../../../shared/transforms/transform';
import { finiteRange, percentiles } from '../../../shared/image/statistics';
import { gridSample } from '../compute/grid-sample';
import { integrateVelocity, sampleField } from '../registration/fields/displacement-fields';
import { imageToTensor, indexToIndexMatrix, readToHost, slabPoints, slabs, transformVectors, worldVectorToIndexMatrix } from '../registration/grid-tensors';
import type { GridTensor } from '../registration/levels';
import { seededGaussian, seededRandom } from '../registration/random';
import { smoothRandomField } from './smooth-random-field';

export interface SyntheticPairOptions {
  readonly seed: number;
  /** Mean displacement over the foreground, mm. */
  readonly meanDisplacementMm: number;
  /** Largest displacement anywhere, mm. */
  readonly maxDisplacementMm: number;
  /** Spatial scale of the deformation (Gaussian smoothing of the velocity), mm. */
  readonly smoothnessMm: number;
  /** Standard deviation of the log bias field. */
  readonly biasStrength: number;
  /** γ is drawn uniformly in [1 − gammaSpread, 1 + gammaSpread]. */
  readonly gammaSpread: number;
  /** Noise standard deviation as a fraction of the 99th-percentile intensity. */
  readonly noiseFraction: number;
}

export const defaultSyntheticOptions: SyntheticPairOptions = {
  seed: 1,
  meanDisplacementMm: 3,
  maxDisplacementMm: 10,
  smoothnessMm: 12,
  biasStrength: 0.1,
  gammaSpread: 0.15,
  noiseFraction: 0.02,
};

export interface SyntheticPair {
  readonly moving: ScalarImage<Float32Array>;
  readonly movingLabels?: ScalarImage;
  /** T: fixed → moving, so that moving(T(x)) = fixed(x) up to the nuisances. */
  readonly truth: DisplacementFieldTransform;
  /** T⁻¹ on the same grid. */
  readonly inverseTruth: DisplacementFieldTransform;
  readonly summary: { meanDisplacementMm: number; maxDisplacementMm: number; gamma: number; seed: number };
}

/** Voxels brighter than 5% of the range: where the mean displacement is measured. */
function foregroundOf(image: ScalarImage): Uint8Array {
  const { min, max } = finiteRange(image.pixels);
  const threshold = min + 0.05 * (max - min);
  const mask = new Uint8Array(image.pixels.length);
  for (let i = 0; i < mask.length; i++) mask[i] = image.pixels[i] > threshold ? 1 : 0;
  return mask;
}

/** A control-grid field sampled at every voxel of `grid`, slab by slab: [n·D]. */
async function denseField(field: GridTensor, grid: ImageGrid): Promise<Float32Array> {
  const d = grid.size.length;
  const out = new Float32Array(voxelCount(grid) * d);
  const toField = indexToIndexMatrix(grid, field.grid);
  let offset = 0;
  for (const [first, last] of slabs(grid)) {
    const points = slabPoints(grid.size, first, last, toField);
    out.set(await readToHost(() => sampleField(field, tf.tensor2d(points, [points.length / d, d]))), offset);
    offset += points.length;
  }
  return out;
}

/** Values of `image` at x + u(x) for every voxel x of its grid (u dense, world mm). */
async function warpDense(image: ScalarImage, displacement: Float32Array, interpolation: 'linear' | 'nearest'): Promise<PixelArray> {
  const grid = image.grid;
  const d = grid.size.length;
  const out = new (image.pixels.constructor as new (n: number) => PixelArray)(voxelCount(grid));
  const source = imageToTensor(image);
  const identity = indexToIndexMatrix(grid, grid);
  let offset = 0;
  try {
    for (const [first, last] of slabs(grid)) {
      const points = slabPoints(grid.size, first, last, identity);
      const n = points.length / d;
      const values = await readToHost(() => {
        const u = tf.tensor2d(displacement.subarray(offset * d, (offset + n) * d), [n, d]);
        const moved = tf.add(tf.tensor2d(points, [n, d]), transformVectors(u, worldVectorToIndexMatrix(grid)));
        return gridSample(source, moved as tf.Tensor2D, { interpolation });
      });
      out.set(interpolation === 'nearest' ? values.map(Math.round) : values, offset);
      offset += n;
    }
  } finally {
    source.dispose();
  }
  return out;
}

/** Mean and largest displacement over the foreground. */
function magnitudeStats(displacement: ArrayLike<number>, d: number, mask: ArrayLike<number>): { mean: number; max: number } {
  let sum = 0;
  let count = 0;
  let max = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!(mask[i] > 0)) continue;
    let m = 0;
    for (let a = 0; a < d; a++) m += displacement[i * d + a] ** 2;
    m = Math.sqrt(m);
    if (m > max) max = m;
    sum += m;
    count++;
  }
  return { mean: count ? sum / count : 0, max };
}

/** The foreground on a coarse grid: nearest neighbour of the fine mask. */
function maskOnGrid(mask: Uint8Array, fine: ImageGrid, coarse: ImageGrid): Promise<Float32Array> {
  const d = fine.size.length;
  const points = slabPoints(coarse.size, 0, coarse.size[d - 1], indexToIndexMatrix(coarse, fine));
  return readToHost(() =>
    gridSample(tf.tensor(Float32Array.from(mask), [...[...fine.size].reverse(), 1]), tf.tensor2d(points, [points.length / d, d]), { interpolation: 'nearest' }),
  );
}

/** Asynchronous because a GPU backend reads back to the host only that way. */
export async function generateSyntheticPair(fixed: ScalarImage, labels: ScalarImage | undefined, options: Partial<SyntheticPairOptions> = {}): Promise<SyntheticPair> {
  const o = { ...defaultSyntheticOptions, ...options };
  const grid = fixed.grid;
  const d = grid.size.length;
  const mask = foregroundOf(fixed);
  const velocity = smoothRandomField(grid, Math.max(4, o.smoothnessMm / 3), o.smoothnessMm, d, o.seed);
  const integrated = (scale: number): GridTensor => {
    const scaled = tf.mul(velocity.tensor, scale);
    const tensor = integrateVelocity({ grid: velocity.grid, tensor: scaled }, 7);
    scaled.dispose();
    return { grid: velocity.grid, tensor };
  };
  let truth: Float32Array;
  let inverse: Float32Array;
  try {
    // Scale the velocity until the displacement has the target mean in the foreground, within
    // the cap. The map is nonlinear in the scale, so a few rounds, measured on the coarse grid.
    const coarseMask = await maskOnGrid(mask, grid, velocity.grid);
    let scale = o.meanDisplacementMm;
    for (let round = 0; round < 6; round++) {
      const forward = integrated(scale);
      const stats = magnitudeStats(await forward.tensor.data(), d, coarseMask);
      forward.tensor.dispose();
      const next = Math.min(scale * (o.meanDisplacementMm / Math.max(stats.mean, 1e-6)), scale * (o.maxDisplacementMm / Math.max(stats.max, 1e-6)));
      if (Math.abs(next - scale) < 1e-3 * scale) break;
      scale = next;
    }
    const forward = integrated(scale);
    const backward = integrated(-scale);
    truth = await denseField(forward, grid);
    inverse = await denseField(backward, grid);
    tf.dispose([forward.tensor, backward.tensor]);
  } finally {
    velocity.tensor.dispose();
  }

  // moving(y) = fixed(T⁻¹(y)): sample the fixed image at y + u⁻¹(y).
  const warped = await warpDense(fixed, inverse, 'linear');
  const movingLabels = labels ? { grid: labels.grid, pixels: await warpDense(labels, inverse, 'nearest') } : undefined;

  const bias = smoothRandomField(grid, 16, 40, 1, o.seed + 101);
  const biasValues = await denseField(bias, grid).finally(() => bias.tensor.dispose());
  const random = seededRandom(o.seed + 202);
  const gamma = 1 + o.gammaSpread * (2 * random() - 1);
  const [, high] = percentiles(fixed.pixels, [0, 99]);
  const max = percentiles(fixed.pixels, [100])[0] || 1;
  const gaussian = seededGaussian(o.seed + 303);
  const noise = o.noiseFraction * high;
  const moving = new Float32Array(warped.length);
  for (let i = 0; i < warped.length; i++) {
    const v = Math.max(0, warped[i]);
    const toned = max * (v / max) ** gamma;
    moving[i] = toned * Math.exp(o.biasStrength * biasValues[i]) + noise * gaussian();
  }
  const stats = magnitudeStats(truth, d, mask);
  return {
    moving: { grid, pixels: moving },
    movingLabels,
    truth: { kind: 'displacement', grid, vectors: truth },
    inverseTruth: { kind: 'displacement', grid, vectors: inverse },
    summary: { meanDisplacementMm: stats.mean, maxDisplacementMm: stats.max, gamma, seed: o.seed },
  };
}
