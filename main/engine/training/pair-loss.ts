// One training example: a pair of images (A, B) on one grid — the same scan, or two scans in a
// common space — gives four feature maps, each from its own draw of the equivariance
// augmentation (two of A, two of B), all computed in one batch through the network, then the
// feature-map inverse-consistency loss at K sampled positions, the same in both images.

import * as tf from '@tensorflow/tfjs-core';
import type { AugmentationOptions } from './equivariance-augmentation';
import { carriedBack, drawAugmentation, unwarpedFeaturesAt, warpInput } from './equivariance-augmentation';
import { featureCycleLoss } from './feature-cycle-loss';
import type { FeatureNetworkSpec } from './network/feature-network';
import { featureNetwork } from './network/feature-network';

/** Two images on one grid, intensities normalized to about [0, 1], x fastest. */
export interface TrainingPair {
  readonly a: Float32Array;
  readonly b: Float32Array;
  /** Grid size (x, y[, z]); every entry a multiple of the network's sizeMultiple. */
  readonly size: readonly number[];
}

export interface PairLossOptions {
  readonly augmentation: AugmentationOptions;
  /** K: positions sampled for the loss (one set, used in both images). */
  readonly samples: number;
}

/** K distinct voxel positions (x, y[, z]) where every `valid` test passes. */
export function samplePositions(size: readonly number[], k: number, valid: readonly ((p: readonly number[]) => boolean)[], random: () => number): Float32Array {
  const d = size.length;
  const voxels = size.reduce((a, b) => a * b, 1);
  const want = Math.min(k, voxels);
  const chosen = new Set<number>();
  const out = new Float32Array(want * d);
  let count = 0;
  for (let attempts = 0; count < want && attempts < want * 50; attempts++) {
    const v = Math.floor(random() * voxels);
    if (chosen.has(v)) continue;
    const position: number[] = [];
    for (let a = 0, rest = v; a < d; a++, rest = Math.floor(rest / size[a])) position.push(rest % size[a]);
    if (!valid.every((test) => test(position))) continue;
    chosen.add(v);
    out.set(position, count++ * d);
  }
  return out.subarray(0, count * d);
}

/**
 * The loss of one pair, differentiable in `weights` (tensors in weightSpecs order). Every
 * random choice comes from `random`, so an example is reproduced by its seed alone.
 */
/** Where an image has content: above 1 % of its [0, 1] range. Empty background (air around a head) cannot be matched, and a loss spent on it teaches nothing. */
function hasContent(image: Float32Array, size: readonly number[]): (position: readonly number[]) => boolean {
  return (p) => {
    let index = 0;
    for (let a = size.length - 1; a >= 0; a--) index = index * size[a] + p[a];
    return image[index] > 0.01;
  };
}

export function pairLoss(spec: FeatureNetworkSpec, weights: readonly tf.Tensor[], pair: TrainingPair, options: PairLossOptions, random: () => number): tf.Scalar {
  const draws = [0, 1, 2, 3].map(() => drawAugmentation(pair.size, options.augmentation, random));
  // One set of K positions for both images, as in the full N×N loss, where i and j run over
  // the same grid. Drawn for each image apart, a point's nearest neighbour in the other sample
  // is often not mutual, so the cycle cannot close there and the loss has a floor: position
  // codes (no augmentation) then stopped at 1.3–1.4 instead of 0 (log K 4.16, measured).
  // Where all four maps can be carried back and either image has content; where there is
  // almost none (a crop of mostly air), anywhere they can be carried back.
  const carried = draws.map((draw) => carriedBack(draw, pair.size));
  const [contentA, contentB] = [hasContent(pair.a, pair.size), hasContent(pair.b, pair.size)];
  const withContent = samplePositions(pair.size, options.samples, [(p) => contentA(p) || contentB(p), ...carried], random);
  const positions = withContent.length >= 16 * pair.size.length ? withContent : samplePositions(pair.size, options.samples, carried, random);
  return tf.tidy(() => {
    const shape = [...pair.size].reverse().concat(1);
    const a = tf.tensor(pair.a, shape);
    const b = tf.tensor(pair.b, shape);
    const inputs = tf.stack([warpInput(a, draws[0]), warpInput(a, draws[1]), warpInput(b, draws[2]), warpInput(b, draws[3])]);
    const maps = tf.unstack(featureNetwork(spec, weights, inputs));
    return featureCycleLoss({
      aForward: unwarpedFeaturesAt(maps[0], draws[0], positions),
      aBackward: unwarpedFeaturesAt(maps[1], draws[1], positions),
      bForward: unwarpedFeaturesAt(maps[2], draws[2], positions),
      bBackward: unwarpedFeaturesAt(maps[3], draws[3], positions),
    });
  });
}
