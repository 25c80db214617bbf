// 1 − NCC(a, b) over all values of two equal tensors, and its gradient, each as one loop. The
// optimizer takes it every step over some 30 000 sampled values; as tensor ops it was 15 ops
// forward and 25 back, several of them allocating a tensor of ones for a reduction's gradient
// (tfjs's Sum and Mean), which on the 2D slice pair cost more than the sampling itself. The sums
// are accumulated in double precision.
//
// With x = a − mean a, y = b − mean b, N = Σxy, D = √(Σx²·Σy² + ε) and r = N / D:
//   ∂r/∂b_i = x_i / D − N·Σx²·y_i / D³
// (the means drop out because Σx = Σy = 0), and ∂r/∂a is the same with a and b exchanged.

import * as tf from '@tensorflow/tfjs-core';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

const NCC_LOSS = 'XiNccLoss';
const NCC_LOSS_GRADIENT = 'XiNccLossGradient';
/** Keeps D away from zero where either side is constant. */
export const NCC_EPSILON = 1e-12;

interface Moments {
  meanA: number;
  meanB: number;
  /** Σxy, Σx², Σy². */
  sab: number;
  saa: number;
  sbb: number;
}

function moments(a: Float32Array, b: Float32Array): Moments {
  const n = a.length;
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    sumA += a[i];
    sumB += b[i];
  }
  const meanA = n > 0 ? sumA / n : 0;
  const meanB = n > 0 ? sumB / n : 0;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - meanA;
    const y = b[i] - meanB;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return { meanA, meanB, sab, saa, sbb };
}

/** 1 − NCC(a, b) of two typed arrays of equal length. */
export function nccLossOf(a: Float32Array, b: Float32Array): number {
  const m = moments(a, b);
  return 1 - m.sab / Math.sqrt(m.saa * m.sbb + NCC_EPSILON);
}

/** grad = dy · ∂(1 − r)/∂b, the gradient with respect to the second array. */
export function nccLossGradientOf(a: Float32Array, b: Float32Array, dy: number, grad: Float32Array): void {
  const m = moments(a, b);
  const d = Math.sqrt(m.saa * m.sbb + NCC_EPSILON);
  const alongX = -dy / d;
  const alongY = (dy * m.sab * m.saa) / (d * d * d);
  for (let i = 0; i < b.length; i++) grad[i] = alongX * (a[i] - m.meanA) + alongY * (b[i] - m.meanB);
}

registerTypedArrayKernel<object>({
  kernelName: NCC_LOSS,
  inputNames: ['a', 'b'],
  outputShape: () => [],
  compute: ([a, b], _shapes, out) => {
    out[0] = nccLossOf(a, b);
  },
});

/** dy · ∂(1 − r)/∂b: the gradient with respect to the second input. */
registerTypedArrayKernel<object>({
  kernelName: NCC_LOSS_GRADIENT,
  inputNames: ['a', 'b', 'dy'],
  outputShape: ([, b]) => [...b],
  compute: ([a, b, dy], _shapes, grad) => nccLossGradientOf(a, b, dy[0], grad),
});

tf.registerGradient({
  kernelName: NCC_LOSS,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b]) => ({
    a: () => runTypedArrayKernel(NCC_LOSS_GRADIENT, { a: b, b: a, dy: dy as tf.Tensor }, {}),
    b: () => runTypedArrayKernel(NCC_LOSS_GRADIENT, { a, b, dy: dy as tf.Tensor }, {}),
  }),
});

/** Normalized cross-correlation over all values of a and b (any equal shapes), as tensor ops. */
export function normalizedCrossCorrelation(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.sub(a, tf.mean(a));
    const y = tf.sub(b, tf.mean(b));
    const num = tf.sum(tf.mul(x, y));
    const den = tf.sqrt(tf.add(tf.mul(tf.sum(tf.square(x)), tf.sum(tf.square(y))), NCC_EPSILON));
    return tf.div(num, den) as tf.Scalar;
  });
}

/** 1 − NCC: zero for intensities related by any positive linear map. Differentiable in both. */
export function nccLoss(a: tf.Tensor, b: tf.Tensor, options: { implementation?: 'auto' | 'composite' } = {}): tf.Scalar {
  if (!tf.util.arraysEqual(a.shape, b.shape)) throw new Error(`nccLoss: shapes differ, [${a.shape}] and [${b.shape}]`);
  if (options.implementation !== 'composite' && a.dtype === 'float32' && b.dtype === 'float32' && hasTypedArrayKernel(NCC_LOSS))
    return runTypedArrayKernel(NCC_LOSS, { a, b }, {}) as tf.Scalar;
  return tf.tidy(() => tf.sub(1, normalizedCrossCorrelation(a, b)) as tf.Scalar);
}
