// Smooth random fields: white noise on a coarse grid, smoothed by a Gaussian. The basis of the
// synthetic deformations (as stationary velocity fields) and bias fields.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { downsampledGrid, smoothNormalized } from '../registration/filters';
import { tensorShapeOf } from '../registration/grid-tensors';
import type { GridTensor } from '../registration/levels';
import { seededGaussian } from '../registration/random';

/**
 * A random field with `channels` components on a grid covering `grid` at `spacingMm`, smoothed
 * with a Gaussian of `smoothnessMm`, scaled to unit root-mean-square per component.
 */
export function smoothRandomField(grid: ImageGrid, spacingMm: number, smoothnessMm: number, channels: number, seed: number): GridTensor {
  const factor = Math.max(1, Math.round(spacingMm / Math.min(...grid.spacing)));
  const coarse = downsampledGrid(grid, factor);
  const gaussian = seededGaussian(seed);
  const shape = tensorShapeOf(coarse, channels);
  const noise = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, gaussian);
  const tensor = tf.tidy(() => {
    const sigma = smoothnessMm / Math.min(...coarse.spacing);
    const smooth = smoothNormalized(tf.tensor(noise, shape), sigma);
    const rms = tf.sqrt(tf.mean(tf.square(smooth)));
    return tf.div(smooth, rms);
  });
  return { grid: coarse, tensor };
}
