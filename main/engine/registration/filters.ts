// Linear filters on channels-last 2D/3D tensors: separable Gaussian smoothing (plain and
// normalized by weights), box filtering, and downsampling by block averaging. Each spatial axis
// is reached by a reshape that makes it the height or width of a depthwise 2D convolution, so one
// code path serves 2D and 3D and XNNPACK does the arithmetic.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld } from '../../../shared/geometry/grid';
import { blockMeanKernel, hasBlockMeanKernel } from '../compute/block-mean-loops';
import { boxFilterKernel, hasBoxFilterKernel } from '../compute/box-filter';

/** Convolves along one spatial axis (0 = x, 1 = y, 2 = z) with a 1D kernel, zero padding. */
export function convolveAxis(t: tf.Tensor, kernel: readonly number[], axis: number): tf.Tensor {
  return tf.tidy(() => {
    const dims = t.rank - 1;
    const spatial = t.shape.slice(0, dims); // [z, y, x] or [y, x]
    const c = t.shape[dims];
    const k = kernel.length;
    const position = dims - 1 - axis; // axis's place in the tensor shape
    const before = spatial.slice(0, position).reduce((a, b) => a * b, 1);
    const length = spatial[position];
    const after = spatial.slice(position + 1).reduce((a, b) => a * b, 1);
    // [before, length, after, c]: convolve along "height".
    const x = tf.reshape(t, [before, length, after, c]) as tf.Tensor4D;
    const filter = tf.tile(tf.reshape(tf.tensor1d(kernel as number[]), [k, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(x, filter, 1, 'same');
    return tf.reshape(y, t.shape);
  });
}

export function gaussianKernel(sigma: number): number[] {
  const radius = Math.max(1, Math.ceil(2.5 * sigma));
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

function separable(t: tf.Tensor, kernel: readonly number[]): tf.Tensor {
  let out = t;
  for (let axis = 0; axis < t.rank - 1; axis++) {
    const next = convolveAxis(out, kernel, axis);
    if (out !== t) out.dispose();
    out = next;
  }
  return out;
}

/**
 * Gaussian smoothing in voxels, normalized by the smoothed weights so that edges and
 * low-confidence voxels do not drag values towards zero: Σ w·v / Σ w over the kernel.
 * `weights` has one channel (or is omitted for uniform weights).
 */
export function smoothNormalized(t: tf.Tensor, sigmaVoxels: number, weights?: tf.Tensor): tf.Tensor {
  if (sigmaVoxels <= 0) return t.clone();
  return tf.tidy(() => {
    const kernel = gaussianKernel(sigmaVoxels);
    const w = weights ?? tf.ones([...t.shape.slice(0, t.rank - 1), 1]);
    const num = separable(tf.mul(t, w), kernel);
    const den = separable(w, kernel);
    return tf.div(num, tf.maximum(den, 1e-6));
  });
}

/**
 * Mean over a (2r+1)^D box, zero padded (callers pad first where edges matter). Running sums
 * where the backend has the kernel; not differentiable there (nothing trains through it).
 */
export function boxFilter(t: tf.Tensor, radius: number, options: { implementation?: 'auto' | 'composite' } = {}): tf.Tensor {
  if (options.implementation !== 'composite' && hasBoxFilterKernel()) return boxFilterKernel(t, radius);
  const k = new Array<number>(2 * radius + 1).fill(1 / (2 * radius + 1));
  return separable(t, k);
}

/** A block factor per axis (x, y[, z]), from one factor for all axes or a list. */
function factorsOf(factor: number | readonly number[], dims: number): number[] {
  return typeof factor === 'number' ? new Array<number>(dims).fill(factor) : [...factor];
}

/** The grid of block averages of factor(s) voxels per axis; the last block may be partial. */
export function downsampledGrid(grid: ImageGrid, factor: number | readonly number[]): ImageGrid {
  const k = factorsOf(factor, grid.size.length);
  const size = grid.size.map((n, a) => Math.max(1, Math.ceil(n / k[a])));
  const origin = indexToWorld(
    grid,
    k.map((f) => (f - 1) / 2),
  );
  return { size, spacing: grid.spacing.map((s, a) => s * k[a]), origin, direction: grid.direction.slice() };
}

/** Block averages of factor(s) voxels per axis (x, y[, z]); the far edge is padded by
 * mirroring to whole blocks. Exact anti-aliasing for integer spacing ratios. One loop where the
 * backend has the kernel (block-mean-loops.ts); not differentiable there. */
export function downsampleByAveraging(t: tf.Tensor, factor: number | readonly number[], options: { implementation?: 'auto' | 'composite' } = {}): tf.Tensor {
  const dims = t.rank - 1;
  const k = factorsOf(factor, dims).reverse(); // tensor axis order (z, y, x)
  if (k.every((f) => f === 1)) return t.clone();
  if (options.implementation !== 'composite' && hasBlockMeanKernel()) {
    const [fx, fy, fz = 1] = factorsOf(factor, dims);
    return blockMeanKernel(t, [fx, fy, fz]);
  }
  return tf.tidy(() => {
    const missing = (x: tf.Tensor) => x.shape.slice(0, dims).map((n, i) => [0, Math.min(n, Math.ceil(n / k[i]) * k[i] - n)] as [number, number]);
    let x = t;
    // Repeated padding where a block is wider than the whole axis (tiny images).
    while (missing(x).some(([, after]) => after > 0)) x = tf.mirrorPad(x, [...missing(x), [0, 0]], 'symmetric');
    const batched = tf.expandDims(x, 0);
    const pooled =
      dims === 3
        ? tf.avgPool3d(batched as tf.Tensor5D, k as [number, number, number], k as [number, number, number], 'valid')
        : tf.avgPool(batched as tf.Tensor4D, k as [number, number], k as [number, number], 'valid');
    return tf.squeeze(pooled, [0]);
  });
}
