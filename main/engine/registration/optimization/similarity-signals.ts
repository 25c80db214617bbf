// What the instance optimization compares, and on which grid: MIND features on the working grid
// (modality independent), or normalized intensities on the working grid or at the fixed image's
// full resolution (finest detail, same cost per iteration since points are sampled).

import * as tf from '@tensorflow/tfjs-core';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import type { GridTensor } from '../levels';
import type { RegistrationParameters } from '../parameters';
import { normalizedImageTensor, resampleTensor } from '../working-space';
import { boxFilter } from '../filters';
import type { OptimizationInput } from './instance-optimization';

export interface WorkingTensors {
  readonly fixedW: GridTensor;
  readonly movingW: GridTensor;
  /** Present when features were computed (attention, or the 'mind' similarity). */
  readonly fixedFeatures?: GridTensor;
  readonly movingFeatures?: GridTensor;
  readonly fixedRegion: GridTensor;
  readonly movingRegion: GridTensor;
}

export interface OriginalImages {
  readonly fixed: ScalarImage;
  readonly moving: ScalarImage;
  readonly fixedRange: [number, number];
  readonly movingRange: [number, number];
  readonly affine: readonly number[];
}

type Signals = Pick<OptimizationInput, 'fixedSignal' | 'movingSignal' | 'fixedRegion' | 'movingRegion'>;

/**
 * (I − μ) / σ with the local mean and deviation in a box of about `radiusMm`: what local
 * normalized cross-correlation compares, precomputed per image (exact for the fixed image,
 * and for the moving one up to the deformation within a window).
 */
export function locallyNormalized(image: tf.Tensor, spacing: readonly number[], radiusMm: number): tf.Tensor {
  const radius = Math.max(1, Math.round(radiusMm / Math.min(...spacing)));
  // Step by step, each temporary released as soon as it is used: at full resolution every one
  // is 28 MB, and the wasm heap keeps its high-water mark for the rest of the process.
  const mean = boxFilter(image, radius);
  const meanOfSquares = tf.tidy(() => boxFilter(tf.square(image), radius));
  // A deviation floor of 5% of the intensity range: flat background must not be blown up
  // into noise that the deformation then chases.
  const deviation = tf.tidy(() => tf.sqrt(tf.add(tf.relu(tf.sub(meanOfSquares, tf.square(mean))), 0.05 ** 2)));
  meanOfSquares.dispose();
  const centred = tf.sub(image, mean);
  mean.dispose();
  const normalized = tf.div(centred, deviation);
  tf.dispose([centred, deviation]);
  return normalized;
}

/** The signals and regions for the optimizer; `owned` lists what the caller must dispose. */
export function similaritySignals(p: RegistrationParameters, w: WorkingTensors, images: OriginalImages): { input: Signals; owned: GridTensor[] } {
  const regions = { fixedRegion: w.fixedRegion, movingRegion: w.movingRegion };
  if (p.optimization.similarity === 'mind') {
    if (!w.fixedFeatures || !w.movingFeatures) throw new Error('the MIND similarity needs the features');
    return { input: { fixedSignal: w.fixedFeatures, movingSignal: w.movingFeatures, ...regions }, owned: [] };
  }
  const local = p.optimization.similarity === 'lncc';
  const signal = (t: tf.Tensor, spacing: readonly number[]) => (local ? locallyNormalized(t, spacing, p.optimization.localRadiusMm) : t);
  if (p.optimization.similarityResolution === 'working') {
    if (!local) return { input: { fixedSignal: w.fixedW, movingSignal: w.movingW, ...regions }, owned: [] };
    const owned = [w.fixedW, w.movingW].map((g) => ({ grid: g.grid, tensor: signal(g.tensor, g.grid.spacing) }));
    return { input: { fixedSignal: owned[0], movingSignal: owned[1], ...regions }, owned };
  }
  const grid = images.fixed.grid;
  // One image at a time, intermediates released in between (see locallyNormalized).
  const stepwise = (...steps: ((t: tf.Tensor) => tf.Tensor)[]) => (start: tf.Tensor) =>
    steps.reduce((t, step) => {
      const next = step(t);
      if (next !== t) t.dispose();
      return next;
    }, start);
  const fixedSignal = stepwise((t) => signal(t, grid.spacing))(normalizedImageTensor(images.fixed, images.fixedRange));
  const movingSignal = stepwise(
    (t) => resampleTensor(t, images.moving.grid, grid, images.affine),
    (t) => signal(t, grid.spacing),
  )(normalizedImageTensor(images.moving, images.movingRange));
  const owned: GridTensor[] = [
    { grid, tensor: fixedSignal },
    { grid, tensor: movingSignal },
  ];
  return { input: { fixedSignal: owned[0], movingSignal: owned[1], ...regions }, owned };
}
