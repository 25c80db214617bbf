// The bridge between grids (physical space) and tensors (channels-last arrays). A tensor on a
// grid has shape [z, y, x, c] or [y, x, c]: the grid's size reversed, so that x is fastest as in
// ITK's memory layout. Points are rows (x, y[, z]) of continuous indices.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorldMatrix, voxelCount, worldToIndexMatrix } from '../../../shared/geometry/grid';
import { identityMatrix, invertMatrix, multiplyMatrices } from '../../../shared/math/matrix';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { toFloat32 } from '../../../shared/image/voxel-image';
import { affineRows } from '../compute/affine-rows';
import { slabPointValues } from '../compute/slab-resampling';

export function tensorShapeOf(grid: ImageGrid, channels: number): number[] {
  return [...grid.size].reverse().concat(channels);
}

export function imageToTensor(image: ScalarImage): tf.Tensor {
  return tf.tensor(toFloat32(image.pixels), tensorShapeOf(image.grid, 1), 'float32');
}

/** Homogeneous matrix from `from`'s continuous index to `to`'s, through world space and an
 * optional world-to-world affine applied in between (a point of `from`'s world maps by it). */
export function indexToIndexMatrix(from: ImageGrid, to: ImageGrid, worldAffine?: readonly number[]): number[] {
  const d = from.size.length;
  const middle = worldAffine ?? identityMatrix(d + 1);
  return multiplyMatrices(worldToIndexMatrix(to), multiplyMatrices(middle, indexToWorldMatrix(from)));
}

/** The D×D linear map taking a vector in world mm to the grid's index units. */
export function worldVectorToIndexMatrix(grid: ImageGrid): number[] {
  const d = grid.size.length;
  const m: number[] = [];
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) m.push(grid.direction[r * d + c] * grid.spacing[c]);
  return invertMatrix(m);
}

/** Multiplies rows of `vectors` ([n, D]) by a D×D row-major matrix: out_i = M · v_i. */
export function transformVectors(vectors: tf.Tensor, matrix: readonly number[]): tf.Tensor {
  return affineRows(vectors, matrix);
}

/** The D×D linear part (row-major) and the offset of a homogeneous (D+1)² matrix. */
export function homogeneousParts(homogeneous: readonly number[], d: number): { linear: number[]; offset: number[] } {
  const linear: number[] = [];
  const offset: number[] = [];
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) linear.push(homogeneous[r * (d + 1) + c]);
    offset.push(homogeneous[r * (d + 1) + d]);
  }
  return { linear, offset };
}

/** Applies a homogeneous (D+1)² matrix to rows of points ([n, D]). */
export function transformPoints(points: tf.Tensor, homogeneous: readonly number[]): tf.Tensor {
  const { linear, offset } = homogeneousParts(homogeneous, points.shape[points.rank - 1]);
  return affineRows(points, linear, offset);
}

/**
 * Index points of the voxels in slices [first, last) of the slowest axis (z in 3D, y in 2D),
 * mapped through a homogeneous matrix, as a flat [n·D] array. Generated on the host because it
 * is a pure function of the grid: cheaper to write than to compute with tensor ops.
 */
export function slabPoints(size: readonly number[], first: number, last: number, homogeneous: readonly number[]): Float32Array {
  return slabPointValues({ size, first, last }, homogeneous);
}

/** Every voxel's index point of `grid` mapped through `homogeneous`, as an [n, D] tensor. */
export function gridPointsTensor(grid: ImageGrid, homogeneous: readonly number[]): tf.Tensor2D {
  const d = grid.size.length;
  return tf.tensor2d(slabPoints(grid.size, 0, grid.size[d - 1], homogeneous), [voxelCount(grid), d]);
}

/**
 * Splits the slowest axis into slabs of about `voxelsPerSlab` voxels, so that full-resolution
 * work (7 M voxels for a 1 mm brain) runs in bounded memory.
 */
export function slabs(grid: ImageGrid, voxelsPerSlab = 1 << 20): [number, number][] {
  const d = grid.size.length;
  const perSlice = grid.size.slice(0, d - 1).reduce((a, b) => a * b, 1);
  const step = Math.max(1, Math.floor(voxelsPerSlab / perSlice));
  const out: [number, number][] = [];
  for (let s = 0; s < grid.size[d - 1]; s += step) out.push([s, Math.min(grid.size[d - 1], s + step)]);
  return out;
}

/**
 * Runs `compute` in a tidy scope and copies its result to the host, asynchronously: a GPU
 * backend (WebGPU) can only read back that way. (Returning the typed array from tf.tidy itself
 * would make tidy walk every element looking for tensors.)
 */
export async function readToHost(compute: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(compute);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}
