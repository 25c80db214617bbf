// The pieces of the feature network and its loss, against independent definitions: the
// im2col convolution against tfjs's own conv2d/conv3d (values and gradients, on the cpu
// backend, which has every kernel), the loss against a direct implementation of its formula,
// and the gradients of the whole pair loss — the kernels and λ — against finite differences
// on the backend that trains (wasm).

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { convolve } from '../../../main/engine/training/network/convolution';
import { double, halve } from '../../../main/engine/training/network/resampling';
import type { FeatureNetworkSpec } from '../../../main/engine/training/network/feature-network';
import { featureNetwork, initialWeights, macsPerVoxel, weightSpecs } from '../../../main/engine/training/network/feature-network';
import { featureCycleLoss, featureCycleLossDirect } from '../../../main/engine/training/feature-cycle-loss';
import { pairLoss } from '../../../main/engine/training/pair-loss';
import { roll } from '../../../main/engine/training/equivariance-augmentation';
import { seededRandom } from '../../../main/engine/registration/random';

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('the im2col convolution', () => {
  beforeAll(async () => void (await selectComputeBackend('cpu')));

  for (const dimension of [2, 3] as const) {
    it(`matches tfjs's conv${dimension}d in value and gradient`, () => {
      const spatial = dimension === 2 ? [7, 6] : [5, 4, 6];
      const x = tf.randomNormal([2, ...spatial, 3], 0, 1, 'float32', 1);
      const k = tf.randomNormal([...spatial.map(() => 3), 3, 4], 0, 1, 'float32', 2);
      const bias = tf.randomNormal([4], 0, 1, 'float32', 3);
      const ours = (xx: tf.Tensor, kk: tf.Tensor) => convolve(xx, tf.reshape(kk, [3 ** dimension * 3, 4]) as tf.Tensor2D, bias as tf.Tensor1D, 3);
      const theirs = (xx: tf.Tensor, kk: tf.Tensor) =>
        tf.add(dimension === 2 ? tf.conv2d(xx as tf.Tensor4D, kk as tf.Tensor4D, 1, 'same') : tf.conv3d(xx as tf.Tensor5D, kk as tf.Tensor5D, 1, 'same'), bias);
      expect(maxAbs(ours(x, k).dataSync(), theirs(x, k).dataSync())).toBeLessThan(1e-4);
      const weight = tf.randomNormal(ours(x, k).shape, 0, 1, 'float32', 4);
      const gOurs = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(ours(xx, kk), weight)))([x, k]);
      const gTheirs = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(theirs(xx, kk), weight)))([x, k]);
      for (let i = 0; i < 2; i++) expect(maxAbs(gOurs[i].dataSync(), gTheirs[i].dataSync())).toBeLessThan(1e-3);
    });
  }

  /** The grid padded by one voxel from its far sides, axis by axis (tfjs's ops, which tfjs differentiates). */
  const wrapPadded = (x: tf.Tensor) => {
    let padded = x;
    for (let axis = 1; axis < x.rank - 1; axis++) {
      const n = padded.shape[axis];
      const begin = padded.shape.map(() => 0);
      const last = tf.slice(padded, begin.map((b, i) => (i === axis ? n - 1 : b)), padded.shape.map((s, i) => (i === axis ? 1 : s)));
      const first = tf.slice(padded, begin, padded.shape.map((s, i) => (i === axis ? 1 : s)));
      padded = tf.concat([last, padded, first], axis);
    }
    return padded;
  };

  for (const dimension of [2, 3] as const) {
    it(`with the circular boundary, matches tfjs's conv${dimension}d of the grid padded from its far sides, in value and gradient`, () => {
      const spatial = dimension === 2 ? [5, 6] : [4, 3, 5];
      const x = tf.randomNormal([2, ...spatial, 2], 0, 1, 'float32', 5);
      const k = tf.randomNormal([...spatial.map(() => 3), 2, 3], 0, 1, 'float32', 6);
      const ours = (xx: tf.Tensor, kk: tf.Tensor) => convolve(xx, tf.reshape(kk, [3 ** dimension * 2, 3]) as tf.Tensor2D, undefined, 3, 'circular');
      const theirs = (xx: tf.Tensor, kk: tf.Tensor) =>
        dimension === 2 ? tf.conv2d(wrapPadded(xx) as tf.Tensor4D, kk as tf.Tensor4D, 1, 'valid') : tf.conv3d(wrapPadded(xx) as tf.Tensor5D, kk as tf.Tensor5D, 1, 'valid');
      expect(maxAbs(ours(x, k).dataSync(), theirs(x, k).dataSync())).toBeLessThan(1e-4);
      const weight = tf.randomNormal(ours(x, k).shape, 0, 1, 'float32', 7);
      const gOurs = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(ours(xx, kk), weight)))([x, k]);
      const gTheirs = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(theirs(xx, kk), weight)))([x, k]);
      for (let i = 0; i < 2; i++) expect(maxAbs(gOurs[i].dataSync(), gTheirs[i].dataSync())).toBeLessThan(1e-3);
    });
  }

  it('halves by block means and doubles by repetition, in 2D and 3D', () => {
    const x = tf.tensor(Array.from({ length: 2 * 4 * 4 }, (_, i) => i), [1, 2, 4, 4, 1]);
    const h = halve(x);
    expect(h.shape).toEqual([1, 1, 2, 2, 1]);
    // The block of (z 0–1, y 0–1, x 0–1): values 0,1,4,5,16,17,20,21 → mean 10.5.
    expect(h.dataSync()[0]).toBeCloseTo(10.5, 5);
    const d = double(tf.tensor([1, 2, 3, 4], [1, 2, 2, 1]));
    expect(Array.from(d.dataSync())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('the feature-map inverse-consistency loss', () => {
  beforeAll(async () => void (await selectComputeBackend('wasm')));

  it('equals the direct formula −mean_i log Σ_j softmax_row · softmax_col', () => {
    const random = seededRandom(7);
    const matrix = (k: number, c: number) => Array.from({ length: k }, () => Array.from({ length: c }, () => 3 * (random() - 0.5)));
    const maps = { aForward: matrix(9, 4), bForward: matrix(9, 4), aBackward: matrix(9, 4), bBackward: matrix(9, 4) };
    const direct = featureCycleLossDirect(maps);
    const ours = featureCycleLoss({
      aForward: tf.tensor2d(maps.aForward),
      bForward: tf.tensor2d(maps.bForward),
      aBackward: tf.tensor2d(maps.aBackward),
      bBackward: tf.tensor2d(maps.bBackward),
    }).dataSync()[0];
    expect(ours).toBeCloseTo(direct, 4);
  });

  it('is 0 for perfectly matched, well separated features, and log K for constant ones', () => {
    const k = 16;
    const distinct = tf.mul(tf.oneHot(tf.range(0, k, 1, 'int32'), k), 40) as tf.Tensor2D;
    expect(featureCycleLoss({ aForward: distinct, bForward: distinct, aBackward: distinct, bBackward: distinct }).dataSync()[0]).toBeLessThan(1e-6);
    const constant = tf.ones([k, 3]) as tf.Tensor2D;
    expect(featureCycleLoss({ aForward: constant, bForward: constant, aBackward: constant, bBackward: constant }).dataSync()[0]).toBeCloseTo(Math.log(k), 4);
  });
});

describe('the pair loss through the network, augmentation and sampling', () => {
  const spec: FeatureNetworkSpec = { dimension: 2, widths: [4, 6], channels: 3, convolutionsPerLevel: 1, initialRadius: 12, centerOverBatch: false };
  beforeAll(async () => void (await selectComputeBackend('wasm')));

  it('states its cost per voxel', () => {
    // Encoder: 9·1·4 + 9·4·6/4; decoder: 9·10·4; head: 4·3.
    expect(macsPerVoxel(spec)).toBe(36 + 54 + 360 + 12);
  });

  it('has the numerical gradient for a convolution kernel and for λ', () => {
    const size = [8, 8];
    const random = seededRandom(3);
    const image = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i / 3) * 0.5 + 0.5 + 0.1 * random());
    const pair = { a: image, b: image, size };
    const names = weightSpecs(spec).map((w) => w.name);
    const weights = initialWeights(spec, 5).map((values, i) => tf.tensor(values, weightSpecs(spec)[i].shape as number[]));
    // The same augmentation and sample for every evaluation: the loss is then a function of the weights only.
    const loss = (w: readonly tf.Tensor[]) => pairLoss(spec, w, pair, { augmentation: { affine: true, roll: true, affineStrength: 0.05 }, samples: 24 }, seededRandom(11));
    const grads = tf.grads((...w: tf.Tensor[]) => loss(w))(weights);
    for (const name of ['encoder0/conv0/kernel', 'radius']) {
      const index = names.indexOf(name);
      const values = weights[index].dataSync();
      for (const element of [0, Math.floor(values.length / 2)].slice(0, values.length)) {
        // Central differences in float32: small enough steps for the first layer's curvature.
        const h = name === 'radius' ? 1e-2 : 1e-3;
        const at = (delta: number) => {
          const changed = Float32Array.from(values);
          changed[element] += delta;
          const w = weights.map((t, i) => (i === index ? tf.tensor(changed, t.shape) : t));
          return loss(w).dataSync()[0];
        };
        const numerical = (at(h) - at(-h)) / (2 * h);
        const analytic = grads[index].dataSync()[element];
        expect(Math.abs(analytic - numerical), `${name}[${element}]: ${analytic} vs ${numerical}`).toBeLessThan(5e-3 + 1e-2 * Math.abs(numerical));
      }
    }
  });

  it('produces features of length λ at every voxel', () => {
    const weights = initialWeights(spec, 1).map((values, i) => tf.tensor(values, weightSpecs(spec)[i].shape as number[]));
    const features = featureNetwork(spec, weights, tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 2));
    const norms = tf.norm(features, 'euclidean', -1).dataSync();
    for (const n of norms) expect(n).toBeCloseTo(12, 3);
  });

  it('with circular padding, commutes with rolling exactly (3D): the roll augmentation hides nothing the network could see', () => {
    const circular: FeatureNetworkSpec = { dimension: 3, widths: [4, 8], channels: 4, convolutionsPerLevel: 2, initialRadius: 12, centerOverBatch: false, padding: 'circular' };
    const weights = initialWeights(circular, 3).map((values, i) => tf.tensor(values, weightSpecs(circular)[i].shape as number[]));
    const image = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 4);
    // A shift by whole coarse voxels (even), so that the halving's blocks stay aligned.
    const shift = [2, 4, 6];
    const featurize = (x: tf.Tensor) => tf.squeeze(featureNetwork(circular, weights, tf.expandDims(x, 0)), [0]);
    const rolledThenFeaturized = featurize(roll(image, shift));
    const featurizedThenRolled = roll(featurize(image), shift);
    expect(maxAbs(rolledThenFeaturized.dataSync(), featurizedThenRolled.dataSync())).toBeLessThan(1e-4);
    // With zeros beyond the grid it does not: the border moved.
    const zero = { ...circular, padding: 'zero' as const };
    const plain = (x: tf.Tensor) => tf.squeeze(featureNetwork(zero, weights, tf.expandDims(x, 0)), [0]);
    expect(maxAbs(plain(roll(image, shift)).dataSync(), roll(plain(image), shift).dataSync())).toBeGreaterThan(0.1);
  });
});
