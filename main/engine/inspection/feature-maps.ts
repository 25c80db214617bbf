// An image's features as a featurizer sees it — at the resolution it works at (a learned
// model's own; the registration's working resolution for the training-free ones) — on the
// host, for the views that show what features say: principal components as colours, and
// similarity heatmaps. Computing them is the slow part, so a session keeps them (feature-cache.ts).

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { createFeaturizer } from '../registration/features/create-featurizer';
import { defaultParameters } from '../registration/parameters';
import { chooseWorkingSpacing, intensityRange, workingImage } from '../registration/working-space';

export interface FeatureMap {
  /** The grid the features are on. */
  readonly grid: ImageGrid;
  /** voxels × channels, x fastest, channels interleaved. */
  readonly features: Float32Array;
  readonly channels: number;
  /** What computed them, as reports name it. */
  readonly featurizer: string;
  /** The softmax's inverse temperature for these features (attention's sharpness, or 1 for a learned model). */
  readonly scale: number;
}

export async function computeFeatureMap(image: ScalarImage, model: string): Promise<FeatureMap> {
  const featurizer = await createFeaturizer({ ...defaultParameters.features, model }, image.grid.size.length);
  try {
    // A model's own resolution; the registration's working one for the training-free featurizers.
    const spacing = featurizer.resolutionMm ?? chooseWorkingSpacing(image.grid, undefined);
    const working = workingImage(image, intensityRange(image, defaultParameters.normalization), spacing);
    const features = tf.tidy(() => featurizer.featurize(working.tensor, working.grid));
    working.tensor.dispose();
    const values = (await features.data()) as Float32Array;
    features.dispose();
    return { grid: working.grid, features: values, channels: featurizer.channels, featurizer: featurizer.name, scale: featurizer.calibrated ? 1 : defaultParameters.attention.sharpness };
  } finally {
    featurizer.dispose();
  }
}
