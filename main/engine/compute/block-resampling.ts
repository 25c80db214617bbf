// Halving and doubling a channels-last batch along every spatial axis, as typed-array kernels:
// the mean of each 2×2(×2) block, and nearest-neighbour repetition. Each is the other's adjoint
// up to the block's size, so the pair gives both ops and both gradients. (Built from reshapes
// and concatenations, doubling's gradient is tfjs's SplitV, which dominated a training step on
// wasm; measured.) Layout as in patch-columns.ts: [batch, (z,) y, x, channels], 2D as one slice.

import * as tf from '@tensorflow/tfjs-core';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

const BLOCK_MEAN = 'XiBlockMean';
const BLOCK_REPEAT = 'XiBlockRepeat';

const coarseShapeOf = (fine: readonly number[]) => fine.map((n, i) => (i === 0 || i === fine.length - 1 ? n : n / 2));

interface Fine {
  batch: number;
  nz: number;
  ny: number;
  nx: number;
  channels: number;
  /** 2 in 3D, 1 in 2D: how many fine slices make a coarse one. */
  fz: number;
}

/** The fine grid's geometry, from the fine shape. */
function fineOf(shape: readonly number[]): Fine {
  const three = shape.length === 5;
  return { batch: shape[0], nz: three ? shape[1] : 1, ny: shape[three ? 2 : 1], nx: shape[three ? 3 : 2], channels: shape[shape.length - 1], fz: three ? 2 : 1 };
}

/** Calls visit(fineIndex, coarseIndex) for every fine voxel and channel. */
function forEachFine(g: Fine, visit: (fine: number, coarse: number) => void): void {
  const { batch, nz, ny, nx, channels: C, fz } = g;
  const cz = nz / fz;
  const cy = ny / 2;
  const cx = nx / 2;
  let fine = 0;
  for (let b = 0; b < batch; b++)
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++) {
        const coarseLine = ((b * cz + Math.floor(z / fz)) * cy + (y >> 1)) * cx;
        for (let x = 0; x < nx; x++) {
          const coarse = (coarseLine + (x >> 1)) * C;
          for (let c = 0; c < C; c++) visit(fine++, coarse + c);
        }
      }
}

registerTypedArrayKernel<{ fineShape: number[] }>({
  kernelName: BLOCK_MEAN,
  inputNames: ['x'],
  outputShape: ([shape]) => coarseShapeOf(shape),
  compute: ([x], [shape], out) => {
    const g = fineOf(shape);
    const weight = 1 / (4 * g.fz);
    out.fill(0);
    forEachFine(g, (fine, coarse) => (out[coarse] += x[fine] * weight));
  },
});

registerTypedArrayKernel<{ fineShape: number[] }>({
  kernelName: BLOCK_REPEAT,
  inputNames: ['x'],
  outputShape: (_shapes, a) => [...a.fineShape],
  compute: ([x], _shapes, out, a) => forEachFine(fineOf(a.fineShape), (fine, coarse) => (out[fine] = x[coarse])),
});

export function hasBlockResamplingKernels(): boolean {
  return hasTypedArrayKernel(BLOCK_MEAN);
}

const mean = (x: tf.Tensor) => runTypedArrayKernel(BLOCK_MEAN, { x }, { fineShape: x.shape });
const repeat = (x: tf.Tensor, fineShape: number[]) => runTypedArrayKernel(BLOCK_REPEAT, { x }, { fineShape });

/** Block means, differentiable (gradient: repetition over the block's size). */
export function blockMean(x: tf.Tensor): tf.Tensor {
  const fineShape = x.shape.slice();
  const blockSize = 2 ** (x.rank - 2);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: mean(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => tf.div(repeat(dy, fineShape), blockSize)),
  }))(x);
}

/** Nearest-neighbour doubling, differentiable (gradient: the block sum). */
export function blockRepeat(x: tf.Tensor): tf.Tensor {
  const fineShape = x.shape.map((n, i) => (i === 0 || i === x.rank - 1 ? n : 2 * n));
  const blockSize = 2 ** (x.rank - 2);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: repeat(args[0] as tf.Tensor, fineShape),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => tf.mul(mean(dy), blockSize)),
  }))(x);
}

