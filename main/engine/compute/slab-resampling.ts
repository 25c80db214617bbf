// Resampling onto a slab of a target grid without materializing its points. The outputs of a
// registration are full-resolution (7 M voxels for a 1 mm brain): as point tensors that is
// 85 MB of coordinates per quantity, generated, uploaded, multiplied by matrices and read back.
// These kernels generate each row's points inside the loop instead (the maps are affine in the
// target index) and reuse the grid-sampling loops, on 'cpu' and 'wasm'; other backends build the
// points as tensors and call gridSample and displacementJacobianDeterminant.
//
// A slab is the range [first, last) of the slowest target axis (z in 3D, y in 2D).

import * as tf from '@tensorflow/tfjs-core';
import { displacementJacobianDeterminant } from './displacement-jacobian';
import { gridSample } from './grid-sample';
import type { Interpolation, Padding } from './grid-sampling-loops';
import { gridShapeOf } from './grid-sampling-loops';
import { determinantRows, forEachRow, resampleRows, slabRows } from './row-resampling-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

export interface SlabSpec {
  /** Target grid size, x fastest. */
  readonly size: readonly number[];
  readonly first: number;
  readonly last: number;
}

interface SlabAttrs {
  size: number[];
  first: number;
  last: number;
  /** (D+1)² homogeneous: target index → source index (after the displacement, if any). */
  map: number[];
  /** D×D: displacement vector (mm) → source index units; empty without a displacement. */
  vectorMap: number[];
  padding: Padding;
  interpolation: Interpolation;
}

const RESAMPLE_SLAB = 'XiResampleSlab';
const DETERMINANT_SLAB = 'XiJacobianDeterminantSlab';

function slabCount(a: { size: readonly number[]; first: number; last: number }): number {
  const d = a.size.length;
  return a.size.slice(0, d - 1).reduce((x, y) => x * y, 1) * (a.last - a.first);
}

/** The slab's samples of `image` (tensor shape `imageShape`, [..., C]) into `out`, [count, C]. */
function resampleInto(image: Float32Array, imageShape: readonly number[], displacement: Float32Array | undefined, out: Float32Array, a: SlabAttrs): void {
  const [firstRow, lastRow] = slabRows(a.size, a.first, a.last);
  resampleRows(image, gridShapeOf(imageShape), a, firstRow, lastRow, displacement, out, a.padding, a.interpolation);
}

registerTypedArrayKernel<SlabAttrs>({
  kernelName: RESAMPLE_SLAB,
  inputNames: ['image', 'displacement'],
  outputShape: ([image], a) => [slabCount(a), image[image.length - 1]],
  compute: ([image, displacement], [imageShape], out, a) => resampleInto(image, imageShape, displacement.length ? displacement : undefined, out, a),
});

registerTypedArrayKernel<SlabAttrs>({
  kernelName: DETERMINANT_SLAB,
  inputNames: ['field'],
  outputShape: (_shapes, a) => [slabCount(a)],
  compute: ([field], [fieldShape], out, a) => determinantRows(field, fieldShape, a, a.vectorMap, 1, ...slabRows(a.size, a.first, a.last), out),
});

function slabPointsTensor(a: SlabAttrs, displacement?: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const d = a.size.length;
    const points = tf.tensor2d(slabPointValues(a, a.map), [slabCount(a), d]);
    if (!displacement) return points;
    const vt = Array.from({ length: d * d }, (_, i) => a.vectorMap[(i % d) * d + Math.floor(i / d)]);
    return tf.add(points, tf.matMul(displacement, tf.tensor2d(vt, [d, d]))) as tf.Tensor2D;
  });
}

/**
 * Every voxel of the slab mapped through `map` (homogeneous, target index → another index
 * space), as a flat [count·D] array: the points the slab kernels walk, row by row.
 */
export function slabPointValues(slab: SlabSpec, map: readonly number[]): Float32Array {
  const d = slab.size.length;
  const out = new Float32Array(slabCount(slab) * d);
  forEachRow({ size: slab.size, map }, ...slabRows(slab.size, slab.first, slab.last), undefined, (points, offset) => out.set(points, offset * d));
  return out;
}

export interface ResampleSlabOptions {
  /** [count, D] world-mm displacements of the slab's voxels, added before mapping (through
   * `vectorMap`): samples at map(x) + vectorMap · u(x). */
  readonly displacement?: tf.Tensor;
  readonly vectorMap?: readonly number[];
  readonly padding?: Padding;
  readonly interpolation?: Interpolation;
}

/** `image` ([..., C] on its grid) read at every voxel of a target slab: [count, C]. */
export function resampleSlab(image: tf.Tensor, slab: SlabSpec, map: readonly number[], options: ResampleSlabOptions = {}): tf.Tensor2D {
  const attrs: SlabAttrs = {
    size: [...slab.size],
    first: slab.first,
    last: slab.last,
    map: [...map],
    vectorMap: options.vectorMap ? [...options.vectorMap] : [],
    padding: options.padding ?? 'zeros',
    interpolation: options.interpolation ?? 'linear',
  };
  if (hasTypedArrayKernel(RESAMPLE_SLAB)) {
    const displacement = options.displacement ?? tf.zeros([0]);
    const out = runTypedArrayKernel(RESAMPLE_SLAB, { image, displacement }, attrs) as tf.Tensor2D;
    if (!options.displacement) displacement.dispose();
    return out;
  }
  return tf.tidy(() => gridSample(image, slabPointsTensor(attrs, options.displacement), { padding: attrs.padding, interpolation: attrs.interpolation }));
}

/**
 * det(I + ∇u) at every voxel of a target slab, for a displacement field u (world mm) on its
 * grid; `map` takes target indices to field indices, `worldToIndex` is the field grid's D×D
 * world-vector-to-index matrix.
 */
export function jacobianDeterminantSlab(field: tf.Tensor, slab: SlabSpec, map: readonly number[], worldToIndex: readonly number[]): tf.Tensor1D {
  const attrs: SlabAttrs = { size: [...slab.size], first: slab.first, last: slab.last, map: [...map], vectorMap: [...worldToIndex], padding: 'border', interpolation: 'linear' };
  if (hasTypedArrayKernel(DETERMINANT_SLAB)) return runTypedArrayKernel(DETERMINANT_SLAB, { field }, attrs) as tf.Tensor1D;
  return tf.tidy(() => displacementJacobianDeterminant(field, slabPointsTensor({ ...attrs, vectorMap: [] }), worldToIndex));
}
