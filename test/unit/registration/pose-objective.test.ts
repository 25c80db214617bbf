// The alignment's step on the host (pose-objective.ts) against the same loss as tensor ops under
// tfjs's tape: T(x) = L (x − c) + c + t with L = R(δ) L₀ or (I + Δ) L₀, the moving image at T(x)
// of the fixed image's points, and 1 − NCC. One loss and one gradient, up to float rounding, on
// oblique, anisotropic and flipped grids in 2D and 3D, rigid and affine.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorldMatrix, voxelCount, worldToIndexMatrix } from '../../../shared/geometry/grid';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { gridSample } from '../../../main/engine/compute/grid-sample';
import { PoseObjective } from '../../../main/engine/registration/alignment/pose-objective';
import { rotationMatrix } from '../../../main/engine/registration/alignment/rotations';
import { transformPoints } from '../../../main/engine/registration/grid-tensors';
import { nccLoss } from '../../../main/engine/registration/losses/similarity';
import { seededRandom } from '../../../main/engine/registration/random';

function obliqueGrid(size: number[], spacing: number[], degrees: number, flip: number): ImageGrid {
  const t = (degrees * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  const direction = size.length === 3 ? [flip * c, -s, 0, flip * s, c, 0, 0, 0, 1] : [flip * c, -s, flip * s, c];
  // The grid's centre near the world's origin, so that both grids hold the same object.
  const d = size.length;
  const origin = Array.from({ length: d }, (_, r) => 0.5 * r - size.reduce((sum, n, k) => sum + direction[r * d + k] * spacing[k] * (n - 1) * 0.5, 0));
  return { size, spacing, origin, direction };
}

/** A smooth blob pattern in world space, so that both grids see the same object. */
function image(grid: ImageGrid): Float32Array {
  const d = grid.size.length;
  const toWorld = indexToWorldMatrix(grid);
  const out = new Float32Array(voxelCount(grid));
  for (let i = 0; i < out.length; i++) {
    const index = [i % grid.size[0], Math.floor(i / grid.size[0]) % grid.size[1], Math.floor(i / (grid.size[0] * grid.size[1]))];
    const w = Array.from({ length: d }, (_, r) => toWorld[r * (d + 1) + d] + index.slice(0, d).reduce((sum, v, k) => sum + toWorld[r * (d + 1) + k] * v, 0));
    out[i] = Math.sin(0.21 * w[0] + 0.5) * Math.cos(0.17 * w[1] - 0.3) + (d === 3 ? 0.5 * Math.sin(0.13 * w[2]) : 0) + Math.exp(-w.reduce((s, v) => s + v * v, 0) / 200);
  }
  return out;
}

/** R = Rz·Ry·Rx (one angle in 2D) as tensor ops, for the tape. */
function rotationUnderTape(angles: tf.Tensor): tf.Tensor2D {
  const a = Array.from({ length: angles.shape[0] }, (_, i) => tf.reshape(tf.slice(angles, [i], [1]), []));
  const [cos, sin] = [a.map((t) => tf.cos(t)), a.map((t) => tf.sin(t))];
  const [zero, one] = [tf.scalar(0), tf.scalar(1)];
  const matrix = (rows: tf.Tensor[][]) => tf.stack(rows.map((r) => tf.stack(r))) as tf.Tensor2D;
  if (a.length === 1) return matrix([[cos[0], tf.neg(sin[0])], [sin[0], cos[0]]]);
  const rx = matrix([[one, zero, zero], [zero, cos[0], tf.neg(sin[0])], [zero, sin[0], cos[0]]]);
  const ry = matrix([[cos[1], zero, sin[1]], [zero, one, zero], [tf.neg(sin[1]), zero, cos[1]]]);
  const rz = matrix([[cos[2], tf.neg(sin[2]), zero], [sin[2], cos[2], zero], [zero, zero, one]]);
  return tf.matMul(rz, tf.matMul(ry, rx));
}

const cases = [
  { name: '2D, affine', fixed: obliqueGrid([31, 27], [1.2, 0.9], 20, -1), moving: obliqueGrid([29, 33], [1, 1.1], -10, 1), rigid: false },
  { name: '2D, rigid', fixed: obliqueGrid([31, 27], [1.2, 0.9], 20, -1), moving: obliqueGrid([29, 33], [1, 1.1], -10, 1), rigid: true },
  { name: '3D, affine', fixed: obliqueGrid([15, 13, 11], [1.3, 1, 1.6], 25, -1), moving: obliqueGrid([14, 16, 12], [1.1, 1.2, 1.4], -15, 1), rigid: false },
  { name: '3D, rigid', fixed: obliqueGrid([15, 13, 11], [1.3, 1, 1.6], 25, -1), moving: obliqueGrid([14, 16, 12], [1.1, 1.2, 1.4], -15, 1), rigid: true },
];

beforeAll(async () => {
  await selectComputeBackend('cpu');
});

describe('the alignment objective on the host', () => {
  for (const c of cases)
    it(`gives the tape's loss and gradient (${c.name})`, () => {
      const d = c.fixed.size.length;
      const random = seededRandom(d * 7 + (c.rigid ? 1 : 2));
      const center = Array.from({ length: d }, () => random() * 4 - 2);
      const base = {
        linear: rotationMatrix(Array.from({ length: d === 2 ? 1 : 3 }, () => random() * 0.4 - 0.2)).map((v, i) => v * (1 + (i % (d + 1) === 0 ? 0.05 : 0))),
        translation: Array.from({ length: d }, () => random() * 2 - 1),
      };
      const fixedValues = image(c.fixed);
      const movingValues = image(c.moving);
      const objective = new PoseObjective({ grid: c.fixed, values: fixedValues }, { grid: c.moving, values: movingValues }, center, c.rigid, base);
      const parameters = objective.initialParameters();
      parameters.linear.forEach((_, i) => (parameters.linear[i] = random() * 0.1 - 0.05));
      parameters.translation.forEach((_, i) => (parameters.translation[i] = random() * 1.5 - 0.75));
      const points = Float32Array.from({ length: 400 * d }, (_, i) => random() * (c.fixed.size[i % d] - 1));
      const gradient = objective.initialParameters();
      const loss = objective.evaluate(parameters, points, gradient);

      // The same loss as tensor ops, the rotation built from sines and cosines under the tape.
      const fixedImage = tf.tensor(fixedValues, [...c.fixed.size].reverse().concat(1));
      const movingImage = tf.tensor(movingValues, [...c.moving.size].reverse().concat(1));
      const indexPoints = tf.tensor2d(points, [400, d]);
      const world = transformPoints(indexPoints, indexToWorldMatrix(c.fixed));
      const reference = gridSample(fixedImage, indexPoints);
      const f = (linear: tf.Tensor, translation: tf.Tensor) => {
        const left = c.rigid ? rotationUnderTape(linear) : tf.add(tf.eye(d), tf.reshape(linear, [d, d]));
        const L = tf.matMul(left, tf.tensor2d(base.linear, [d, d]));
        const centre = tf.tensor1d(center);
        const mapped = tf.add(tf.matMul(tf.sub(world, centre), L, false, true), tf.add(centre, tf.add(tf.tensor1d(base.translation), translation)));
        const moved = transformPoints(mapped, worldToIndexMatrix(c.moving)) as tf.Tensor2D;
        return nccLoss(reference, gridSample(movingImage, moved, { constantImage: true }));
      };
      const { value, grads } = tf.valueAndGrads(f)([tf.tensor1d(parameters.linear), tf.tensor1d(parameters.translation)]);
      expect(loss).toBeCloseTo(value.dataSync()[0], 5);
      const expectClose = (got: Float32Array, expected: tf.Tensor) => {
        const e = expected.dataSync();
        const scale = Math.max(...Array.from(e, Math.abs));
        expect(scale).toBeGreaterThan(0);
        got.forEach((g, i) => expect(Math.abs(g - e[i]) / scale).toBeLessThan(1e-3));
      };
      expectClose(gradient.linear, grads[0]);
      expectClose(gradient.translation, grads[1]);
    });
});
