// Training will backpropagate through the featurizer slot, the attention, the warp and the
// losses. This checks that chain end to end on a small image: a featurizer with trainable
// weights (one convolution, features L2-normalized and scaled by a radius, as the learned one
// will be), global and local coordinate attention, the warp by the attended displacement, and
// the similarity; the gradient with respect to the weights matches finite differences.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { gridSample } from '../../../main/engine/compute/grid-sample';
import { localAttention } from '../../../main/engine/compute/local-attention';
import { globalAttention } from '../../../main/engine/registration/attention/global-attention';
import type { Featurizer } from '../../../main/engine/registration/features/featurizer';
import { featureSsd, nccLoss } from '../../../main/engine/registration/losses/similarity';

/**
 * The shape of a learned featurizer: a 3×3 convolution (as patches times weights, which every
 * backend can differentiate; wasm has no Conv2DBackpropFilter), L2 normalization, radius λ.
 */
class TinyFeaturizer implements Featurizer {
  readonly name = 'tiny';
  readonly channels = 4;
  constructor(readonly weights: tf.Tensor2D, private readonly radius = 12) {}
  featurize(image: tf.Tensor, _grid: ImageGrid): tf.Tensor {
    return tf.tidy(() => {
      const [ny, nx] = image.shape;
      const padded = tf.pad(image, [[1, 1], [1, 1], [0, 0]]);
      const patches: tf.Tensor[] = [];
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) patches.push(tf.slice(padded, [dy, dx, 0], [ny, nx, 1]));
      const f = tf.reshape(tf.matMul(tf.reshape(tf.concat(patches, 2), [ny * nx, 9]), this.weights), [ny, nx, this.channels]);
      return tf.mul(tf.div(f, tf.add(tf.norm(f, 'euclidean', -1, true), 1e-6)), this.radius / 4);
    });
  }
  dispose(): void {}
}

const grid: ImageGrid = { size: [12, 10], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`the differentiable path on ${backend}`, () => {
    beforeAll(async () => {
      await selectComputeBackend(backend);
    });

    it('gives the numerical gradient through featurizer, attention, warp and losses', () => {
      const fixed = tf.randomUniform([10, 12, 1], 0, 1, 'float32', 1);
      const moving = tf.randomUniform([10, 12, 1], 0, 1, 'float32', 2);
      const points = tf.tensor2d(Array.from({ length: 120 }, (_, i) => [i % 12, Math.floor(i / 12)]).flat(), [120, 2]);
      const loss = (w: tf.Tensor) =>
        tf.tidy(() => {
          const featurizer = new TinyFeaturizer(w as tf.Tensor2D);
          const a = featurizer.featurize(fixed, grid);
          const b = featurizer.featurize(moving, grid);
          // Global: every fixed point against all moving points, coordinates as values.
          const global = globalAttention(tf.reshape(a, [120, 4]) as tf.Tensor2D, tf.reshape(b, [120, 4]) as tf.Tensor2D, points, 50);
          // Local: a window of ±1 around each point.
          const local = localAttention(a, b, tf.reshape(points, [10, 12, 2]), 1);
          const target = tf.add(tf.mul(global.values, 0.5), tf.mul(tf.reshape(local.values, [120, 2]), 0.5));
          const warped = gridSample(moving, target as tf.Tensor2D);
          return tf.add(tf.add(nccLoss(tf.reshape(fixed, [120, 1]), warped), featureSsd(a, b)), tf.mul(tf.mean(global.variance), 0.01)) as tf.Scalar;
        });
      const weights = tf.randomNormal([9, 4], 0, 1, 'float32', 3);
      const analytic = tf.grad(loss)(weights).dataSync();
      const w = weights.dataSync();
      const h = 1e-2;
      for (const i of [0, 7, 13, 22, 35]) {
        const plus = w.slice();
        plus[i] += h;
        const minus = w.slice();
        minus[i] -= h;
        const numeric = (loss(tf.tensor(plus, weights.shape)).dataSync()[0] - loss(tf.tensor(minus, weights.shape)).dataSync()[0]) / (2 * h);
        expect(Math.abs(analytic[i] - numeric)).toBeLessThan(2e-3 + 0.05 * Math.abs(numeric));
      }
      tf.dispose([fixed, moving, points, weights]);
    });
  });
}
