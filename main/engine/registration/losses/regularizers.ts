// Regularity terms of a deformation. Lower is smoother.

import * as tf from '@tensorflow/tfjs-core';

/** Diffusion energy (Σ_a mean |∂f/∂x_a|²), a kernel where the backend allows. */
export { diffusionEnergy } from '../../compute/diffusion-energy';

/**
 * GradICON's penalty (Tian et al., CVPR 2023) at points: how far the Jacobian of the round trip
 * x ↦ ψ(φ(x)) is from the identity, by finite differences of step h along each axis.
 * `roundTrip` maps [n, D] points to [n, D] points; the result is the mean squared Frobenius norm.
 */
export function gradIconPenalty(roundTrip: (points: tf.Tensor2D) => tf.Tensor2D, points: tf.Tensor2D, h: number): tf.Scalar {
  return tf.tidy(() => {
    const d = points.shape[1];
    const base = roundTrip(points);
    let total: tf.Tensor = tf.scalar(0);
    for (let axis = 0; axis < d; axis++) {
      const step = tf.mul(tf.oneHot(tf.fill([points.shape[0]], axis, 'int32'), d), h) as tf.Tensor2D;
      const moved = roundTrip(tf.add(points, step) as tf.Tensor2D);
      const column = tf.div(tf.sub(moved, base), h);
      total = tf.add(total, tf.mean(tf.sum(tf.square(tf.sub(column, tf.div(step, h))), 1)));
    }
    return total as tf.Scalar;
  });
}
