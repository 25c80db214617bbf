// What the instance optimization compares, and on which grid: MIND features on the working grid
// (modality independent), or normalized intensities on the working grid or at the fixed image's
// full resolution (finest detail, same cost per iteration since points are sampled).

import * as tf from '@tensorflow/tfjs-core';
import { voxelCount } from '../../../../shared/geometry/grid';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import type { GridTensor } from '../levels';
import type { RegistrationParameters } from '../parameters';
import { resampleSlabValues } from '../../compute/slab-resampling';
import { normalizedImageValues } from '../working-space';
import { indexToIndexMatrix, tensorShapeOf } from '../grid-tensors';
import { localRadiusVoxels, locallyNormalizeInPlace, normalizationScratch } from './local-normalization';
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

/** A grid tensor's local normalization (local-normalization.ts), as a new tensor; `image` is left as it is. */
async function locallyNormalized(image: GridTensor, radiusMm: number): Promise<tf.Tensor> {
  const values = Float32Array.from((await image.tensor.data()) as Float32Array);
  return tf.tensor(locallyNormalizeInPlace(values, image.grid.size, localRadiusVoxels(image.grid.spacing, radiusMm)), image.tensor.shape, 'float32');
}

/**
 * The signals and regions for the optimizer; `owned` lists what the caller must dispose.
 * At full resolution one image at a time, each kept in JavaScript until its signal is made:
 * the wasm heap keeps its high-water mark for the rest of the process (local-normalization.ts).
 */
export async function similaritySignals(p: RegistrationParameters, w: WorkingTensors, images: OriginalImages): Promise<{ input: Signals; owned: GridTensor[] }> {
  const regions = { fixedRegion: w.fixedRegion, movingRegion: w.movingRegion };
  if (p.optimization.similarity === 'mind') {
    if (!w.fixedFeatures || !w.movingFeatures) throw new Error('the MIND similarity needs the features');
    return { input: { fixedSignal: w.fixedFeatures, movingSignal: w.movingFeatures, ...regions }, owned: [] };
  }
  const local = p.optimization.similarity === 'lncc';
  const radiusMm = p.optimization.localRadiusMm;
  if (p.optimization.similarityResolution === 'working') {
    if (!local) return { input: { fixedSignal: w.fixedW, movingSignal: w.movingW, ...regions }, owned: [] };
    const owned: GridTensor[] = [];
    for (const g of [w.fixedW, w.movingW]) owned.push({ grid: g.grid, tensor: await locallyNormalized(g, radiusMm) });
    return { input: { fixedSignal: owned[0], movingSignal: owned[1], ...regions }, owned };
  }
  const grid = images.fixed.grid;
  const radius = localRadiusVoxels(grid.spacing, radiusMm);
  const scratch = local ? normalizationScratch(voxelCount(grid)) : undefined;
  const signal = (values: Float32Array) => tf.tensor(scratch ? locallyNormalizeInPlace(values, grid.size, radius, scratch) : values, tensorShapeOf(grid, 1), 'float32');
  // The moving image onto the fixed grid through the affine, in JavaScript memory: as tensors
  // the image and its resampled copy were 57 MB more of the wasm heap's high-water mark.
  const d = grid.size.length;
  const movingValues = resampleSlabValues(
    normalizedImageValues(images.moving, images.movingRange),
    tensorShapeOf(images.moving.grid, 1),
    { size: grid.size, first: 0, last: grid.size[d - 1] },
    indexToIndexMatrix(grid, images.moving.grid, images.affine),
  );
  const movingSignal = signal(movingValues);
  let fixedSignal: tf.Tensor;
  try {
    fixedSignal = signal(normalizedImageValues(images.fixed, images.fixedRange));
  } catch (error) {
    movingSignal.dispose();
    throw error;
  }
  const owned: GridTensor[] = [
    { grid, tensor: fixedSignal },
    { grid, tensor: movingSignal },
  ];
  return { input: { fixedSignal: owned[0], movingSignal: owned[1], ...regions }, owned };
}
