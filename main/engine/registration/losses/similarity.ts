// Similarity terms between values sampled at the same points of the fixed image and of the
// warped moving image. Lower is better for every loss here.

import * as tf from '@tensorflow/tfjs-core';

/** Normalized cross-correlation over all values of a and b (any equal shapes). */
export function normalizedCrossCorrelation(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.sub(a, tf.mean(a));
    const y = tf.sub(b, tf.mean(b));
    const num = tf.sum(tf.mul(x, y));
    const den = tf.sqrt(tf.add(tf.mul(tf.sum(tf.square(x)), tf.sum(tf.square(y))), 1e-12));
    return tf.div(num, den) as tf.Scalar;
  });
}

/** 1 − NCC: zero for intensities related by any positive linear map. */
export function nccLoss(fixed: tf.Tensor, moving: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sub(1, normalizedCrossCorrelation(fixed, moving)) as tf.Scalar);
}

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
