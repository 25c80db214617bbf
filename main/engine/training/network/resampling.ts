// The feature network's changes of scale, by 2 along every spatial axis, written once for 2D
// and 3D: typed-array kernels where the backend has them (compute/block-resampling.ts), else
// reshapes, means and concatenations, whose gradients every backend has. Spatial sizes must be
// even at each level where they are halved.

import * as tf from '@tensorflow/tfjs-core';
import { blockMean, blockRepeat, hasBlockResamplingKernels } from '../../compute/block-resampling';

/** Average of each 2×2(×2) block: [batch, ...spatial, c] → [batch, ...spatial/2, c]. */
export function halve(x: tf.Tensor): tf.Tensor {
  if (hasBlockResamplingKernels()) return blockMean(x);
  return tf.tidy(() => {
    let y = x;
    for (let axis = 1; axis < x.rank - 1; axis++) {
      const shape = y.shape.slice();
      shape.splice(axis, 1, shape[axis] / 2, 2);
      y = tf.mean(tf.reshape(y, shape), axis + 1);
    }
    return y;
  });
}

/** Nearest-neighbour doubling: [batch, ...spatial, c] → [batch, ...2·spatial, c]. */
export function double(x: tf.Tensor): tf.Tensor {
  if (hasBlockResamplingKernels()) return blockRepeat(x);
  return tf.tidy(() => {
    let y = x;
    for (let axis = 1; axis < x.rank - 1; axis++) {
      const expanded = tf.expandDims(y, axis + 1);
      const shape = y.shape.slice();
      shape[axis] *= 2;
      y = tf.reshape(tf.concat([expanded, expanded], axis + 1), shape);
    }
    return y;
  });
}
