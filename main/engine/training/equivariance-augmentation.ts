// The equivariance augmentation of feature-map inverse-consistency training: warp the input by
// a random transform W, featurize, and warp the features back, F(y) = G(W⁻¹(y)), so that a
// network can only lower the loss with features that move with the anatomy. Two kinds of W,
// each switchable to reproduce the known failure modes:
//   - a small random affine (about 5 %), around the grid's centre: alone, the network learns
//     region codes;
//   - rolling, a random cyclic shift with wraparound: every voxel may land anywhere, so
//     position cannot be read from the distance to the border.
// With neither, the network can encode position and the loss falls to 0 while it learns
// nothing about anatomy.
//
// W(x) = A(x − r): roll by r, then the affine A, both in voxel indices. Rolling is exact
// (slices); the affine resamples linearly.

import * as tf from '@tensorflow/tfjs-core';
import { invertMatrix } from '../../../shared/math/matrix';
import { gridSample } from '../compute/grid-sample';

export interface AugmentationOptions {
  readonly affine: boolean;
  readonly roll: boolean;
  /** Largest deviation of the affine's linear part from the identity, and of its shift as a fraction of the size. */
  readonly affineStrength: number;
}

export interface AugmentationDraw {
  /** Homogeneous (d+1)² matrix of A on voxel indices (x, y[, z]): output voxel → input point. */
  readonly affine: readonly number[];
  /** The cyclic shift r per tensor axis (z, y, x order: the tensor's). */
  readonly shift: readonly number[];
}

/** Spatial sizes of a [..., spatial, channels] tensor, in (x, y, z) order. */
const sizeXyz = (tensor: tf.Tensor) => tensor.shape.slice(0, tensor.rank - 1).reverse();

export function drawAugmentation(sizeXYZ: readonly number[], options: AugmentationOptions, random: () => number): AugmentationDraw {
  const d = sizeXYZ.length;
  const n = d + 1;
  const affine = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) affine[i * n + i] = 1;
  if (options.affine) {
    const s = options.affineStrength;
    const centre = sizeXYZ.map((v) => (v - 1) / 2);
    const linear: number[] = [];
    for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) linear.push((r === c ? 1 : 0) + s * (2 * random() - 1));
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) affine[r * n + c] = linear[r * d + c];
      // A(x) = L(x − centre) + centre + t
      let offset = centre[r] + s * sizeXYZ[r] * (2 * random() - 1);
      for (let c = 0; c < d; c++) offset -= linear[r * d + c] * centre[c];
      affine[r * n + d] = offset;
    }
  }
  const shift = [...sizeXYZ].reverse().map((size) => (options.roll ? Math.floor(random() * size) : 0));
  return { affine, shift };
}

/** y[i] = x[i − shift] along each spatial axis, cyclically. */
export function roll(x: tf.Tensor, shift: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    let y = x;
    shift.forEach((raw, axis) => {
      const size = y.shape[axis];
      const s = ((raw % size) + size) % size;
      if (s === 0) return;
      const begin = y.shape.map(() => 0);
      const head = y.shape.slice();
      head[axis] = size - s;
      const tailBegin = begin.slice();
      tailBegin[axis] = size - s;
      const tail = y.shape.slice();
      tail[axis] = s;
      y = tf.concat([tf.slice(y, tailBegin, tail), tf.slice(y, begin, head)], axis);
    });
    return y;
  });
}

/** Continuous indices (x, y[, z]) of every voxel of a grid, x fastest: [voxels, d]. */
function voxelIndices(sizeXYZ: readonly number[]): Float32Array {
  const d = sizeXYZ.length;
  const count = sizeXYZ.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * d);
  const index = new Array<number>(d).fill(0);
  for (let v = 0; v < count; v++) {
    for (let a = 0; a < d; a++) out[v * d + a] = index[a];
    for (let a = 0; a < d && ++index[a] === sizeXYZ[a]; a++) index[a] = 0;
  }
  return out;
}

/** Applies a homogeneous matrix to rows of points on the host. */
export function mapPoints(matrix: readonly number[], points: Float32Array, d: number): Float32Array {
  const n = d + 1;
  const out = new Float32Array(points.length);
  for (let p = 0; p < points.length; p += d)
    for (let r = 0; r < d; r++) {
      let v = matrix[r * n + d];
      for (let c = 0; c < d; c++) v += matrix[r * n + c] * points[p + c];
      out[p + r] = v;
    }
  return out;
}

/** The augmented input J(x) = I(W(x)): [..., spatial, 1] on the same grid. */
export function warpInput(image: tf.Tensor, draw: AugmentationDraw): tf.Tensor {
  return tf.tidy(() => {
    const size = sizeXyz(image);
    const d = size.length;
    const warped = tf.reshape(gridSample(image, tf.tensor2d(mapPoints(draw.affine, voxelIndices(size), d), [size.reduce((a, b) => a * b, 1), d]), { padding: 'border' }), image.shape);
    return roll(warped, draw.shift);
  });
}

/**
 * The features of the augmented input carried back to the original grid, at the given voxel
 * positions ([k, d], (x, y[, z])): F(y) = G(W⁻¹(y)) = roll(G, −r)(A⁻¹(y)). Differentiable
 * with respect to the features. Returns [k, channels].
 */
export function unwarpedFeaturesAt(features: tf.Tensor, draw: AugmentationDraw, positions: Float32Array): tf.Tensor2D {
  return tf.tidy(() => {
    const d = features.rank - 1;
    const unrolled = roll(features, draw.shift.map((s) => -s));
    const points = mapPoints(invertMatrix(draw.affine), positions, d);
    return gridSample(unrolled, tf.tensor2d(points, [positions.length / d, d]));
  });
}

/** Whether a voxel's features can be carried back: A⁻¹(y) lies inside the grid. */
export function carriedBack(draw: AugmentationDraw, sizeXYZ: readonly number[]): (position: readonly number[]) => boolean {
  const inverse = invertMatrix(draw.affine);
  const d = sizeXYZ.length;
  return (position) => {
    const p = mapPoints(inverse, Float32Array.from(position), d);
    for (let a = 0; a < d; a++) if (!(p[a] >= 0 && p[a] <= sizeXYZ[a] - 1)) return false;
    return true;
  };
}
