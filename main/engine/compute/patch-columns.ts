// im2col as typed-array kernels: the k^d neighbours of every voxel side by side (the "columns"
// a convolution multiplies by its kernel), and the same matrix transposed, which the kernel's
// gradient multiplies by the output's gradient. Built from tfjs slices and concatenations
// instead, the copying and its gradient (SplitV) cost over ten times the matrix product itself
// on wasm, and wasm's transpose of the columns costs three times the product (measured).
//
// Layout: x is [batch, (z,) y, x, channels], x fastest; columns are [batch·voxels, k^d·channels],
// one row per voxel, offsets slowest-axis first (as kernelOffsets lists them), then channels.
// Beyond the edge the neighbours are zero, or, with the circular boundary, the far side's voxels
// (the grid wraps around). 2D runs as 3D with one slice.

import type * as tf from '@tensorflow/tfjs-core';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

/** What a convolution sees beyond the grid's edge. */
export type Boundary = 'zero' | 'circular';

interface Attrs {
  size: number;
  boundary: Boundary;
}
interface RangeAttrs extends Attrs {
  /** Rows come in lines of nx voxels (one y of one z of one batch item): the first line and how many. */
  firstLine: number;
  lines: number;
}

const IM2COL = 'XiPatchColumns';
const IM2COL_TRANSPOSED = 'XiPatchColumnsTransposed';
const IM2COL_RANGE = 'XiPatchColumnsRange';

interface Geometry {
  batch: number;
  nz: number;
  ny: number;
  nx: number;
  channels: number;
  /** Kernel extent along z (1 in 2D), y and x. */
  kz: number;
  k: number;
}

function geometryOf(shape: readonly number[], size: number): Geometry {
  const d = shape.length - 2;
  return { batch: shape[0], nz: d === 3 ? shape[1] : 1, ny: shape[d === 3 ? 2 : 1], nx: shape[d === 3 ? 3 : 2], channels: shape[shape.length - 1], kz: d === 3 ? size : 1, k: size };
}

/**
 * Where the neighbour at `s` (possibly beyond [0, n)) lies along an axis of n voxels: itself,
 * the far side's voxel under the circular boundary, or -1 (a zero) under the zero boundary.
 */
const neighbourAlong = (s: number, n: number, circular: boolean): number => (s >= 0 && s < n ? s : circular ? ((s % n) + n) % n : -1);

/** columns[row, tap·C + c] = x[neighbour tap of voxel row, c], for the rows of lines [first, first + lines). */
function writeColumns(x: Float32Array, g: Geometry, circular: boolean, out: Float32Array, firstLine = 0, lines = g.batch * g.nz * g.ny): void {
  const { nz, ny, nx, channels: C, kz, k } = g;
  const rz = (kz - 1) / 2;
  const r = (k - 1) / 2;
  let o = 0;
  for (let line = firstLine; line < firstLine + lines; line++) {
    const y = line % ny;
    const z = Math.floor(line / ny) % nz;
    const b = Math.floor(line / (ny * nz));
    for (let x0 = 0; x0 < nx; x0++)
      for (let dz = -rz; dz <= rz; dz++) {
        const sz = neighbourAlong(z + dz, nz, circular);
        for (let dy = -r; dy <= r; dy++) {
          const sy = neighbourAlong(y + dy, ny, circular);
          const rowInside = sz >= 0 && sy >= 0;
          const source0 = ((b * nz + sz) * ny + sy) * nx;
          for (let dx = -r; dx <= r; dx++, o += C) {
            const sx = neighbourAlong(x0 + dx, nx, circular);
            if (rowInside && sx >= 0) {
              const source = (source0 + sx) * C;
              for (let c = 0; c < C; c++) out[o + c] = x[source + c];
            } else for (let c = 0; c < C; c++) out[o + c] = 0;
          }
        }
      }
  }
}

/** The transpose, written row by row of the output (contiguous writes): out[tap·C + c, row]. */
function writeColumnsTransposed(x: Float32Array, g: Geometry, circular: boolean, out: Float32Array): void {
  const { batch, nz, ny, nx, channels: C, kz, k } = g;
  const rz = (kz - 1) / 2;
  const r = (k - 1) / 2;
  let o = 0;
  for (let dz = -rz; dz <= rz; dz++)
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++)
        for (let c = 0; c < C; c++)
          for (let b = 0; b < batch; b++)
            for (let z = 0; z < nz; z++) {
              const sz = neighbourAlong(z + dz, nz, circular);
              for (let y = 0; y < ny; y++) {
                const sy = neighbourAlong(y + dy, ny, circular);
                if (sz < 0 || sy < 0) {
                  out.fill(0, o, o + nx);
                  o += nx;
                  continue;
                }
                const line = ((b * nz + sz) * ny + sy) * nx;
                for (let x0 = 0; x0 < nx; x0++, o++) {
                  const sx = neighbourAlong(x0 + dx, nx, circular);
                  out[o] = sx >= 0 ? x[(line + sx) * C + c] : 0;
                }
              }
            }
}

registerTypedArrayKernel<Attrs>({
  kernelName: IM2COL,
  inputNames: ['x'],
  outputShape: ([shape], a) => {
    const g = geometryOf(shape, a.size);
    return [g.batch * g.nz * g.ny * g.nx, g.kz * g.k * g.k * g.channels];
  },
  compute: ([x], [shape], out, a) => writeColumns(x, geometryOf(shape, a.size), a.boundary === 'circular', out),
});

registerTypedArrayKernel<RangeAttrs>({
  kernelName: IM2COL_RANGE,
  inputNames: ['x'],
  outputShape: ([shape], a) => {
    const g = geometryOf(shape, a.size);
    return [a.lines * g.nx, g.kz * g.k * g.k * g.channels];
  },
  compute: ([x], [shape], out, a) => writeColumns(x, geometryOf(shape, a.size), a.boundary === 'circular', out, a.firstLine, a.lines),
});

registerTypedArrayKernel<Attrs>({
  kernelName: IM2COL_TRANSPOSED,
  inputNames: ['x'],
  outputShape: ([shape], a) => {
    const g = geometryOf(shape, a.size);
    return [g.kz * g.k * g.k * g.channels, g.batch * g.nz * g.ny * g.nx];
  },
  compute: ([x], [shape], out, a) => writeColumnsTransposed(x, geometryOf(shape, a.size), a.boundary === 'circular', out),
});

export function hasPatchColumnsKernel(): boolean {
  return hasTypedArrayKernel(IM2COL);
}

/** The columns of `x` for a cubic kernel of `size` ([rows, k^d·channels]); not differentiable. */
export function patchColumns(x: tf.Tensor, size: number, boundary: Boundary): tf.Tensor2D {
  return runTypedArrayKernel(IM2COL, { x }, { size, boundary }) as tf.Tensor2D;
}

/** The rows of patchColumns for lines [firstLine, firstLine + lines): a part of a big image's columns. */
export function patchColumnsOfLines(x: tf.Tensor, size: number, boundary: Boundary, firstLine: number, lines: number): tf.Tensor2D {
  return runTypedArrayKernel(IM2COL_RANGE, { x }, { size, boundary, firstLine, lines }) as tf.Tensor2D;
}

/** The transpose of patchColumns ([k^d·channels, rows]), made directly. */
export function patchColumnsTransposed(x: tf.Tensor, size: number, boundary: Boundary): tf.Tensor2D {
  return runTypedArrayKernel(IM2COL_TRANSPOSED, { x }, { size, boundary }) as tf.Tensor2D;
}
