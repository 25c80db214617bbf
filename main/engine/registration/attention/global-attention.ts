// Global coordinate attention: every query point against all key points,
//   attended(q) = Σ_j softmax_j(q·k_j − ½|k_j|²) v_j,
// with values v = coordinates, so the result is where each query's match lies. The softmax
// matrix is queries × keys; it is computed in blocks of queries so that memory stays
// blockSize × keys (4096 × 4096 floats is 64 MB). Built-in ops only: differentiable everywhere.

import * as tf from '@tensorflow/tfjs-core';
import type { AttentionResult } from '../../compute/local-attention';

/**
 * queries [nq, C], keys [nk, C], values [nk, V] → values [nq, V] and their variance under
 * the softmax [nq, 1].
 */
export function globalAttention(queries: tf.Tensor2D, keys: tf.Tensor2D, values: tf.Tensor2D, blockSize = 1024): AttentionResult {
  return tf.tidy(() => {
    // matMul with transposeB is ten times slower on wasm (README): transpose the keys once.
    const keysT = tf.transpose(keys);
    const keyBias = tf.mul(tf.sum(tf.square(keys), 1), -0.5);
    const valueSquares = tf.sum(tf.square(values), 1, true);
    const means: tf.Tensor[] = [];
    const variances: tf.Tensor[] = [];
    for (let start = 0; start < queries.shape[0]; start += blockSize) {
      const size = Math.min(blockSize, queries.shape[0] - start);
      const [mean, variance] = tf.tidy(() => {
        const block = tf.slice(queries, [start, 0], [size, queries.shape[1]]);
        const weights = tf.softmax(tf.add(tf.matMul(block, keysT), keyBias));
        const m = tf.matMul(weights, values);
        const v = tf.relu(tf.sub(tf.matMul(weights, valueSquares), tf.sum(tf.square(m), 1, true)));
        return [m, v];
      });
      means.push(mean);
      variances.push(variance);
    }
    return { values: tf.concat(means, 0), variance: tf.concat(variances, 0) };
  });
}
