// The work of one step on one thread: the loss of each example (a seed) and the gradient of
// their sum with respect to every weight, as arrays. Whatever thread runs it, the same seeds
// give the same numbers, so splitting a batch across threads changes nothing but the time.

import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../registration/random';
import type { FeatureNetworkSpec } from './network/feature-network';
import { weightSpecs } from './network/feature-network';
import type { PairLossOptions } from './pair-loss';
import { pairLoss } from './pair-loss';
import type { TrainingData } from './training-data';

export interface BatchGradients {
  /** Each example's loss, in the order of the seeds. */
  readonly losses: number[];
  /** Per example, per weight: the gradients (summed over examples by the caller, in seed order). */
  readonly gradients: Float32Array[][];
}

export async function batchGradients(
  spec: FeatureNetworkSpec,
  weights: readonly Float32Array[],
  data: TrainingData,
  seeds: readonly number[],
  options: PairLossOptions,
): Promise<BatchGradients> {
  const shapes = weightSpecs(spec).map((w) => w.shape as number[]);
  const tensors = weights.map((w, i) => tf.tensor(w, shapes[i]));
  const losses: number[] = [];
  const gradients: Float32Array[][] = [];
  try {
    for (const seed of seeds) {
      const random = seededRandom(seed);
      const pair = await data.pair(Math.floor(random() * 2 ** 31));
      const { value, grads } = tf.valueAndGrads((...w: tf.Tensor[]) => pairLoss(spec, w, pair, options, random))(tensors);
      try {
        losses.push((await value.data())[0]);
        gradients.push((await Promise.all(grads.map((g) => g.data()))) as Float32Array[]);
      } finally {
        tf.dispose([value, ...grads]);
      }
    }
  } finally {
    tf.dispose(tensors);
  }
  return { losses, gradients };
}

/** The mean over examples, summed in example order (the same sum whatever split the threads had). */
export function meanOfGradients(perExample: readonly Float32Array[][]): Float32Array[] {
  const mean = perExample[0].map((g) => new Float32Array(g.length));
  for (const example of perExample) example.forEach((g, i) => {
    const m = mean[i];
    for (let k = 0; k < g.length; k++) m[k] += g[k];
  });
  for (const m of mean) for (let k = 0; k < m.length; k++) m[k] /= perExample.length;
  return mean;
}
