// Local coordinate attention: each query voxel attends to the keys in a (2r+1)^D window around
// the same voxel. The keys are the other image's features already warped by the current
// estimate, and the values are where those keys came from, so the attended value is a refined
// correspondence. Scores are q·k − ½|k|² (see registration/features/featurizer.ts).
//
// A typed-array kernel runs on 'cpu' and 'wasm' (125 neighbours × 12 channels × 10⁵ voxels is
// far too many small tensor ops); other backends run the composite below, which is also the
// definition the kernel's gradient differentiates.

import * as tf from '@tensorflow/tfjs-core';
import { kernelPool, kernelThreadCount } from './kernel-pool/kernel-pool';
import { SharedScratch } from './kernel-pool/shared-scratch';
import type { AttentionShape } from './local-attention-loops';
import { attendLocally, attendLocallyGradient, keyHalfNorms } from './local-attention-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

export interface AttentionResult {
  /** Softmax-weighted values, [..., valueChannels]. */
  readonly values: tf.Tensor;
  /** Variance of the values under the softmax, [..., 1]: small where the match is certain. */
  readonly variance: tf.Tensor;
}

const LOCAL_ATTENTION = 'XiLocalAttention';
const LOCAL_ATTENTION_GRADIENT = 'XiLocalAttentionGradient';

interface Attrs {
  radius: number;
}

function shapeOf(queryShape: readonly number[], valueShape: readonly number[]) {
  const dims = queryShape.length - 1;
  return {
    nx: queryShape[dims - 1],
    ny: queryShape[dims - 2],
    nz: dims === 3 ? queryShape[0] : 1,
    channels: queryShape[dims],
    valueChannels: valueShape[dims],
  };
}

/** The inputs as the kernel threads read them, reused from call to call (shared-scratch.ts says why). */
const shared = {
  queries: new SharedScratch(),
  keys: new SharedScratch(),
  values: new SharedScratch(),
  mask: new SharedScratch(),
  halfNorm: new SharedScratch(),
  out: new SharedScratch(),
};

/**
 * Local attention with its query voxels split over the kernel threads: every voxel is computed
 * alone, so the result is the one attendLocally gives. (Under a gradient tape, as in training,
 * it stays on the calling thread: the trainer runs its own threads.)
 */
function attendOnThreads(q: Float32Array, k: Float32Array, v: Float32Array, m: Float32Array, shape: AttentionShape, dimension: number, radius: number, out: Float32Array): void {
  const voxels = shape.nx * shape.ny * shape.nz;
  const keys = shared.keys.copyOf(k);
  const result = shared.out.take(out.length);
  kernelPool().run(
    {
      task: 'attendLocally',
      shape: { ...shape, dimension },
      radius,
      queries: shared.queries.copyOf(q),
      keys,
      values: shared.values.copyOf(v),
      mask: shared.mask.copyOf(m),
      halfNorm: keyHalfNorms(keys, shape.channels, shared.halfNorm.take(voxels)),
      out: result,
    },
    voxels,
  );
  out.set(result);
}

registerTypedArrayKernel<Attrs>({
  kernelName: LOCAL_ATTENTION,
  inputNames: ['queries', 'keys', 'values', 'mask'],
  outputShape: ([q, , v]) => [...q.slice(0, q.length - 1), v[v.length - 1] + 1],
  compute: ([q, k, v, m], [qs, , vs], out, a) => {
    const shape = shapeOf(qs, vs);
    if (tf.engine().state.gradientDepth > 0 || kernelThreadCount() === 1) return attendLocally(q, k, v, m, shape, a.radius, out);
    attendOnThreads(q, k, v, m, shape, qs.length - 1, a.radius, out);
  },
});

registerTypedArrayKernel<Attrs>({
  kernelName: LOCAL_ATTENTION_GRADIENT,
  inputNames: ['queries', 'keys', 'values', 'mask', 'dy'],
  outputShape: ([q, , v]) => [...q.slice(0, q.length - 1), 2 * q[q.length - 1] + v[v.length - 1]],
  compute: ([q, k, v, m, dy], [qs, , vs], grad, a) => attendLocallyGradient(q, k, v, m, dy, shapeOf(qs, vs), a.radius, grad),
});

tf.registerGradient({
  kernelName: LOCAL_ATTENTION,
  inputsToSave: ['queries', 'keys', 'values', 'mask'],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v, m] = saved;
    const packed = runTypedArrayKernel(LOCAL_ATTENTION_GRADIENT, { queries: q, keys: k, values: v, mask: m, dy: dy as tf.Tensor }, attrs as unknown as Attrs);
    const dims = q.rank - 1;
    const c = q.shape[dims];
    const [dq, dk, dv] = tf.split(packed, [c, c, v.shape[dims]], dims);
    packed.dispose();
    return { queries: () => dq, keys: () => dk, values: () => dv, mask: () => tf.zerosLike(m) };
  },
});

function validate(queries: tf.Tensor, keys: tf.Tensor, values: tf.Tensor, radius: number): void {
  const dims = queries.rank - 1;
  if (dims !== 2 && dims !== 3) throw new Error(`localAttention: queries must be [y, x, c] or [z, y, x, c], got [${queries.shape}]`);
  const spatial = (t: tf.Tensor) => t.shape.slice(0, dims).join('×');
  if (keys.rank !== queries.rank || values.rank !== queries.rank || spatial(keys) !== spatial(queries) || spatial(values) !== spatial(queries))
    throw new Error('localAttention: queries, keys and values must share their grid');
  if (keys.shape[dims] !== queries.shape[dims]) throw new Error('localAttention: queries and keys need the same channels');
  if (!(Number.isInteger(radius) && radius >= 1)) throw new Error(`localAttention: radius must be a positive integer, got ${radius}`);
}

function split(packed: tf.Tensor): AttentionResult {
  const dims = packed.rank - 1;
  const [values, variance] = tf.split(packed, [packed.shape[dims] - 1, 1], dims);
  return { values, variance };
}

export interface LocalAttentionOptions {
  /** [..., 1], nonzero where queries are wanted; elsewhere the result is zero with infinite
   * variance, and the work is skipped (background voxels carry no match). */
  queryMask?: tf.Tensor;
  implementation?: 'auto' | 'composite';
}

/** Local attention with window radius `radius` voxels (within the slice for 2D). */
export function localAttention(queries: tf.Tensor, keys: tf.Tensor, values: tf.Tensor, radius: number, options: LocalAttentionOptions = {}): AttentionResult {
  validate(queries, keys, values, radius);
  if (options.implementation !== 'composite' && hasTypedArrayKernel(LOCAL_ATTENTION)) {
    const mask = options.queryMask ?? tf.zeros([0]);
    const packed = runTypedArrayKernel(LOCAL_ATTENTION, { queries, keys, values, mask }, { radius });
    if (!options.queryMask) mask.dispose();
    const result = split(packed);
    packed.dispose();
    return result;
  }
  const result = compositeLocalAttention(queries, keys, values, radius);
  if (!options.queryMask) return result;
  const masked = tf.tidy(() => {
    const inside = tf.greater(options.queryMask!, 0);
    return { values: tf.where(inside, result.values, tf.zerosLike(result.values)), variance: tf.where(inside, result.variance, tf.fill(result.variance.shape, Infinity)) };
  });
  tf.dispose([result.values, result.variance]);
  return masked;
}

/** The same computation from built-in ops: pad, one slice per offset, softmax over offsets. */
export function compositeLocalAttention(queries: tf.Tensor, keys: tf.Tensor, values: tf.Tensor, radius: number): AttentionResult {
  return tf.tidy(() => {
    const dims = queries.rank - 1;
    const spatial = queries.shape.slice(0, dims);
    const pad = [...spatial.map(() => [radius, radius] as [number, number]), [0, 0] as [number, number]];
    const halfNorm = tf.mul(tf.sum(tf.square(keys), dims, true), 0.5);
    // Padded keys score −1e9 through the mask, so they get no weight.
    const outside = tf.pad(tf.zeros([...spatial, 1]), pad, 1);
    const paddedKeys = tf.pad(keys, pad);
    const paddedNorm = tf.pad(halfNorm, pad);
    const paddedValues = tf.pad(values, pad);
    const offsets: number[][] = [];
    const range = (r: number) => Array.from({ length: 2 * r + 1 }, (_, i) => i - r);
    for (const dz of dims === 3 ? range(radius) : [0]) for (const dy of range(radius)) for (const dx of range(radius)) offsets.push(dims === 3 ? [dz, dy, dx] : [dy, dx]);
    const window = (t: tf.Tensor, offset: number[]) =>
      tf.slice(t, [...offset.map((o) => radius + o), 0], [...spatial, t.shape[dims]]);
    const scores = offsets.map((o) =>
      tf.sub(tf.sum(tf.mul(queries, window(paddedKeys, o)), dims, true), tf.add(window(paddedNorm, o), tf.mul(window(outside, o), 1e9))),
    );
    const weights = tf.softmax(tf.concat(scores, dims));
    let mean: tf.Tensor = tf.zeros([...spatial, values.shape[dims]]);
    let squares: tf.Tensor = tf.zeros([...spatial, 1]);
    offsets.forEach((o, i) => {
      const w = tf.slice(weights, [...spatial.map(() => 0), i], [...spatial, 1]);
      const v = window(paddedValues, o);
      mean = tf.add(mean, tf.mul(w, v));
      squares = tf.add(squares, tf.mul(w, tf.sum(tf.square(v), dims, true)));
    });
    const variance = tf.relu(tf.sub(squares, tf.sum(tf.square(mean), dims, true)));
    return { values: mean, variance };
  });
}
