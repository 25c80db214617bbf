// Raw intensity as the feature: a one-channel baseline that shows what learned features and
// MIND-SSC add (both must beat it). The working image is already normalized to about [0, 1].

import type * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import type { Featurizer } from './featurizer';

export class IntensityFeaturizer implements Featurizer {
  readonly name = 'intensity';
  readonly channels = 1;

  featurize(image: tf.Tensor, _grid: ImageGrid): tf.Tensor {
    return image.clone();
  }

  dispose(): void {}
}
