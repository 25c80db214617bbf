// MIND-SSC as one typed-array kernel. As tensor ops (registration/features/mind-ssc.ts, the
// composite) a 2 mm brain needs a dozen channel slices and a concat of 10 M values, and slicing
// runs in JavaScript on the wasm backend; as loops it is a few passes over the volume. MIND has
// no parameters and nothing backpropagates into the image, so the kernel registers no gradient
// (differentiating through it fails loudly rather than silently giving zeros).
//
// Same definition as the composite, border handling included: the image is extended by
// reflection, each diagonal's squared difference S_v lives on the image grown by d voxels per
// side and is box filtered there with zero padding, and channel (a, b) reads box(S_v) at x + s.

import { boxUnitsAlong } from './box-filter-loops';
import { kernelThreadCount, poolScratch, runWhereShared } from './kernel-pool/kernel-pool';
import type { MindLayout } from './mind-ssc-loops';
import { extendByReflection, grownSize, mindLayout, neighbourPairs } from './mind-ssc-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';
import type * as tf from '@tensorflow/tfjs-core';

export type { Offset } from './mind-ssc-loops';
export { neighbourPairs, pairDiagonals } from './mind-ssc-loops';

const MIND_SSC = 'XiMindSsc';

interface Attrs {
  radius: number;
  dilation: number;
}

/** The threads' arrays, reused by the next image's features (fixed, then moving). */
const scratch = { extended: poolScratch(), diagonals: poolScratch(), channels: poolScratch(), means: poolScratch() };

/**
 * Where MIND-SSC's arrays live: in shared memory (pool scratch) for a 3D image where there are
 * kernel threads, so that each step splits over them (runWhereShared), else plain arrays here.
 */
interface Arrays {
  floats(which: Exclude<keyof typeof scratch, 'means'>, length: number): Float32Array;
  doubles(length: number): Float64Array;
}

const plain: Arrays = { floats: (_which, length) => new Float32Array(length), doubles: (length) => new Float64Array(length) };
const shared: Arrays = { floats: (which, length) => scratch[which].take(length), doubles: (length) => scratch.means.takeDoubles(length) };

/**
 * MIND-SSC of `image` into `out`. On the kernel threads (a 3D image, shared memory) the steps
 * split by planes and voxels and write shared arrays, copied into `out` at the end (a tensor's
 * memory, which the threads cannot reach); the numbers are the same either way. On the 1 mm
 * brain's 2.5 mm working grid one image's features took 225–245 ms on one thread, 140–170 ms on
 * two.
 */
function mindSsc(image: Float32Array, shape: readonly number[], a: Attrs, out: Float32Array): void {
  const dims = shape.length - 1;
  const layout: MindLayout = mindLayout(shape, a.radius, a.dilation);
  const arrays = dims === 3 && kernelThreadCount() > 1 ? shared : plain;
  const { n, m, e } = layout;
  const extended = arrays.floats('extended', e[0] * e[1] * e[2]);
  extendByReflection(image, layout, extended);
  // The diagonal images one after another: along x and y a box pass never leaves its plane, so
  // those passes run over all of them as one stack; along z each is its own volume.
  const size = grownSize(layout);
  const diagonals = arrays.floats('diagonals', layout.steps.length * size);
  const task = { task: 'mindSsc', layout, extended, diagonals, out: diagonals, means: new Float64Array(0), bounds: [0, 0] } as const;
  runWhereShared({ ...task, step: 'differences' }, layout.steps.length * m[2], [extended, diagonals]);
  const stack = [m[0], m[1], m[2] * layout.steps.length];
  const box = (values: Float32Array, n: readonly number[], axis: number) => runWhereShared({ task: 'boxAlongAxis', values, n, axis, radius: a.radius }, boxUnitsAlong(n, axis), [values]);
  for (let axis = 0; axis < Math.min(dims, 2); axis++) box(diagonals, stack, axis);
  if (dims === 3) for (let k = 0; k < layout.steps.length; k++) box(diagonals.subarray(k * size, (k + 1) * size), m, 2);
  // Channels, then per voxel: subtract the minimum, divide by the mean (bounded by the global
  // mean of means), exp(−·).
  const voxels = n[0] * n[1] * n[2];
  const channels = arrays === plain ? out : arrays.floats('channels', out.length);
  const means = arrays.doubles(voxels);
  runWhereShared({ ...task, step: 'channels', out: channels, means }, voxels, [diagonals, channels, means]);
  let globalMean = 0;
  for (let v = 0; v < voxels; v++) globalMean += means[v];
  globalMean /= voxels;
  runWhereShared({ ...task, step: 'normalize', out: channels, bounds: [globalMean * 1e-3, globalMean * 1e3] }, voxels, [channels]);
  if (channels !== out) out.set(channels);
}

registerTypedArrayKernel<Attrs>({
  kernelName: MIND_SSC,
  inputNames: ['image'],
  outputShape: ([shape]) => [...shape.slice(0, shape.length - 1), neighbourPairs(shape.length - 1, 1).length],
  compute: ([image], [shape], out, a) => mindSsc(image, shape, a, out),
});

export function hasMindSscKernel(): boolean {
  return hasTypedArrayKernel(MIND_SSC);
}

export function mindSscKernel(image: tf.Tensor, radius: number, dilation: number): tf.Tensor {
  return runTypedArrayKernel(MIND_SSC, { image }, { radius, dilation });
}
