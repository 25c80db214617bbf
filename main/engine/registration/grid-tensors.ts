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

/** Applies a homogeneous (D+1)² matrix to rows of points ([n, D]). */
export function transformPoints(points: tf.Tensor, homogeneous: readonly number[]): tf.Tensor {
  const d = points.shape[points.rank - 1];
  const n = d + 1;
  const linear: number[] = [];
  const offset: number[] = [];
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) linear.push(homogeneous[r * n + c]);
    offset.push(homogeneous[r * n + d]);
  }
  return affineRows(points, linear, offset);
}

/**
 * Index points of the voxels in slices [first, last) of the slowest axis (z in 3D, y in 2D),
 * mapped through a homogeneous matrix, as a flat [n·D] array. Generated on the host because it
 * is a pure function of the grid: cheaper to write than to compute with tensor ops.
 */
export function slabPoints(size: readonly number[], first: number, last: number, homogeneous: readonly number[]): Float32Array {
  // Treat 2D as 3D with one slice: (x, y) ↦ (x, y, 0); the slab runs along y then.
  const d = size.length;
  const n = d + 1;
  const m = (r: number, c: number) => (r < d && c < d ? homogeneous[r * n + c] : 0);
  const t = (r: number) => (r < d ? homogeneous[r * n + d] : 0);
  const [nx, ny] = d === 3 ? [size[0], size[1]] : [size[0], last - first];
  const [z0, z1] = d === 3 ? [first, last] : [0, 1];
  const y0 = d === 3 ? 0 : first;
  const out = new Float32Array(nx * ny * (z1 - z0) * d);
  let o = 0;
  for (let z = z0; z < z1; z++)
    for (let y = y0; y < y0 + ny; y++) {
      // The row start, then one column step per x: the map is affine.
      let p0 = t(0) + m(0, 1) * y + m(0, 2) * z;
      let p1 = t(1) + m(1, 1) * y + m(1, 2) * z;
      let p2 = t(2) + m(2, 1) * y + m(2, 2) * z;
      const s0 = m(0, 0), s1 = m(1, 0), s2 = m(2, 0);
      for (let x = 0; x < nx; x++) {
        out[o++] = p0;
        out[o++] = p1;
        if (d === 3) out[o++] = p2;
        p0 += s0;
        p1 += s1;
        p2 += s2;
      }
    }
  return out;
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
