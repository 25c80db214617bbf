// The feature-map inverse-consistency loss:
//   L = −mean_i log Σ_j softmax_row(F̃ᴬ·Ḟᴮᵀ)_ij · softmax_col(F̂ᴬ·F̌ᴮᵀ)_ij = −mean_i log P[Φᴮᴬ∘Φᴬᴮ(x_i) = x_i]
// The first factor is the probability that point i of A goes to point j of B by one pair of
// feature maps; the second, that j comes back to i by the other pair (a softmax over A's
// points, i.e. down the column). Their product summed over j is the probability of the round
// trip, and the loss is its negative log.
//
// An N×N similarity over all voxels does not fit in memory in 3D, so the maps are compared at
// K sampled points: random voxel positions of A (rows) and of B (columns), the same positions
// in both maps of one image. The loss is then the round trip within the sample, and the sample
// changes every step.

import * as tf from '@tensorflow/tfjs-core';

/** Features at the sampled points: [K, C] each. */
export interface SampledFeatureMaps {
  /** F̃ᴬ and Ḟᴮ: the maps whose rows are softmaxed (A → B). */
  readonly aForward: tf.Tensor2D;
  readonly bForward: tf.Tensor2D;
  /** F̂ᴬ and F̌ᴮ: the maps whose columns are softmaxed (B → A). */
  readonly aBackward: tf.Tensor2D;
  readonly bBackward: tf.Tensor2D;
}

/** The loss, a scalar, computed stably in log space: log Σ_j p_ij q_ij = logsumexp_j(log p_ij + log q_ij). */
export function featureCycleLoss(maps: SampledFeatureMaps): tf.Scalar {
  return tf.tidy(() => {
    const forward = tf.matMul(maps.aForward, maps.bForward, false, true); // [i, j]
    const backward = tf.matMul(maps.aBackward, maps.bBackward, false, true); // [i, j]
    const logP = tf.logSoftmax(forward); // over j
    const logQ = tf.transpose(tf.logSoftmax(tf.transpose(backward))); // over i
    return tf.neg(tf.mean(tf.logSumExp(tf.add(logP, logQ), 1))) as tf.Scalar;
  });
}

/** The same loss written directly (products of probabilities), for tests on small inputs. */
export function featureCycleLossDirect(maps: { aForward: number[][]; bForward: number[][]; aBackward: number[][]; bBackward: number[][] }): number {
  const dot = (u: number[], v: number[]) => u.reduce((s, x, k) => s + x * v[k], 0);
  const k = maps.aForward.length;
  let total = 0;
  for (let i = 0; i < k; i++) {
    const rowLogits = maps.bForward.map((b) => dot(maps.aForward[i], b));
    const rowMax = Math.max(...rowLogits);
    const rowSum = rowLogits.reduce((s, l) => s + Math.exp(l - rowMax), 0);
    let cycle = 0;
    for (let j = 0; j < k; j++) {
      const colLogits = maps.aBackward.map((a) => dot(a, maps.bBackward[j]));
      const colMax = Math.max(...colLogits);
      const colSum = colLogits.reduce((s, l) => s + Math.exp(l - colMax), 0);
      cycle += (Math.exp(rowLogits[j] - rowMax) / rowSum) * (Math.exp(colLogits[i] - colMax) / colSum);
    }
    total -= Math.log(cycle);
  }
  return total / k;
}
