// What a featurizer is worth, measured by what users care about: label propagation by
// attention with the features alone, between held-out pairs whose labels are known (mean Dice).
// The same measure for the learned network, MIND-SSC and raw intensity, on the same pairs.

import * as tf from '@tensorflow/tfjs-core';
import { identityMatrix } from '../../../shared/math/matrix';
import { defaultParameters } from '../registration/parameters';
import { MindSscFeaturizer } from '../registration/features/mind-ssc';
import { validationExampleSeed } from './example-seeds';
import { meanDice, propagateLabels } from './label-propagation';
import type { FeatureNetworkSpec } from './network/feature-network';
import { featureNetwork, weightSpecs } from './network/feature-network';
import type { LabelledPair } from './synthetic-training-pairs';
import { syntheticPair } from './synthetic-training-pairs';

/** Features of one image ([...spatial] intensities on its grid) as [voxels, channels], and the softmax's scale. */
export interface PointFeaturizer {
  readonly name: string;
  readonly scale: number;
  features(image: Float32Array, size: readonly number[]): tf.Tensor2D;
}

const asTensor = (image: Float32Array, size: readonly number[]) => tf.tensor(image, [...size].reverse().concat(1));

export function learnedPointFeaturizer(spec: FeatureNetworkSpec, weights: readonly Float32Array[]): PointFeaturizer {
  const shapes = weightSpecs(spec).map((w) => w.shape as number[]);
  return {
    name: 'learned',
    // λ is inside the features.
    scale: 1,
    features: (image, size) =>
      tf.tidy(() => {
        const w = weights.map((values, i) => tf.tensor(values, shapes[i]));
        const f = featureNetwork(spec, w, tf.expandDims(asTensor(image, size), 0));
        return tf.reshape(f, [-1, spec.channels]) as tf.Tensor2D;
      }),
  };
}

export function mindPointFeaturizer(dimension: 2 | 3): PointFeaturizer {
  const mind = new MindSscFeaturizer(dimension, defaultParameters.features.mindRadius, defaultParameters.features.mindDilation);
  return {
    name: 'MIND-SSC',
    scale: defaultParameters.attention.sharpness,
    features: (image, size) => tf.tidy(() => tf.reshape(mind.featurize(asTensor(image, size), { size: [...size], spacing: size.map(() => 1), origin: size.map(() => 0), direction: identityMatrix(size.length) }), [-1, mind.channels]) as tf.Tensor2D),
  };
}

/** Raw intensity as a one-channel feature: the baseline any learned feature must beat. */
export function intensityPointFeaturizer(): PointFeaturizer {
  return { name: 'intensity', scale: 400, features: (image) => tf.tensor2d(image, [image.length, 1]) };
}

/** No features at all: the prior alone, which leaves every voxel where it is (the Dice before registration). */
export function noFeatures(): PointFeaturizer {
  return { name: 'none (identity)', scale: 1, features: (image) => tf.zeros([image.length, 1]) };
}

/** The displacement prior of the pipeline's global attention, in voxels of a grid. */
export const pipelinePriorSigmaVoxels = (resolutionMm: number) => defaultParameters.attention.priorSigmaMm / resolutionMm;

/**
 * Mean Dice of label propagation A ← B over the pairs: by the features alone (the default), or
 * with a Gaussian prior on the displacement (σ in voxels) as the pipeline's global attention has.
 */
export async function labelPropagationDice(featurizer: PointFeaturizer, pairs: readonly LabelledPair[], priorSigmaVoxels = Infinity): Promise<number> {
  let sum = 0;
  for (const pair of pairs) {
    const fa = featurizer.features(pair.a, pair.size);
    const fb = featurizer.features(pair.b, pair.size);
    try {
      sum += meanDice(pair.labelsA, await propagateLabels(fa, fb, pair.labelsB, { scale: featurizer.scale, priorSigmaVoxels, size: pair.size }));
    } finally {
      tf.dispose([fa, fb]);
    }
  }
  return sum / pairs.length;
}

/** Held-out synthetic pairs (seeds from validation's own stream), the same whatever the run. */
export async function validationPairs(size: readonly number[], count: number, seed = 1, atlasPair?: (seed: number) => Promise<LabelledPair>): Promise<LabelledPair[]> {
  const pairs: LabelledPair[] = [];
  for (let i = 0; i < count; i++) pairs.push(await (atlasPair ? atlasPair(validationExampleSeed(seed, i)) : syntheticPair(size, validationExampleSeed(seed, i))));
  return pairs;
}
