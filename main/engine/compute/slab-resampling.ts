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
import { kernelPool, MIN_POINTS_PER_THREAD } from './kernel-pool/kernel-pool';
import type { SlabRowsTask } from './kernel-pool/pool-tasks';
import { scratch } from './kernel-pool/shared-scratch';
import type { SlabAttrs } from './slab-loops';
import { determinantRows, forEachRow, resampleRows, slabCount, slabRows } from './slab-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

export interface SlabSpec {
  /** Target grid size, x fastest. */
  readonly size: readonly number[];
  readonly first: number;
  readonly last: number;
}

const RESAMPLE_SLAB = 'XiResampleSlab';
const DETERMINANT_SLAB = 'XiJacobianDeterminantSlab';

/**
 * A slab's rows on the kernel threads: the inputs copied into shared memory (a full-resolution
 * image is 28 MB, some milliseconds against the slab's hundreds), the output copied back.
 * Every voxel is computed alone, so the values are the inline loop's.
 */
function slabOnThreads(task: Omit<SlabRowsTask, 'out'>, out: Float32Array, inline: () => void): void {
  const pool = kernelPool();
  const rowsPerThread = Math.ceil(MIN_POINTS_PER_THREAD / task.attrs.size[0]);
  if (pool.threads === 1 || slabRows(task.attrs) < 2 * rowsPerThread) return inline();
  const shared: SlabRowsTask = {
    ...task,
    image: scratch.image.copyOf(task.image),
    displacement: task.displacement && scratch.displacement.copyOf(task.displacement),
    out: scratch.output.take(out.length),
  };
  pool.run(shared, slabRows(task.attrs), rowsPerThread);
  out.set(shared.out);
}

function resampleInto(image: Float32Array, imageShape: readonly number[], displacement: Float32Array | undefined, out: Float32Array, a: SlabAttrs): void {
  slabOnThreads({ task: 'resampleRows', image, imageShape, displacement, attrs: a }, out, () => resampleRows(image, imageShape, displacement, out, a));
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
  compute: ([field], [fieldShape], out, a) =>
    slabOnThreads({ task: 'determinantRows', image: field, imageShape: fieldShape, attrs: a }, out, () => determinantRows(field, fieldShape, out, a)),
});

function slabPointsTensor(a: SlabAttrs, displacement?: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const d = a.size.length;
    const count = slabCount(a);
    const host = new Float32Array(count * d);
    forEachRow(a, undefined, (points, offset) => host.set(points, offset * d));
    const points = tf.tensor2d(host, [count, d]);
    if (!displacement) return points;
    const vt = Array.from({ length: d * d }, (_, i) => a.vectorMap[(i % d) * d + Math.floor(i / d)]);
    return tf.add(points, tf.matMul(displacement, tf.tensor2d(vt, [d, d]))) as tf.Tensor2D;
  });
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
 * high-water mark).
 */
export function resampleSlabValues(image: Float32Array, imageShape: readonly number[], slab: SlabSpec, map: readonly number[], options: Pick<ResampleSlabOptions, 'padding' | 'interpolation'> = {}): Float32Array {
  const attrs: SlabAttrs = {
    size: [...slab.size],
    first: slab.first,
    last: slab.last,
    map: [...map],
    vectorMap: [],
    padding: options.padding ?? 'zeros',
    interpolation: options.interpolation ?? 'linear',
  };
  const out = new Float32Array(slabCount(attrs) * imageShape[imageShape.length - 1]);
  resampleInto(image, imageShape, undefined, out, attrs);
  return out;
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
