// Displacement fields as tensors on grids: u(x) in world mm (LPS) at every voxel x of the grid,
// [z, y, x, D] or [y, x, D]. The map is φ(x) = x + u(x). Warping, scaling and squaring,
// inversion and resampling are plain functions here, all through gridSample, so all are
// differentiable. A 2D field is the same code with D = 2.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import { invertMatrix } from '../../../../shared/math/matrix';
import { gridSample } from '../../compute/grid-sample';
import type { Padding } from '../../compute/grid-sample';
import { gridPointsTensor, indexToIndexMatrix, transformVectors, worldVectorToIndexMatrix } from '../grid-tensors';
import type { GridTensor } from '../levels';

export function zeroField(grid: ImageGrid): GridTensor {
  return { grid, tensor: tf.zeros([...[...grid.size].reverse(), grid.size.length]) };
}

/** Index points of `grid`'s voxels, [n, D]. */
export function voxelPoints(grid: ImageGrid): tf.Tensor2D {
  return gridPointsTensor(grid, indexToIndexMatrix(grid, grid));
}

/** Index points on `grid` displaced by world vectors `displacement` ([n, D] mm). */
export function displacedPoints(grid: ImageGrid, points: tf.Tensor, displacement: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.add(points, transformVectors(displacement, worldVectorToIndexMatrix(grid))) as tf.Tensor2D);
}

/** The field's vectors at index points of the field's own grid; constant beyond the edge. */
export function sampleField(field: GridTensor, points: tf.Tensor): tf.Tensor2D {
  return gridSample(field.tensor, points, { padding: 'border' });
}

/** The field on another grid (same world frame): its vectors read at the other grid's voxels. */
export function resampleField(field: GridTensor, grid: ImageGrid): GridTensor {
  const tensor = tf.tidy(() => {
    const points = gridPointsTensor(grid, indexToIndexMatrix(grid, field.grid));
    return tf.reshape(sampleField(field, points), [...[...grid.size].reverse(), grid.size.length]);
  });
  return { grid, tensor };
}

/**
 * Image (or features) on `field.grid` warped by the field: out(x) = image(x + u(x)), with the
 * image on the same grid as the field.
 */
export function warpOnGrid(image: tf.Tensor, field: GridTensor, padding: Padding = 'border'): tf.Tensor {
  return tf.tidy(() => {
    const d = field.grid.size.length;
    const points = voxelPoints(field.grid);
    const moved = displacedPoints(field.grid, points, tf.reshape(field.tensor, [-1, d]));
    const values = gridSample(image, moved, { padding });
    return tf.reshape(values, [...image.shape.slice(0, d), image.shape[d]]);
  });
}

/**
 * exp(v) − id for a stationary velocity field by scaling and squaring: u ← v / 2^n, then n times
 * u ← u + u ∘ (id + u). The result is a diffeomorphism whose inverse is exp(−v).
 */
export function integrateVelocity(velocity: GridTensor, steps: number): tf.Tensor {
  return tf.tidy(() => {
    const d = velocity.grid.size.length;
    const points = voxelPoints(velocity.grid);
    // In index units the squaring needs no conversion per step; the map is linear, so convert
    // once on the way in and once on the way out.
    const toIndex = worldVectorToIndexMatrix(velocity.grid);
    let u = transformVectors(tf.reshape(tf.div(velocity.tensor, 2 ** steps), [-1, d]), toIndex);
    for (let i = 0; i < steps; i++) u = tf.add(u, gridSample(tf.reshape(u, velocity.tensor.shape), tf.add(points, u) as tf.Tensor2D, { padding: 'border' }));
    return tf.reshape(transformVectors(u, invertMatrix(toIndex)), velocity.tensor.shape);
  });
}

/**
 * The inverse displacement w of u (x + w(x) + u(x + w(x)) = x) by the fixed-point iteration
 * w ← −u ∘ (id + w), which converges where u is a contraction (|∇u| < 1). Starts from −u, or
 * from `guess` (on the same grid) when a good one is at hand.
 */
export function invertField(field: GridTensor, iterations = 20, guess?: GridTensor): GridTensor {
  const tensor = tf.tidy(() => {
    const d = field.grid.size.length;
    const points = voxelPoints(field.grid);
    let w = guess ? tf.reshape(guess.tensor, [-1, d]) : tf.neg(tf.reshape(field.tensor, [-1, d]));
    for (let i = 0; i < iterations; i++) {
      // A scope per iteration: the outer one would keep every iteration's points and samples
      // (on a 1 mm brain's working grid, 100 MB of the wasm heap at the high-water mark).
      const next = tf.tidy(() => tf.neg(sampleField(field, displacedPoints(field.grid, points, w))));
      w.dispose();
      w = next;
    }
    return tf.reshape(w, field.tensor.shape);
  });
  return { grid: field.grid, tensor };
}

export function disposeField(field: GridTensor | undefined): void {
  field?.tensor.dispose();
}
