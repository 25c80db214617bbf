// Label propagation by attention with the features alone — the seeds' method in its purest form
// and the validation that says what features are worth: each voxel i of A takes the labels of
// B weighted by softmax_j(s·(f_i·g_j − ½|g_j|²)) (the same score coordinate attention uses),
// and its label is the most probable one. The mean Dice against A's true labels measures the
// features; position plays no part.

import * as tf from '@tensorflow/tfjs-core';
import { diceScores } from '../registration/outputs/metrics';

/** A's predicted labels: features [N, C] each, B's labels per voxel; `scale` is the softmax's inverse temperature. */
export function propagateLabels(featuresA: tf.Tensor2D, featuresB: tf.Tensor2D, labelsB: Int32Array, scale: number, blockSize = 1024): Int32Array {
  const values = [...new Set(labelsB)].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const predicted = new Int32Array(featuresA.shape[0]);
  tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(Int32Array.from(labelsB, (l) => index.get(l)!), 'int32'), values.length);
    const keysT = tf.mul(tf.transpose(featuresB), scale);
    const keyBias = tf.mul(tf.sum(tf.square(featuresB), 1), -0.5 * scale);
    for (let start = 0; start < featuresA.shape[0]; start += blockSize) {
      const size = Math.min(blockSize, featuresA.shape[0] - start);
      const best = tf.tidy(() => {
        const block = tf.slice(featuresA, [start, 0], [size, featuresA.shape[1]]);
        const weights = tf.softmax(tf.add(tf.matMul(block, keysT), keyBias));
        return tf.argMax(tf.matMul(weights, oneHot), 1);
      });
      const codes = best.dataSync();
      for (let i = 0; i < size; i++) predicted[start + i] = values[codes[i]];
      best.dispose();
    }
  });
  return predicted;
}

/** Mean Dice over the labels of `truth` other than 0. */
export function meanDice(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return diceScores(truth, predicted).mean;
}
