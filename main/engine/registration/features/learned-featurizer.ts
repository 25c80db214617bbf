// A trained feature network in the featurizer slot. Its features carry their own scale (the
// radius λ it learned), so attention uses them as they are. It computes at the resolution it
// was trained at: the working image is resampled to that resolution (when they differ by more
// than a tenth), featurized, and the features are brought back to the working grid.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import { regridToSpacing } from '../../../../shared/geometry/grid';
import { gridSample } from '../../compute/grid-sample';
import type { FeatureNetworkSpec } from '../../training/network/feature-network';
import { featureNetwork, sizeMultiple, weightSpecs } from '../../training/network/feature-network';
import type { LoadedModel } from '../../training/model-files';
import { indexToIndexMatrix, slabPoints, tensorShapeOf } from '../grid-tensors';
import type { Featurizer } from './featurizer';

/** [..., spatial, c] read at every voxel of `to`, linearly, from a tensor on `from`. */
function resampleOnto(tensor: tf.Tensor, from: ImageGrid, to: ImageGrid): tf.Tensor {
  return tf.tidy(() => {
    const d = to.size.length;
    const points = slabPoints(to.size, 0, to.size[d - 1], indexToIndexMatrix(to, from));
    const sampled = gridSample(tensor, tf.tensor2d(points, [points.length / d, d]), { padding: 'border' });
    return tf.reshape(sampled, tensorShapeOf(to, tensor.shape[tensor.rank - 1]));
  });
}

/** Pads [..., spatial, c] at the high end of each axis to multiples of `multiple` (edge values). */
function padToMultiple(t: tf.Tensor, multiple: number): { padded: tf.Tensor; spatial: number[] } {
  const spatial = t.shape.slice(0, t.rank - 1);
  const padding = spatial.map((n) => [0, (multiple - (n % multiple)) % multiple] as [number, number]);
  if (padding.every(([, after]) => after === 0)) return { padded: t.clone(), spatial };
  return { padded: tf.mirrorPad(t, [...padding, [0, 0]], 'symmetric'), spatial };
}

export class LearnedFeaturizer implements Featurizer {
  readonly name: string;
  readonly channels: number;
  /** λ is inside the features: attention takes them as they are. */
  readonly calibrated = true;
  readonly #spec: FeatureNetworkSpec;
  readonly #weights: tf.Tensor[];
  readonly resolutionMm: number;

  constructor(model: LoadedModel, name: string) {
    this.#spec = model.spec;
    this.resolutionMm = model.resolutionMm;
    this.channels = model.spec.channels;
    this.name = `learned model ${name} (${model.spec.dimension}D, ${model.spec.channels} channels at ${model.resolutionMm} mm)`;
    const shapes = weightSpecs(model.spec).map((w) => w.shape as number[]);
    this.#weights = model.weights.map((values, i) => tf.tensor(values, shapes[i]));
  }

  featurize(image: tf.Tensor, grid: ImageGrid): tf.Tensor {
    return tf.tidy(() => {
      const spacing = Math.min(...grid.spacing);
      const own = Math.abs(spacing - this.resolutionMm) > 0.1 * this.resolutionMm ? regridToSpacing(grid, grid.size.map(() => this.resolutionMm)) : grid;
      const input = own === grid ? image : resampleOnto(image, grid, own);
      const { padded, spatial } = padToMultiple(input, sizeMultiple(this.#spec));
      const features = tf.squeeze(featureNetwork(this.#spec, this.#weights, tf.expandDims(padded, 0), { inference: true }), [0]);
      const cropped = tf.slice(features, features.shape.map(() => 0), [...spatial, this.channels]);
      return own === grid ? cropped : resampleOnto(cropped, own, grid);
    });
  }

  dispose(): void {
    tf.dispose(this.#weights);
  }
}
