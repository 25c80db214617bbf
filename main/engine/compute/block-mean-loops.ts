// Block means: every output voxel the mean of a block of f_x × f_y (× f_z) input voxels, the
// far edge mirrored to whole blocks (symmetric: … x[n−2], x[n−1] | x[n−1], x[n−2] …). The same
// numbers, to float rounding (sums in doubles), as tfjs's symmetric mirrorPad then a 'valid'
// average pool, without either copy: at full resolution those were a 28 MB padded image and its
// tensor, each written for the first time (which is most of the cost here: a fresh page costs
// about 11 µs to touch on these machines, 78 ms per 28 MB against 1 ms for a second write).
//
// The values may be an image's own pixels, normalized on the way through a window (working-space
// intensities), so that the full-resolution image is never written out as floats at all.

import type { Tensor } from '@tensorflow/tfjs-core';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

/**
 * Intensities mapped to [0, 1]: ((v·scale) − base) / width, clamped (scale ½ where the range's
 * width overflows a double).
 */
export interface IntensityWindow {
  readonly scale: number;
  readonly base: number;
  readonly width: number;
}

/** Sizes x, y, z (z = 1 in 2D) and channels of a channels-last array; factors per axis. */
export interface BlockShape {
  readonly size: readonly [number, number, number];
  readonly channels: number;
  readonly factors: readonly [number, number, number];
}

/** The output's size along each axis: whole blocks, the last one possibly partial before mirroring. */
export function blockMeanSize(shape: BlockShape): [number, number, number] {
  return shape.size.map((n, a) => Math.max(1, Math.ceil(n / shape.factors[a]))) as [number, number, number];
}

/**
 * The input index each padded index reads: [0, n) itself, then the symmetric reflection,
 * repeated (period 2n) where a block is wider than the axis.
 */
function mirroredIndices(n: number, padded: number): Int32Array {
  const out = new Int32Array(padded);
  for (let i = 0; i < padded; i++) {
    const j = i % (2 * n);
    out[i] = j < n ? j : 2 * n - 1 - j;
  }
  return out;
}

/** Block means of `values` (x fastest, channels last) into `out`, through `window` when given. */
export function blockMeans(values: ArrayLike<number>, shape: BlockShape, out: Float32Array, window?: IntensityWindow): Float32Array {
  const [nx, ny] = shape.size;
  const [fx, fy, fz] = shape.factors;
  const [ox, oy, oz] = blockMeanSize(shape);
  const C = shape.channels;
  if (out.length !== ox * oy * oz * C) throw new Error(`blockMeans: ${out.length} outputs for ${ox * oy * oz * C} values`);
  const xs = mirroredIndices(nx, ox * fx);
  const ys = mirroredIndices(ny, oy * fy);
  const zs = mirroredIndices(shape.size[2], oz * fz);
  const { scale, base, width } = window ?? { scale: 1, base: 0, width: 1 };
  const clamp = window !== undefined;
  const weight = 1 / (fx * fy * fz);
  // One output slice's sums, in double precision: a block's sum adds up to 8 values (27 and more
  // for coarse levels), and the image's own values may be doubles.
  const sums = new Float64Array(ox * oy * C);
  for (let k = 0; k < oz; k++) {
    sums.fill(0);
    for (let dz = 0; dz < fz; dz++) {
      const z = zs[k * fz + dz];
      for (let j = 0; j < oy; j++)
        for (let dy = 0; dy < fy; dy++) {
          const row = (z * ny + ys[j * fy + dy]) * nx;
          const sumRow = j * ox * C;
          for (let i = 0; i < ox; i++)
            for (let dx = 0; dx < fx; dx++) {
              const source = (row + xs[i * fx + dx]) * C;
              const target = sumRow + i * C;
              for (let c = 0; c < C; c++) {
                let v = values[source + c];
                if (clamp) {
                  v = (v * scale - base) / width;
                  v = v > 0 ? (v < 1 ? v : 1) : 0;
                }
                sums[target + c] += v;
              }
            }
        }
    }
    const slice = out.subarray(k * ox * oy * C, (k + 1) * ox * oy * C);
    for (let s = 0; s < sums.length; s++) slice[s] = sums[s] * weight;
  }
  return out;
}

const BLOCK_MEANS = 'XiMirroredBlockMeans';

interface BlockMeanAttrs {
  factors: [number, number, number];
}

/** [(z,) y, x, C] tensor shape → the loop's shape. */
function blockShapeOf(tensorShape: readonly number[], factors: readonly [number, number, number]): BlockShape {
  const three = tensorShape.length === 4;
  const size: [number, number, number] = [tensorShape[three ? 2 : 1], tensorShape[three ? 1 : 0], three ? tensorShape[0] : 1];
  return { size, channels: tensorShape[tensorShape.length - 1], factors };
}

registerTypedArrayKernel<BlockMeanAttrs>({
  kernelName: BLOCK_MEANS,
  inputNames: ['x'],
  outputShape: ([shape], a) => {
    const [ox, oy, oz] = blockMeanSize(blockShapeOf(shape, a.factors));
    return shape.length === 4 ? [oz, oy, ox, shape[3]] : [oy, ox, shape[2]];
  },
  compute: ([x], [shape], out, a) => void blockMeans(x, blockShapeOf(shape, a.factors), out),
});

export function hasBlockMeanKernel(): boolean {
  return hasTypedArrayKernel(BLOCK_MEANS);
}

/** The kernel on a [(z,) y, x, C] tensor; factors along x, y, z (z = 1 in 2D). */
export function blockMeanKernel(x: Tensor, factors: readonly [number, number, number]): Tensor {
  return runTypedArrayKernel(BLOCK_MEANS, { x }, { factors: [...factors] });
}
