// Convolution for the feature network, with gradients that are fast on every backend and
// written once for 2D and 3D. tfjs's wasm backend has no Conv2DBackpropFilter and runs Conv3D
// at about 0.5 GFLOP/s, but multiplies matrices at about 19 GFLOP/s (see the shared README).
// So a convolution here is im2col — the k^d shifted copies of the padded input side by side
// along channels — followed by one matrix product with the kernel; slices and concatenation
// have cheap gradients, and the product's gradient is two more products.
//
// wasm's matMul is slow when asked to transpose its second operand (1.5 GFLOP/s), which is
// exactly what tfjs's own matMul gradient asks; the gradient here transposes explicitly first.

import * as tf from '@tensorflow/tfjs-core';

/** a·b, whose gradient uses explicit transposes and plain products only. */
const matMulFastGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulFastGrad(a, b);
}

/** Every offset of a cubic kernel of `size` (odd) in `dimension` axes, slowest axis first. */
export function kernelOffsets(dimension: number, size: number): number[][] {
  const r = (size - 1) / 2;
  let offsets: number[][] = [[]];
  for (let axis = 0; axis < dimension; axis++) {
    const next: number[][] = [];
    for (const o of offsets) for (let k = -r; k <= r; k++) next.push([...o, k]);
    offsets = next;
  }
  return offsets;
}

/**
 * 'Same' convolution, stride 1, zero padding: `x` is [batch, ...spatial, cin], `kernel` is
 * [size^d · cin, cout] (rows: offset-major, then input channel), `bias` is [cout].
 */
export function convolve(x: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D, size: number): tf.Tensor {
  return tf.tidy(() => {
    const dimension = x.rank - 2;
    const spatial = x.shape.slice(1, 1 + dimension);
    const cin = x.shape[x.rank - 1];
    const batch = x.shape[0];
    const voxels = spatial.reduce((a, b) => a * b, 1);
    let columns: tf.Tensor;
    if (size === 1) {
      columns = x;
    } else {
      const r = (size - 1) / 2;
      const padded = tf.pad(x, [[0, 0], ...spatial.map(() => [r, r] as [number, number]), [0, 0]]);
      const shifted = kernelOffsets(dimension, size).map((o) => tf.slice(padded, [0, ...o.map((k) => k + r), 0], [batch, ...spatial, cin]));
      columns = tf.concat(shifted, x.rank - 1);
    }
    const product = matMul(tf.reshape(columns, [batch * voxels, size ** dimension * cin]), kernel);
    return tf.reshape(tf.add(product, bias), [batch, ...spatial, kernel.shape[1]]);
  });
}

/** Multiply-adds per output voxel of one convolution. */
export function convolutionMacs(dimension: number, size: number, cin: number, cout: number): number {
  return size ** dimension * cin * cout;
}
