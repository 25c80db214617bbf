// What the instance optimization compares, and on which grid: MIND features on the working grid
// (modality independent), or normalized intensities on the working grid or at the fixed image's
// full resolution (finest detail, same cost per iteration since points are sampled).

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import { voxelCount } from '../../../../shared/geometry/grid';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import { gridSample } from '../../compute/grid-sample';
import { kernelThreadCount, poolFloats } from '../../compute/kernel-pool/kernel-pool';
import { sharedFloats } from '../../compute/kernel-pool/shared-scratch';
import type { SharedImage } from '../../compute/shared-image';
import { backendSharesImages, sampleSharedImage, sharedImage, sharedImageOf } from '../../compute/shared-image';
import { resampleRowsOnThreads } from '../../compute/rows-on-threads';
import { rowCount } from '../../compute/row-resampling-loops';
import { indexToIndexMatrix, tensorShapeOf } from '../grid-tensors';
import type { GridTensor } from '../levels';
import type { OptimizationParameters, RegistrationParameters } from '../parameters';
import { normalizedImageValues } from '../working-space';
import type { OptimizationInput } from './instance-optimization';
import { localRadiusVoxels, locallyNormalizeInPlace, normalizationScratch } from './local-normalization';
import { velocityOnHost } from './velocity-objective';

/**
 * What the similarity compares, on one grid of the fixed frame. It never changes during the
 * optimization: shared with the kernel threads where there are some and the backend's memory
 * allows (shared-image.ts), a tensor elsewhere.
 */
export type Signal = { readonly grid: ImageGrid; readonly tensor: tf.Tensor } | { readonly grid: ImageGrid; readonly shared: SharedImage };

/** The signal at continuous index points [n, D]: [n, C], differentiable in the points. */
export function sampleSignal(signal: Signal, points: tf.Tensor2D): tf.Tensor2D {
  return 'shared' in signal ? sampleSharedImage(signal.shared, points) : gridSample(signal.tensor, points, { constantImage: true });
}

/**
 * Whether the signals go to shared memory: where the backend's memory is JavaScript's, and
 * either the optimizer's step runs on the host (velocity-objective.ts reads them as arrays) or
 * there are kernel threads to share them with. Otherwise they stay tensors on the backend's
 * heap: with the step as tensor ops on one thread, shared signals were 56 MB the collector freed
 * only later, and the brain's peak was 815–857 MiB against 766–778 (measured).
 */
function sharedSignals(p: OptimizationParameters): boolean {
  return backendSharesImages() && (velocityOnHost(p) || kernelThreadCount() > 1);
}

/**
 * Where a one-channel signal on `grid` is made: straight in shared memory where signals are
 * shared. (Made elsewhere and copied in, the copies were 56 MB more at the peak, which the
 * allocator then kept: measured on the 1 mm brain.)
 */
function signalValues(grid: ImageGrid, shared: boolean): Float32Array {
  return shared ? sharedFloats(voxelCount(grid)) : new Float32Array(voxelCount(grid));
}

/** A signal from values made in JavaScript; a tensor, to dispose, where images are not shared. */
function signalFromValues(values: Float32Array, grid: ImageGrid, owned: tf.Tensor[], shared: boolean): Signal {
  const shape = tensorShapeOf(grid, 1);
  if (shared) return { grid, shared: values.buffer instanceof SharedArrayBuffer ? { shape, values } : sharedImage(values, shape) };
  const tensor = tf.tensor(values, shape, 'float32');
  owned.push(tensor);
  return { grid, tensor };
}

/** A signal of an existing tensor (which stays its owner's). */
async function signalOf(t: GridTensor, shared: boolean): Promise<Signal> {
  return shared ? { grid: t.grid, shared: await sharedImageOf(t.tensor) } : t;
}

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
 * The signals' shared arrays, for the outputs to write into once the optimizer is done with
 * them (dense-outputs.ts takes those of an output's length): a 1 mm brain's two are 57 MB that
 * need not be allocated and touched again, and whose garbage would wait for a collection.
 */
export function spentSignalArrays(input: Pick<Signals, 'fixedSignal' | 'movingSignal'>): Float32Array[] {
  return [input.fixedSignal, input.movingSignal].flatMap((signal) => ('shared' in signal && signal.shared.values.buffer instanceof SharedArrayBuffer ? [signal.shared.values] : []));
}

/** A grid tensor's local normalization (local-normalization.ts), as new values; `image` is left as it is. */
async function locallyNormalized(image: GridTensor, radiusMm: number): Promise<Float32Array> {
  const values = Float32Array.from((await image.tensor.data()) as Float32Array);
  return locallyNormalizeInPlace(values, image.grid.size, localRadiusVoxels(image.grid.spacing, radiusMm));
}

/**
 * The signals and regions for the optimizer; `owned` lists the tensors the caller must dispose.
 * At full resolution one image at a time, each kept in JavaScript until its signal is made:
 * the wasm heap keeps its high-water mark for the rest of the process (local-normalization.ts).
 */
export async function similaritySignals(p: RegistrationParameters, w: WorkingTensors, images: OriginalImages): Promise<{ input: Signals; owned: tf.Tensor[] }> {
  const regions = { fixedRegion: w.fixedRegion, movingRegion: w.movingRegion };
  const owned: tf.Tensor[] = [];
  const shared = sharedSignals(p.optimization);
  if (p.optimization.similarity === 'mind') {
    if (!w.fixedFeatures || !w.movingFeatures) throw new Error('the MIND similarity needs the features');
    return { input: { fixedSignal: await signalOf(w.fixedFeatures, shared), movingSignal: await signalOf(w.movingFeatures, shared), ...regions }, owned };
  }
  const local = p.optimization.similarity === 'lncc';
  const radiusMm = p.optimization.localRadiusMm;
  if (p.optimization.similarityResolution === 'working') {
    if (!local) return { input: { fixedSignal: await signalOf(w.fixedW, shared), movingSignal: await signalOf(w.movingW, shared), ...regions }, owned };
    const signals: Signal[] = [];
    for (const g of [w.fixedW, w.movingW]) signals.push(signalFromValues(await locallyNormalized(g, radiusMm), g.grid, owned, shared));
    return { input: { fixedSignal: signals[0], movingSignal: signals[1], ...regions }, owned };
  }
  const grid = images.fixed.grid;
  const radius = localRadiusVoxels(grid.spacing, radiusMm);
  const scratch = local ? normalizationScratch(voxelCount(grid)) : undefined;
  const signal = (values: Float32Array) => signalFromValues(scratch ? locallyNormalizeInPlace(values, grid.size, radius, scratch) : values, grid, owned, shared);
  // The moving image onto the fixed grid through the affine, in JavaScript memory: as tensors
  // the image and its resampled copy were 57 MB more of the wasm heap's high-water mark. Split
  // over the kernel threads where the signals are shared, the image with them.
  const movingImage = { shape: tensorShapeOf(images.moving.grid, 1), values: normalizedImageValues(images.moving, images.movingRange, poolFloats(images.moving.pixels.length)) };
  const movingValues = signalValues(grid, shared);
  const map = { size: grid.size, map: indexToIndexMatrix(grid, images.moving.grid, images.affine), vectorMap: [] };
  resampleRowsOnThreads(movingImage, map, [0, rowCount(grid.size)], movingValues);
  try {
    const movingSignal = signal(movingValues);
    const fixedSignal = signal(normalizedImageValues(images.fixed, images.fixedRange, signalValues(grid, shared)));
    return { input: { fixedSignal, movingSignal, ...regions }, owned };
  } catch (error) {
    tf.dispose(owned);
    throw error;
  }
}
