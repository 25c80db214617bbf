// Label propagation by attention with the features alone — the seeds' method in its purest form
// and the validation that says what features are worth: each voxel i of A takes the labels of
// B weighted by softmax_j(s·(f_i·g_j − ½|g_j|²) − |x_i − y_j|²/2σ²), the score of the
// pipeline's global attention, Gaussian prior on the displacement included (pairs are in one
// space, as after the affine); its label is the most probable one. The mean Dice against A's
// true labels measures the features: with σ → ∞ position plays no part, and with features that
// say nothing the prior alone keeps every voxel where it is.

import * as tf from '@tensorflow/tfjs-core';
import { diceScores } from '../registration/outputs/metrics';

/** Voxel indices (x, y[, z]) of a grid of `size`, x fastest, divided by σ: [voxels, d]. */
function scaledPositions(size: readonly number[], sigma: number): tf.Tensor2D {
  const d = size.length;
  const n = size.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * d);
  for (let v = 0; v < n; v++) for (let a = 0, rest = v; a < d; a++, rest = Math.floor(rest / size[a])) out[v * d + a] = (rest % size[a]) / sigma;
  return tf.tensor2d(out, [n, d]);
}

export interface PropagationOptions {
  /** The softmax's inverse temperature for these features. */
  readonly scale: number;
  /** σ of the displacement prior, voxels (Infinity: none). */
  readonly priorSigmaVoxels: number;
  /** The grid both images share (x, y[, z]). */
  readonly size: readonly number[];
}

/** A's predicted labels from features [N, C] of A and B and B's labels per voxel. */
export async function propagateLabels(featuresA: tf.Tensor2D, featuresB: tf.Tensor2D, labelsB: Int32Array, options: PropagationOptions, blockSize = 1024): Promise<Int32Array> {
  const values = [...new Set(labelsB)].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const predicted = new Int32Array(featuresA.shape[0]);
  const { queries, keysT, keyBias, oneHot } = tf.tidy(() => {
    // Scaled features with the prior as extra channels: q·k − ½|k|² then gains −|x − y|²/2σ².
    const withPrior = (f: tf.Tensor2D) =>
      Number.isFinite(options.priorSigmaVoxels) ? (tf.concat([tf.mul(f, Math.sqrt(options.scale)), scaledPositions(options.size, options.priorSigmaVoxels)], 1) as tf.Tensor2D) : (tf.mul(f, Math.sqrt(options.scale)) as tf.Tensor2D);
    const queries = withPrior(featuresA);
    const keys = withPrior(featuresB);
    const oneHot = tf.oneHot(tf.tensor1d(Int32Array.from(labelsB, (l) => index.get(l)!), 'int32'), values.length);
    const keysT = tf.transpose(keys);
    const keyBias = tf.mul(tf.sum(tf.square(keys), 1), -0.5);
    return { queries, keysT, keyBias, oneHot };
  });
  try {
    // Blocks of queries, each read back asynchronously (as a GPU backend requires).
    for (let start = 0; start < featuresA.shape[0]; start += blockSize) {
      const size = Math.min(blockSize, featuresA.shape[0] - start);
      const best = tf.tidy(() => {
        const block = tf.slice(queries, [start, 0], [size, queries.shape[1]]);
        const weights = tf.softmax(tf.add(tf.matMul(block, keysT), keyBias));
        return tf.argMax(tf.matMul(weights, oneHot), 1);
      });
      const codes = await best.data();
      for (let i = 0; i < size; i++) predicted[start + i] = values[codes[i]];
      best.dispose();
    }
  } finally {
    tf.dispose([queries, keysT, keyBias, oneHot]);
  }
  return predicted;
}

/** Mean Dice over the labels of `truth` other than 0. */
export function meanDice(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return diceScores(truth, predicted).mean;
}
