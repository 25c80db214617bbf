// The feature network: a small U-Net (an encoder that halves the grid at each level, a decoder
// that doubles it back with skip connections) mapping an image to C feature channels per voxel,
// L2-normalized per voxel and scaled by a trainable radius λ (initially 12). It is defined as
// data — a spec and named weights — plus one forward function of the weights, so that the
// trainer can hold the weights as plain arrays, gradient workers can rebuild them, and a model
// file is just the spec and the arrays.

import * as tf from '@tensorflow/tfjs-core';
import { seededGaussian } from '../../registration/random';
import { convolutionMacs, convolve, convolveForInference } from './convolution';
import { double, halve } from './resampling';

export interface FeatureNetworkSpec {
  readonly dimension: 2 | 3;
  /** Channels at each level, finest first; the grid halves from one level to the next. */
  readonly widths: readonly number[];
  /** Feature channels out. */
  readonly channels: number;
  /** Convolutions per encoder level. */
  readonly convolutionsPerLevel: number;
  /** The radius λ features start with. */
  readonly initialRadius: number;
  /** Subtract each position's mean over the batch before normalizing (removes shared position codes). */
  readonly centerOverBatch: boolean;
  /**
   * What a convolution sees beyond the grid: zeros (the default, and what models without this
   * field were trained with), or the grid's far side ('circular'). Rolling moves the grid's
   * border into the anatomy, at a different place in each augmentation draw; with zeros there,
   * every voxel whose receptive field reaches the border gets features that differ between
   * draws. In 3D crops of 32–48 voxels that is nearly every voxel, and runs collapsed to
   * constant features (loss log K) at once; with circular padding rolling is exact for the
   * network.
   */
  readonly padding?: 'zero' | 'circular';
}

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Kernel edge length of every convolution but the head's. */
const kernelSize = 3;

/** The weights the spec needs, in a fixed order: what model files and gradient messages list. */
export function weightSpecs(spec: FeatureNetworkSpec): WeightSpec[] {
  const k = kernelSize ** spec.dimension;
  const specs: WeightSpec[] = [];
  const kernel = (name: string, cin: number, cout: number, taps = k) => specs.push({ name: `${name}/kernel`, shape: [taps * cin, cout] });
  const conv = (name: string, cin: number, cout: number, taps = k) => {
    kernel(name, cin, cout, taps);
    specs.push({ name: `${name}/bias`, shape: [cout] });
  };
  spec.widths.forEach((width, level) => {
    for (let i = 0; i < spec.convolutionsPerLevel; i++) conv(`encoder${level}/conv${i}`, i === 0 ? (level === 0 ? 1 : spec.widths[level - 1]) : width, width);
  });
  // A decoder level convolves the concatenation of the doubled coarser level and the skip
  // connection; written as the sum of one convolution of each, which is the same map.
  for (let level = spec.widths.length - 2; level >= 0; level--) {
    conv(`decoder${level}/up`, spec.widths[level + 1], spec.widths[level]);
    kernel(`decoder${level}/skip`, spec.widths[level], spec.widths[level]);
  }
  // No bias on the head: a constant vector added to every voxel's features can outgrow what
  // varies, and once normalized the features are then all alike and their gradients vanish
  // (the run collapses to the loss log K). Measured: runs that collapsed did so through it.
  kernel('head', spec.widths[0], spec.channels, 1);
  specs.push({ name: 'radius', shape: [] });
  return specs;
}

/** He-initialized weights (normal, variance 2/fan-in), zero biases, the radius at its start. */
export function initialWeights(spec: FeatureNetworkSpec, seed: number): Float32Array[] {
  const gaussian = seededGaussian(seed);
  return weightSpecs(spec).map(({ name, shape }) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name === 'radius') values[0] = spec.initialRadius;
    else if (name.endsWith('/kernel')) {
      const scale = Math.sqrt(2 / shape[0]);
      for (let i = 0; i < values.length; i++) values[i] = gaussian() * scale;
    }
    return values;
  });
}

/** The grid's sizes must be multiples of this, so that every level halves exactly. */
export function sizeMultiple(spec: FeatureNetworkSpec): number {
  return 2 ** (spec.widths.length - 1);
}

/**
 * Features of a batch: `x` is [batch, ...spatial, 1] with spatial sizes multiples of
 * sizeMultiple(spec); returns [batch, ...spatial, channels], each voxel's vector of length λ.
 * `weights` holds tensors in weightSpecs order. With `inference`, nothing is differentiable and
 * memory stays bounded on big grids.
 */
export function featureNetwork(spec: FeatureNetworkSpec, weights: readonly tf.Tensor[], x: tf.Tensor, options: { inference?: boolean } = {}): tf.Tensor {
  return tf.tidy(() => {
    let next = 0;
    const take = () => weights[next++];
    const boundary = spec.padding ?? 'zero';
    const convolution = (input: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined, size: number) =>
      (options.inference ? convolveForInference : convolve)(input, kernel, bias, size, boundary);
    const conv = (input: tf.Tensor, size = kernelSize) => convolution(input, take() as tf.Tensor2D, take() as tf.Tensor1D, size);
    // Leaky: a voxel whose activations all died would have no direction to normalize.
    const activate = (t: tf.Tensor) => tf.leakyRelu(t, 0.1);
    const skips: tf.Tensor[] = [];
    let h = x;
    spec.widths.forEach((_, level) => {
      if (level > 0) h = halve(h);
      for (let i = 0; i < spec.convolutionsPerLevel; i++) h = activate(conv(h));
      skips.push(h);
    });
    for (let level = spec.widths.length - 2; level >= 0; level--) {
      const up = conv(double(h));
      h = activate(tf.add(up, convolution(skips[level], take() as tf.Tensor2D, undefined, kernelSize)));
    }
    let features = convolution(h, take() as tf.Tensor2D, undefined, 1);
    if (spec.centerOverBatch) features = tf.sub(features, tf.mean(features, 0, true));
    const radius = take();
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(features), x.rank - 1, true), 1e-8));
    return tf.mul(tf.div(features, norm), radius);
  });
}

/** Multiply-adds per input voxel of one forward pass (a training step costs about three times more). */
export function macsPerVoxel(spec: FeatureNetworkSpec): number {
  const d = spec.dimension;
  let macs = 0;
  spec.widths.forEach((width, level) => {
    const share = 1 / 2 ** (d * level);
    for (let i = 0; i < spec.convolutionsPerLevel; i++) macs += share * convolutionMacs(d, kernelSize, i === 0 ? (level === 0 ? 1 : spec.widths[level - 1]) : width, width);
  });
  for (let level = spec.widths.length - 2; level >= 0; level--) macs += convolutionMacs(d, kernelSize, spec.widths[level + 1] + spec.widths[level], spec.widths[level]) / 2 ** (d * level);
  return macs + convolutionMacs(d, 1, spec.widths[0], spec.channels);
}
