// Resampling onto a slab of a target grid without materializing its points. The outputs of a
// registration are full-resolution (7 M voxels for a 1 mm brain): as point tensors that is
// 85 MB of coordinates per quantity, generated, uploaded, multiplied by matrices and read back.
// These kernels generate each row's points inside the loop instead (the maps are affine in the
// target index) and reuse the grid-sampling loops, on 'cpu' and 'wasm'; other backends build the
// points as tensors and call gridSample and displacementJacobianDeterminant.
//
// A slab is the range [first, last) of the slowest target axis (z in 3D, y in 2D).

import * as tf from '@tensorflow/tfjs-core';
import { determinantsAt, displacementJacobianDeterminant } from './displacement-jacobian';
import { gridSample } from './grid-sample';
import type { Interpolation, Padding } from './grid-sampling-loops';
import { gridShapeOf, sampleGrid } from './grid-sampling-loops';
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

/** What the row walk needs of the attributes: where the slab is, and how its points map. */
type SlabGeometry = SlabSpec & { readonly map: readonly number[]; readonly vectorMap: readonly number[] };

function slabCount(a: { size: readonly number[]; first: number; last: number }): number {
  const d = a.size.length;
  return a.size.slice(0, d - 1).reduce((x, y) => x * y, 1) * (a.last - a.first);
}

/**
 * Calls `visit(rowPoints, rowOffset)` for every row (x line) of the slab with the row's points
 * mapped by `map` (homogeneous) plus `vectorMap` · displacement when given.
 */
function forEachRow(a: SlabGeometry, displacement: Float32Array | undefined, visit: (points: Float32Array, offset: number) => void): void {
  const d = a.size.length;
  const n = d + 1;
  const nx = a.size[0];
  const m = a.map;
  const v = a.vectorMap;
  const row = new Float32Array(nx * d);
  const rows = d === 3 ? [0, a.size[1]] : [a.first, a.last];
  const slices = d === 3 ? [a.first, a.last] : [0, 1];
  // Written for 3 components; a 2D map is padded to 3D with z = 0 (its third row and column
  // are zero, so the third coordinate is computed and dropped).
  const m3 = (r: number, c: number) => (r < d && c < d ? m[r * n + c] : 0);
  const t3 = (r: number) => (r < d ? m[r * n + d] : 0);
  const v3 = (r: number, c: number) => (displacement && r < d && c < d ? v[r * d + c] : 0);
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = [m3(0, 0), m3(0, 1), m3(0, 2), m3(1, 0), m3(1, 1), m3(1, 2), m3(2, 0), m3(2, 1), m3(2, 2)];
  const [b00, b01, b02, b10, b11, b12, b20, b21, b22] = [v3(0, 0), v3(0, 1), v3(0, 2), v3(1, 0), v3(1, 1), v3(1, 2), v3(2, 0), v3(2, 1), v3(2, 2)];
  const zero = new Float32Array(0);
  const u = displacement ?? zero;
  let offset = 0;
  for (let z = slices[0]; z < slices[1]; z++)
    for (let y = rows[0]; y < rows[1]; y++) {
      // The row's first point, then one step of column 0 per x: the map is affine.
      let p0 = t3(0) + a01 * y + a02 * z;
      let p1 = t3(1) + a11 * y + a12 * z;
      let p2 = t3(2) + a21 * y + a22 * z;
      for (let x = 0, o = offset * d, w = 0; x < nx; x++, o += d) {
        let q0 = p0, q1 = p1, q2 = p2;
        if (displacement) {
          const u0 = u[o], u1 = u[o + 1], u2 = d === 3 ? u[o + 2] : 0;
          q0 += b00 * u0 + b01 * u1 + b02 * u2;
          q1 += b10 * u0 + b11 * u1 + b12 * u2;
          q2 += b20 * u0 + b21 * u1 + b22 * u2;
        }
        row[w++] = q0;
        row[w++] = q1;
        if (d === 3) row[w++] = q2;
        p0 += a00;
        p1 += a10;
        p2 += a20;
      }
      visit(row, offset);
      offset += nx;
    }
}

/** The slab's samples of `image` (tensor shape `imageShape`, [..., C]) into `out`, [count, C]. */
function resampleInto(image: Float32Array, imageShape: readonly number[], displacement: Float32Array | undefined, out: Float32Array, a: SlabAttrs): void {
  const shape = gridShapeOf(imageShape);
  const c = shape.channels;
  const nx = a.size[0];
  forEachRow(a, displacement, (points, offset) => sampleGrid(image, shape, points, out.subarray(offset * c, (offset + nx) * c), a.padding, a.interpolation));
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
  compute: ([field], [fieldShape], out, a) => {
    const nx = a.size[0];
    forEachRow(a, undefined, (points, offset) => determinantsAt(field, fieldShape, points, a.vectorMap, out.subarray(offset, offset + nx)));
  },
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
  forEachRow({ size: slab.size, first: slab.first, last: slab.last, map, vectorMap: [] }, undefined, (points, offset) => out.set(points, offset * d));
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
 * resampleSlab on arrays in JavaScript memory, with the same loops as its kernel (so the same
 * values): `image` has tensor shape `imageShape` ([..., C]), the result is [count, C]. For
 * full-resolution images that need not sit on a backend's heap (the wasm heap keeps its
 * high-water mark); into `out` when given (shared memory, say).
 */
export function resampleSlabValues(
  image: Float32Array,
  imageShape: readonly number[],
  slab: SlabSpec,
  map: readonly number[],
  options: Pick<ResampleSlabOptions, 'padding' | 'interpolation'> = {},
  out?: Float32Array,
): Float32Array {
  const attrs: SlabAttrs = {
    size: [...slab.size],
    first: slab.first,
    last: slab.last,
    map: [...map],
    vectorMap: [],
    padding: options.padding ?? 'zeros',
    interpolation: options.interpolation ?? 'linear',
  };
  const length = slabCount(attrs) * imageShape[imageShape.length - 1];
  if (out && out.length !== length) throw new Error(`resampleSlabValues: ${out.length} outputs for ${length} values`);
  const values = out ?? new Float32Array(length);
  resampleInto(image, imageShape, undefined, values, attrs);
  return values;
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
