// Convolution for the feature network, with gradients that are fast on every backend and
// written once for 2D and 3D. tfjs's wasm backend has no Conv2DBackpropFilter and runs Conv3D
// at about 0.5 GFLOP/s, but multiplies matrices at about 19 GFLOP/s (see the shared README).
// So a convolution here is im2col — the k^d neighbours of each voxel side by side — times the
// kernel, and each gradient is one more such product, arranged so that wasm never transposes a
// big matrix (its transpose and its transposing products run at under 2 GFLOP/s, measured):
//   dL/dW = columnsᵀ(x) · dy         (the transposed columns made directly by a kernel)
//   dL/dx = columns(dy) · W̃          (a convolution of dy with the flipped, transposed kernel)
//   dL/db = Σ dy
// A circular convolution (the grid wraps around) is the same three products with wrapping
// columns: its adjoint is again a circular convolution, with the flipped kernel. Backends
// without the typed-array im2col kernels run the same math from tfjs's own ops, which tfjs
// differentiates itself, circular ones on a grid padded from its far sides.

import * as tf from '@tensorflow/tfjs-core';
import type { Boundary } from '../../compute/patch-columns';
import { hasPatchColumnsKernel, patchColumns, patchColumnsOfLines, patchColumnsTransposed } from '../../compute/patch-columns';
import { convolveCircularly } from './circular-padding';

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

/** im2col from tfjs's own ops: what backends without the typed-array kernel run (and its reference). */
export function patchColumnsComposite(x: tf.Tensor, size: number): tf.Tensor2D {
  return tf.tidy(() => {
    const dimension = x.rank - 2;
    const spatial = x.shape.slice(1, 1 + dimension);
    const cin = x.shape[x.rank - 1];
    const batch = x.shape[0];
    const voxels = spatial.reduce((a, b) => a * b, 1);
    const r = (size - 1) / 2;
    const padded = tf.pad(x, [[0, 0], ...spatial.map(() => [r, r] as [number, number]), [0, 0]]);
    const shifted = kernelOffsets(dimension, size).map((o) => tf.slice(padded, [0, ...o.map((k) => k + r), 0], [batch, ...spatial, cin]));
    return tf.reshape(tf.concat(shifted, x.rank - 1), [batch * voxels, size ** dimension * cin]);
  });
}

/** The kernel for the gradient with respect to the input: offsets reversed, in and out channels swapped. */
function flippedKernel(kernel: tf.Tensor2D, taps: number): tf.Tensor2D {
  const [rows, cout] = kernel.shape;
  const cin = rows / taps;
  return tf.reshape(tf.transpose(tf.reverse(tf.reshape(kernel, [taps, cin, cout]), 0), [0, 2, 1]), [taps * cout, cin]);
}

/** x·W through the typed-array im2col kernels, with the gradients above. */
const convolveWithKernels = (size: number, boundary: Boundary) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, kernel, save] = args as [tf.Tensor, tf.Tensor2D, tf.GradSaveFunc];
    save([x, kernel]);
    const outShape = [...x.shape.slice(0, x.rank - 1), kernel.shape[1]];
    return {
      value: tf.tidy(() => tf.reshape(tf.matMul(patchColumns(x, size, boundary), kernel), outShape)),
      gradFunc: (dy: tf.Tensor, [sx, sk]: tf.Tensor[]) =>
        tf.tidy(() => {
          const taps = size ** (sx.rank - 2);
          const dx = tf.reshape(tf.matMul(patchColumns(dy, size, boundary), flippedKernel(sk as tf.Tensor2D, taps)), sx.shape);
          const dk = tf.matMul(patchColumnsTransposed(sx, size, boundary), tf.reshape(dy, [-1, dy.shape[dy.rank - 1]]) as tf.Tensor2D);
          return [dx, dk];
        }),
    };
  });

/** The convolution from tfjs's own ops, zero boundary: columns, then the product. */
function convolveComposite(x: tf.Tensor, kernel: tf.Tensor2D, size: number): tf.Tensor {
  const voxels = x.shape.slice(1, x.rank - 1).reduce((a, b) => a * b, 1);
  const cin = x.shape[x.rank - 1];
  const columns = size === 1 ? tf.reshape(x, [x.shape[0] * voxels, cin]) : patchColumnsComposite(x, size);
  return tf.reshape(tf.matMul(columns as tf.Tensor2D, kernel), [...x.shape.slice(0, x.rank - 1), kernel.shape[1]]);
}

/**
 * 'Same' convolution, stride 1: `x` is [batch, ...spatial, cin], `kernel` is [size^d · cin, cout]
 * (rows: offset-major, then input channel), `bias` is [cout] or absent; beyond the grid's edge
 * zeros, or with the circular boundary the far side.
 */
export function convolve(x: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined, size: number, boundary: Boundary = 'zero'): tf.Tensor {
  return tf.tidy(() => {
    let y: tf.Tensor;
    if (hasPatchColumnsKernel()) y = convolveWithKernels(size, boundary)(x, kernel);
    else if (boundary === 'circular') y = convolveCircularly(x, (size - 1) / 2, (padded) => convolveComposite(padded, kernel, size));
    else y = convolveComposite(x, kernel, size);
    return bias ? tf.add(y, bias) : y;
  });
}

/** Columns matrices larger than this are made a part at a time when nothing differentiates (inference). */
const inferenceColumnElements = 16 * 2 ** 20;

/**
 * The same convolution for inference on big grids (a featurizer on a whole brain): the columns
 * are made and multiplied a few lines at a time, so memory stays bounded whatever the image.
 * Not differentiable; the result equals convolve's.
 */
export function convolveForInference(x: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined, size: number, boundary: Boundary = 'zero'): tf.Tensor {
  const nx = x.shape[x.rank - 2];
  const lines = x.shape.slice(0, x.rank - 2).reduce((a, b) => a * b, 1);
  const width = kernel.shape[0];
  if (!hasPatchColumnsKernel() || lines * nx * width <= inferenceColumnElements) return convolve(x, kernel, bias, size, boundary);
  const linesPerPart = Math.max(1, Math.floor(inferenceColumnElements / (nx * width)));
  const parts: tf.Tensor[] = [];
  for (let first = 0; first < lines; first += linesPerPart) {
    const count = Math.min(linesPerPart, lines - first);
    parts.push(tf.tidy(() => tf.matMul(patchColumnsOfLines(x, size, boundary, first, count), kernel)));
  }
  return tf.tidy(() => {
    const y = tf.reshape(tf.concat(parts, 0), [...x.shape.slice(0, x.rank - 1), kernel.shape[1]]);
    tf.dispose(parts);
    return bias ? tf.add(y, bias) : y;
  });
}

/** Multiply-adds per output voxel of one convolution. */
export function convolutionMacs(dimension: number, size: number, cin: number, cout: number): number {
  return size ** dimension * cin * cout;
}
