// Similarity terms between values sampled at the same points of the fixed image and of the
// warped moving image. Lower is better for every loss here.

import * as tf from '@tensorflow/tfjs-core';

// NCC and 1 − NCC: the loss is one typed loop where the backend allows (compute/ncc-loss.ts).
export { nccLoss, normalizedCrossCorrelation } from '../../compute/ncc-loss';

/** Mean squared difference of feature vectors (MIND-SSC descriptors: modality independent). */
export function featureSsd(fixed: tf.Tensor, moving: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(fixed, moving)) as tf.Scalar);
}

/**
 * NCC per candidate for K candidates sharing the same fixed values: `moving` is [K, P] and
 * `fixed` is [P]. Returns [K]. Used to rank initial rotations in one batch.
 */
export function nccPerRow(fixed: tf.Tensor1D, moving: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const x = tf.sub(fixed, tf.mean(fixed));
    const y = tf.sub(moving, tf.mean(moving, 1, true));
    const num = tf.sum(tf.mul(y, x), 1);
    const den = tf.sqrt(tf.add(tf.mul(tf.sum(tf.square(y), 1), tf.sum(tf.square(x))), 1e-12));
    return tf.div(num, den) as tf.Tensor1D;
  });
}
