// Stage 5, results at full resolution on the fixed grid: the deformable displacement u and its
// inverse v (world mm), the warped moving image (linear), warped label maps (nearest), and the
// Jacobian determinant of the full map T(x) = A(x + u(x)). Computed slab by slab so that a
// 7-megavoxel grid never needs more than a slab's worth of tensors.
//
// Where the backend's memory is JavaScript's (wasm, cpu) the same loops run on the kernel
// threads, straight into the outputs (rows-on-threads.ts): as tensor kernels they ran on one
// thread into the backend's heap, and every value was then copied out, a first touch of 230 MB
// of fresh pages for a 1 mm brain (11 µs a page on these machines) on that one thread too.
//
// The Jacobian is the exact derivative of the interpolated control-grid field, not a finite
// difference of the resampled one.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import { indexToWorldMatrix, voxelCount, worldToIndexMatrix } from '../../../../shared/geometry/grid';
import { determinant, multiplyMatrices } from '../../../../shared/math/matrix';
import type { PixelArray, ScalarImage } from '../../../../shared/image/voxel-image';
import { finiteRange } from '../../../../shared/image/statistics';
import type { AffineTransform } from '../../../../shared/transforms/transform';
import { linearPart } from '../../../../shared/transforms/transform';
import { poolFloats, pooledCopy } from '../../compute/kernel-pool/kernel-pool';
import { slabRows } from '../../compute/row-resampling-loops';
import { determinantRowsOnThreads, resampleRowsOnThreads } from '../../compute/rows-on-threads';
import { backendSharesImages, sharedImageOf } from '../../compute/shared-image';
import { jacobianDeterminantSlab, resampleSlab } from '../../compute/slab-resampling';
import { copyTensorInto } from '../../compute/typed-array-kernel';
import { imageToTensor, indexToIndexMatrix, slabs, tensorShapeOf, worldVectorToIndexMatrix } from '../grid-tensors';
import type { GridTensor, StageReporter } from '../levels';

export interface DenseOutputs {
  readonly displacement: Float32Array;
  readonly inverse: Float32Array;
  /** float32, or float64 for a moving image whose values float32 cannot hold (see below). */
  readonly warpedMoving: Float32Array | Float64Array;
  readonly warpedLabels: readonly PixelArray[];
  readonly jacobianDeterminant: Float32Array;
}

export interface DenseOutputInput {
  readonly fixedGrid: ImageGrid;
  readonly moving: ScalarImage;
  readonly labels: readonly ScalarImage[];
  readonly affine: AffineTransform;
  /** Fixed→moving and moving→fixed displacements on a control grid of the fixed frame. */
  readonly forward: GridTensor;
  readonly backward: GridTensor;
  /**
   * Shared arrays nothing reads any more (the optimizer's signals), which outputs of their
   * length may be written into on the kernel threads' path instead of new ones.
   */
  readonly spare?: readonly Float32Array[];
}

/** Magnitudes float32 holds with its full precision, well inside its range of 1e-38 to 3e38. */
const float32Safe = { min: 1e-30, max: 1e30 };

/**
 * What the moving image's values are divided by before they are warped in float32: 1, or the
 * largest magnitude of a float64 image around 1e302 (or 1e-302), which has no float32 values.
 * Warped divided by it and multiplied back in double precision, it comes out right, since
 * linear interpolation commutes with scaling.
 */
function warpScale(pixels: PixelArray): number {
  if (!(pixels instanceof Float64Array)) return 1;
  const { min, max } = finiteRange(pixels);
  const peak = Math.max(Math.abs(min), Math.abs(max));
  return peak === 0 || (peak >= float32Safe.min && peak <= float32Safe.max) ? 1 : peak;
}

/** The pixels divided by `scale`, in float32, into `out`. */
function scaledValues(pixels: PixelArray, scale: number, out: Float32Array): Float32Array {
  if (scale === 1) out.set(pixels);
  else for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / scale;
  return out;
}

/** The moving image as a float32 tensor to warp, and the factor its values were divided by. */
function movingToWarp(moving: ScalarImage): { tensor: tf.Tensor; scale: number } {
  const scale = warpScale(moving.pixels);
  if (scale === 1) return { tensor: imageToTensor(moving), scale };
  return { tensor: tf.tensor(scaledValues(moving.pixels, scale, new Float32Array(moving.pixels.length)), tensorShapeOf(moving.grid, 1), 'float32'), scale };
}

/**
 * The outputs. `onTensors` keeps to the tensor kernels where the host loops would run (the
 * tests compare the two); a GPU backend always takes them.
 */
export async function computeDenseOutputs(input: DenseOutputInput, report: StageReporter, options: { onTensors?: boolean } = {}): Promise<DenseOutputs> {
  return backendSharesImages() && !options.onTensors ? denseOutputsOnThreads(input, report) : denseOutputsOnTensors(input, report);
}

/** The moving-image map and the label maps: the target index, and u, into each source's index space. */
function sourceMaps(input: DenseOutputInput) {
  const { fixedGrid, affine } = input;
  const d = fixedGrid.size.length;
  // Moving index of A(x + u): W2I_moving · A · I2W_fixed on the index, plus W2I_moving · A_linear on u.
  const intoSource = (grid: ImageGrid) => {
    const toSource = multiplyMatrices(worldToIndexMatrix(grid), affine.matrix as number[]);
    const linear: number[] = [];
    for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) linear.push(toSource[r * (d + 1) + c]);
    return { map: multiplyMatrices(toSource, indexToWorldMatrix(fixedGrid)), vectorMap: linear };
  };
  return { moving: intoSource(input.moving.grid), labels: input.labels.map((l) => intoSource(l.grid)) };
}

/** computeDenseOutputs on the kernel threads, straight into the outputs (shared where there are threads). */
async function denseOutputsOnThreads(input: DenseOutputInput, report: StageReporter): Promise<DenseOutputs> {
  const { fixedGrid, affine, forward, backward } = input;
  const d = fixedGrid.size.length;
  const n = voxelCount(fixedGrid);
  const fieldMap = { size: fixedGrid.size, map: indexToIndexMatrix(fixedGrid, forward.grid), vectorMap: [] };
  const [forwardField, backwardField] = [await sharedImageOf(forward.tensor), await sharedImageOf(backward.tensor)];
  const maps = sourceMaps(input);
  const movingScale = warpScale(input.moving.pixels);
  const movingImage = { shape: tensorShapeOf(input.moving.grid, 1), values: scaledValues(input.moving.pixels, movingScale, poolFloats(input.moving.pixels.length)) };
  const labelImages = input.labels.map((l) => ({ shape: tensorShapeOf(l.grid, 1), values: pooledCopy(l.pixels) }));
  const spare = [...(input.spare ?? [])];
  const floats = (length: number) => {
    const at = spare.findIndex((a) => a.length === length);
    return at >= 0 ? spare.splice(at, 1)[0] : poolFloats(length);
  };
  const displacement = poolFloats(n * d);
  const inverse = poolFloats(n * d);
  // (Each is written whole below, so a spare array's old values never show.)
  const jacobianDeterminant = floats(n);
  const warped = movingScale === 1 ? floats(n) : undefined;
  const warpedMoving = warped ?? new Float64Array(n);
  const warpedLabels = input.labels.map((l) => new (l.pixels.constructor as new (n: number) => PixelArray)(n));
  // Slab by slab as on tensors, here for the progress and a cancel between slabs.
  const parts = slabs(fixedGrid);
  const perSlice = n / fixedGrid.size[d - 1];
  // A slab's nearest-neighbour labels (and a rescaled warp) pass through here, then convert.
  const slabScratch = poolFloats(Math.max(...parts.map(([first, last]) => (last - first) * perSlice)));
  const worldToControl = worldVectorToIndexMatrix(forward.grid);
  const affineDeterminant = determinant(linearPart(affine));
  for (const [i, [first, last]] of parts.entries()) {
    const rows = slabRows(fixedGrid.size, first, last);
    const at = first * perSlice;
    const count = (last - first) * perSlice;
    const u = displacement.subarray(at * d, (at + count) * d);
    resampleRowsOnThreads(forwardField, fieldMap, rows, u, { padding: 'border' });
    resampleRowsOnThreads(backwardField, fieldMap, rows, inverse.subarray(at * d, (at + count) * d), { padding: 'border' });
    const scratch = slabScratch.subarray(0, count);
    resampleRowsOnThreads(movingImage, { size: fixedGrid.size, ...maps.moving }, rows, warped?.subarray(at, at + count) ?? scratch, { displacement: u });
    if (!warped) for (let k = 0; k < count; k++) warpedMoving[at + k] = scratch[k] * movingScale;
    determinantRowsOnThreads(forwardField, fieldMap, worldToControl, affineDeterminant, rows, jacobianDeterminant.subarray(at, at + count));
    for (const [l, image] of labelImages.entries()) {
      resampleRowsOnThreads(image, { size: fixedGrid.size, ...maps.labels[l] }, rows, scratch, { displacement: u, interpolation: 'nearest' });
      warpedLabels[l].set(scratch, at);
    }
    report((i + 1) / parts.length);
    // Nothing here waits otherwise: let the job's messages (a cancel among them) in.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { displacement, inverse, warpedMoving, warpedLabels, jacobianDeterminant };
}

/** computeDenseOutputs as tensor kernels, slab by slab, read back to the host. */
async function denseOutputsOnTensors(input: DenseOutputInput, report: StageReporter): Promise<DenseOutputs> {
  const { fixedGrid, affine, forward, backward } = input;
  const d = fixedGrid.size.length;
  const n = voxelCount(fixedGrid);
  const displacement = new Float32Array(n * d);
  const inverse = new Float32Array(n * d);
  const { tensor: movingTensor, scale: movingScale } = movingToWarp(input.moving);
  const warpedMoving = movingScale === 1 ? new Float32Array(n) : new Float64Array(n);
  const jacobianDeterminant = new Float32Array(n);
  const warpedLabels = input.labels.map((l) => new (l.pixels.constructor as new (n: number) => PixelArray)(n));
  const toControl = indexToIndexMatrix(fixedGrid, forward.grid);
  const affineDeterminant = determinant(linearPart(affine));
  const worldToControl = worldVectorToIndexMatrix(forward.grid);
  const { moving: movingMap, labels: labelMaps } = sourceMaps(input);
  const labelTensors = input.labels.map(imageToTensor);
  try {
    const parts = slabs(fixedGrid);
    let offset = 0;
    for (const [i, [first, last]] of parts.entries()) {
      const slab = { size: fixedGrid.size, first, last };
      const count = (last - first) * fixedGrid.size.slice(0, d - 1).reduce((a, b) => a * b, 1);
      const computed = tf.tidy(() => {
        const u = resampleSlab(forward.tensor, slab, toControl, { padding: 'border' });
        return {
          u,
          v: resampleSlab(backward.tensor, slab, toControl, { padding: 'border' }),
          warped: resampleSlab(movingTensor, slab, movingMap.map, { displacement: u, vectorMap: movingMap.vectorMap }),
          jacobian: tf.mul(jacobianDeterminantSlab(forward.tensor, slab, toControl, worldToControl), affineDeterminant),
          labels: labelTensors.map((t, l) =>
            resampleSlab(t, slab, labelMaps[l].map, { displacement: u, vectorMap: labelMaps[l].vectorMap, interpolation: 'nearest' }),
          ),
        };
      });
      const tensors = [computed.u, computed.v, computed.warped, computed.jacobian, ...computed.labels];
      try {
        // Straight into the outputs where the backend's memory is at hand, else read back
        // asynchronously (a GPU backend has no synchronous read), all of a slab at once.
        const scaled = { set: (values: ArrayLike<number>, at: number) => warpedMoving.set(Float64Array.from(values, (x) => x * movingScale), at) };
        await Promise.all([
          copyTensorInto(computed.u, displacement, offset * d),
          copyTensorInto(computed.v, inverse, offset * d),
          copyTensorInto(computed.warped, movingScale === 1 ? warpedMoving : scaled, offset),
          copyTensorInto(computed.jacobian, jacobianDeterminant, offset),
          ...computed.labels.map((t, l) => copyTensorInto(t, warpedLabels[l], offset)),
        ]);
      } finally {
        tf.dispose(tensors);
      }
      offset += count;
      report((i + 1) / parts.length);
    }
  } finally {
    tf.dispose([movingTensor, ...labelTensors]);
  }
  return { displacement, inverse, warpedMoving, warpedLabels, jacobianDeterminant };
}
