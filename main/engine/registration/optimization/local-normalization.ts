// (I − μ) / σ with the local mean and deviation in a box: what local normalized
// cross-correlation compares, precomputed per image. Computed in JavaScript arrays rather than
// as tensors: at a 1 mm brain's full resolution each intermediate is 28 MB, and on the wasm
// backend the seven that tfjs held at once (the image, μ, the mean of squares, and the
// deviation's steps) grew the WebAssembly heap by 230 MB, which it never gives back. Here the
// intermediates are two arrays (reused from one image to the next), and only the result
// becomes a tensor.
//
// Every step is rounded to float32 as tfjs's ops round it (square, subtract, relu, add, sqrt,
// divide), and the box means are the backend's own running sums (compute/box-filter.ts), so
// the values are the ones the tensor ops gave.

import { boxMeanInPlace } from '../../compute/box-passes';
import { poolFloats, runWhereShared } from '../../compute/kernel-pool/kernel-pool';
import type { LocalNormalizationTask } from '../../compute/kernel-pool/pool-tasks';

const f32 = Math.fround;

/**
 * A deviation floor of 5% of the intensity range: flat background must not be blown up into
 * noise that the deformation then chases.
 */
const deviationFloorSquared = f32(0.05 ** 2);

/** Box mean of radius r over a [nz][ny][nx] volume (size x, y[, z]), zero padded, in place. */
function boxMean(values: Float32Array, size: readonly number[], radius: number): void {
  boxMeanInPlace(values, [size[0], size[1], size.length === 3 ? size[2] : 1], size.length, radius);
}

/** Two arrays of the image's length for the intermediates, reusable from one image to the next. */
export interface NormalizationScratch {
  readonly mean: Float32Array;
  readonly meanOfSquares: Float32Array;
}

/** In shared memory where there are kernel threads to box them. */
export function normalizationScratch(length: number): NormalizationScratch {
  return { mean: poolFloats(length), meanOfSquares: poolFloats(length) };
}

/**
 * Replaces `values` (one channel on a grid of `size`, x fastest) by its local normalization in
 * a box of radius `radius` voxels, and returns it.
 */
export function locallyNormalizeInPlace(values: Float32Array, size: readonly number[], radius: number, scratch = normalizationScratch(values.length)): Float32Array {
  const { mean, meanOfSquares } = scratch;
  if (mean.length !== values.length || meanOfSquares.length !== values.length) throw new Error('locallyNormalizeInPlace: scratch of another length');
  const task = { task: 'localNormalization', values, mean, meanOfSquares, floorSquared: deviationFloorSquared } as const;
  pointwise({ ...task, step: 'moments' });
  boxMean(mean, size, radius);
  boxMean(meanOfSquares, size, radius);
  pointwise({ ...task, step: 'normalize' });
  return values;
}

/** A pointwise step over every voxel: on the kernel threads where its arrays are shared (as the box passes). */
function pointwise(task: LocalNormalizationTask): void {
  runWhereShared(task, task.values.length, [task.values, task.mean, task.meanOfSquares]);
}

/** The box radius in voxels for a radius in mm: at least one voxel, on the finest axis. */
export function localRadiusVoxels(spacing: readonly number[], radiusMm: number): number {
  return Math.max(1, Math.round(radiusMm / Math.min(...spacing)));
}
