// The featurizer slot of coordinate attention. A featurizer maps an image on a grid to a feature
// map on the same grid; attention then matches points by their features. The training-free
// MIND-SSC fills the slot out of the box; a network trained with the feature-map
// inverse-consistency loss (features L2-normalized and scaled by a trainable radius λ ≈ 12)
// plugs into the same slot. Everything here stays differentiable in tfjs, so training can
// backpropagate through a featurizer, the attention and the warps.
//
// Attention scores a query q against a key k by q·k − ½|k|² (= −½|q − k|² + a per-query
// constant, which softmax ignores). For L2-normalized features of radius λ this is λ²·cosine;
// for MIND-SSC it is the descriptor distance. The feature scale therefore sets the softmax's
// sharpness.

import type * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';

export interface Featurizer {
  /** Shown in reports, e.g. "MIND-SSC (r=1, d=2)". */
  readonly name: string;
  readonly channels: number;
  /**
   * Features whose scale is their own (a learned radius λ): attention uses them as they are,
   * instead of scaling them by the parameters' sharpness as it does the training-free ones'.
   */
  readonly calibrated?: boolean;
  /** The resolution it computes at, mm (a trained model's); training-free ones work at any. */
  readonly resolutionMm?: number;
  /**
   * `image`: normalized intensities, [z, y, x, 1] or [y, x, 1], on `grid`.
   * Returns [..., channels] on the same grid. The caller owns the result.
   */
  featurize(image: tf.Tensor, grid: ImageGrid): tf.Tensor;
  /** Releases weights (learned featurizers); a no-op for training-free ones. */
  dispose(): void;
}
