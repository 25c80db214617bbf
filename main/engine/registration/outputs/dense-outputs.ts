// Stage 5, results at full resolution on the fixed grid: the deformable displacement u and its
// inverse v (world mm), the warped moving image (linear), warped label maps (nearest), and the
// Jacobian determinant of the full map T(x) = A(x + u(x)). Computed slab by slab so that a
// 7-megavoxel grid never needs more than a slab's worth of tensors.
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
}

/** Magnitudes float32 holds with its full precision, well inside its range of 1e-38 to 3e38. */
const float32Safe = { min: 1e-30, max: 1e30 };

/**
 * The moving image as a float32 tensor to warp, and the factor its values were divided by.
 * A float64 image around 1e302 (or 1e-302) has no float32 values; warped divided by its
 * largest magnitude and multiplied back in double precision, it comes out right, since linear
 * interpolation commutes with scaling.
 */
function movingToWarp(moving: ScalarImage): { tensor: tf.Tensor; scale: number } {
  const pixels = moving.pixels;
  if (!(pixels instanceof Float64Array)) return { tensor: imageToTensor(moving), scale: 1 };
  const { min, max } = finiteRange(pixels);
  const peak = Math.max(Math.abs(min), Math.abs(max));
  if (peak === 0 || (peak >= float32Safe.min && peak <= float32Safe.max)) return { tensor: imageToTensor(moving), scale: 1 };
  const scaled = Float32Array.from(pixels, (v) => v / peak);
  return { tensor: tf.tensor(scaled, tensorShapeOf(moving.grid, 1), 'float32'), scale: peak };
}

export async function computeDenseOutputs(input: DenseOutputInput, report: StageReporter): Promise<DenseOutputs> {
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
  // Moving index of A(x + u): W2I_moving · A · I2W_fixed on the index, plus W2I_moving · A_linear on u.
  const intoSource = (grid: ImageGrid) => {
    const toSource = multiplyMatrices(worldToIndexMatrix(grid), affine.matrix as number[]);
    const linear: number[] = [];
    for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) linear.push(toSource[r * (d + 1) + c]);
    return { map: multiplyMatrices(toSource, indexToWorldMatrix(fixedGrid)), vectorMap: linear };
  };
  const movingMap = intoSource(input.moving.grid);
  const labelMaps = input.labels.map((l) => intoSource(l.grid));
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
