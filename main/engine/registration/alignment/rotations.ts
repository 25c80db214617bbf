// Rotation matrices from angles, as numbers (to enumerate search candidates) and as tensors (to
// optimize). 2D: one angle. 3D: rotations about x, then y, then z (R = Rz·Ry·Rx). Row-major D×D.

import * as tf from '@tensorflow/tfjs-core';
import { multiplyMatrices } from '../../../../shared/math/matrix';

export function rotationAngleCount(dimension: number): number {
  return dimension === 2 ? 1 : 3;
}

export function rotationMatrix(angles: readonly number[]): number[] {
  if (angles.length === 1) {
    const [c, s] = [Math.cos(angles[0]), Math.sin(angles[0])];
    return [c, -s, s, c];
  }
  const [cx, sx] = [Math.cos(angles[0]), Math.sin(angles[0])];
  const [cy, sy] = [Math.cos(angles[1]), Math.sin(angles[1])];
  const [cz, sz] = [Math.cos(angles[2]), Math.sin(angles[2])];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return multiplyMatrices(rz, multiplyMatrices(ry, rx));
}

/** The same matrices from a tensor of angles, differentiably: [D, D]. */
export function rotationMatrixTensor(angles: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    // Slices, not tf.unstack: unstack's gradient breaks when the tensor has one element.
    const a = Array.from({ length: angles.shape[0] }, (_, i) => tf.reshape(tf.slice(angles, [i], [1]), []));
    const cos = a.map((t) => tf.cos(t));
    const sin = a.map((t) => tf.sin(t));
    const zero = tf.scalar(0);
    const one = tf.scalar(1);
    const matrix = (rows: tf.Tensor[][]) => tf.stack(rows.map((r) => tf.stack(r))) as tf.Tensor2D;
    if (a.length === 1) return matrix([[cos[0], tf.neg(sin[0])], [sin[0], cos[0]]]);
    const rx = matrix([[one, zero, zero], [zero, cos[0], tf.neg(sin[0])], [zero, sin[0], cos[0]]]);
    const ry = matrix([[cos[1], zero, sin[1]], [zero, one, zero], [tf.neg(sin[1]), zero, cos[1]]]);
    const rz = matrix([[cos[2], tf.neg(sin[2]), zero], [sin[2], cos[2], zero], [zero, zero, one]]);
    return tf.matMul(rz, tf.matMul(ry, rx));
  });
}

/** Every combination of angles in [-max, max] at `step` (radians), about each rotation axis. */
export function rotationCandidates(dimension: number, maxRadians: number, stepRadians: number): number[][] {
  const steps = stepRadians > 0 ? Math.floor(maxRadians / stepRadians + 1e-9) : 0;
  const values = Array.from({ length: 2 * steps + 1 }, (_, i) => (i - steps) * stepRadians);
  let out: number[][] = [[]];
  for (let a = 0; a < rotationAngleCount(dimension); a++) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}
