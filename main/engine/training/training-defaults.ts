// The training run's defaults and the networks it may train, kept apart from the training code
// (which needs tfjs) so that the command line can fill in a request without loading it.

import type { TrainingRequest } from '../../../shared/contract/index';
import type { AugmentationOptions } from './equivariance-augmentation';
import type { FeatureNetworkSpec } from './network/feature-network';

export const defaultAugmentation: AugmentationOptions = { affine: true, roll: true, affineStrength: 0.05 };

/** The networks, by dimension and size: what the Train panel's "network" means. */
export function networkSpec(dimension: 2 | 3, size: 'cpu' | 'gpu', padding: 'zero' | 'circular' = 'circular'): FeatureNetworkSpec {
  const widths = size === 'cpu' ? (dimension === 2 ? [16, 32, 64] : [8, 16, 32]) : dimension === 2 ? [32, 64, 128, 256] : [16, 32, 64, 128];
  // Circular padding by default (see FeatureNetworkSpec.padding): without it, rolled 3D crops collapsed,
  // and a 2D network read position from the border — untrained, its features alone propagated
  // labels at 0.33 Dice on held-out synthetic pairs, and 60 steps of training lowered that to
  // 0.26; padded circularly, the same run goes from 0.21 to 0.42. (The shipped brain-2d was
  // trained with zeros; its files say so.)
  return { dimension, widths, channels: size === 'cpu' ? 16 : 32, convolutionsPerLevel: 2, initialRadius: 12, centerOverBatch: false, padding };
}

/** The edge of each example's grid by default: whole slices in 2D, crops in 3D (a 3D volume's N×N similarity does not fit). */
export const defaultExampleEdge = (dimension: 2 | 3): number => (dimension === 2 ? 112 : 32);

export function defaultTrainingRequest(dimension: 2 | 3): TrainingRequest {
  return {
    data: { kind: 'synthetic' },
    dimension,
    resolutionMm: dimension === 2 ? 1.5 : 3,
    exampleEdge: defaultExampleEdge(dimension),
    steps: dimension === 2 ? 2000 : 1000,
    batch: 2,
    seed: 1,
    network: 'cpu',
    samples: 1024,
    learningRate: 2e-3,
    augmentation: { affine: defaultAugmentation.affine, roll: defaultAugmentation.roll },
    padding: 'circular',
    checkpointEvery: 50,
    validateEvery: 50,
    threads: 0,
    out: '',
    resume: false,
  };
}

