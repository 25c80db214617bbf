// MIND-SSC as one typed-array kernel. As tensor ops (registration/features/mind-ssc.ts, the
// composite) a 2 mm brain needs a dozen channel slices and a concat of 10 M values, and slicing
// runs in JavaScript on the wasm backend; as loops it is a few passes over the volume. MIND has
// no parameters and nothing backpropagates into the image, so the kernel registers no gradient
// (differentiating through it fails loudly rather than silently giving zeros).
//
// Same definition as the composite, border handling included: the image is extended by
// reflection, each diagonal's squared difference S_v lives on the image grown by d voxels per
// side and is box filtered there with zero padding, and channel (a, b) reads box(S_v) at x + s.

import { boxAlongAxis } from './box-filter-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';
import type * as tf from '@tensorflow/tfjs-core';

const MIND_SSC = 'XiMindSsc';

export type Offset = number[]; // voxel offset in (x, y[, z]) order

/** Unordered pairs of perpendicular neighbours among ±d·e_i: 4 in 2D, 12 in 3D. */
export function neighbourPairs(dimension: number, d: number): [Offset, Offset][] {
  const neighbours: Offset[] = [];
  for (let axis = 0; axis < dimension; axis++)
    for (const sign of [1, -1]) neighbours.push(Array.from({ length: dimension }, (_, a) => (a === axis ? sign * d : 0)));
  const pairs: [Offset, Offset][] = [];
  for (let i = 0; i < neighbours.length; i++)
    for (let j = i + 1; j < neighbours.length; j++) {
      const dot = neighbours[i].reduce((s, v, a) => s + v * neighbours[j][a], 0);
      if (dot === 0) pairs.push([neighbours[i], neighbours[j]]);
    }
  return pairs;
}

/**
 * Each pair's patch distance as a shift of a "diagonal" image: D_ab(x) = box(S_c)(x + shift)
 * with c = a − b or b − a (whichever has its first nonzero entry positive).
 */
export function pairDiagonals(pairs: [Offset, Offset][]): { diagonal: Offset; shift: Offset }[] {
  return pairs.map(([a, b]) => {
    const v = a.map((x, i) => x - b[i]);
    const first = v.find((x) => x !== 0) ?? 0;
    return first >= 0 ? { diagonal: v, shift: b } : { diagonal: v.map((x) => -x), shift: a };
  });
}

interface Attrs {
  radius: number;
  dilation: number;
}

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

function mindSsc(image: Float32Array, shape: readonly number[], a: Attrs, out: Float32Array): void {
  const dims = shape.length - 1;
  const n = [shape[dims - 1], shape[dims - 2], dims === 3 ? shape[0] : 1];
  const d = a.dilation;
  const r = a.radius;
  const pairs = pairDiagonals(neighbourPairs(dims, d));
  const K = pairs.length;
  // The grown domain: d more voxels on each side along the image's axes.
  const grow = [d, d, dims === 3 ? d : 0];
  const m = n.map((len, i) => len + 2 * grow[i]);
  const size = m[0] * m[1] * m[2];
  // The image extended by reflection by 2d per side (enough for the grown domain plus a
  // diagonal step), so that the hot loop indexes directly.
  const pad = [2 * d, 2 * d, dims === 3 ? 2 * d : 0];
  const e = n.map((len, i) => len + 2 * pad[i]);
  const extended = new Float32Array(e[0] * e[1] * e[2]);
  for (let z = 0, i = 0; z < e[2]; z++)
    for (let y = 0; y < e[1]; y++) {
      const row = (reflect(z - pad[2], n[2]) * n[1] + reflect(y - pad[1], n[1])) * n[0];
      for (let x = 0; x < e[0]; x++) extended[i++] = image[row + reflect(x - pad[0], n[0])];
    }
  const boxed = new Map<string, Float32Array>();
  const scratch = new Float64Array(Math.max(...m));
  for (const { diagonal } of pairs) {
    const key = diagonal.join(',');
    if (boxed.has(key)) continue;
    const [cx, cy, cz = 0] = diagonal;
    const step = (cz * e[1] + cy) * e[0] + cx;
    const s = new Float32Array(size);
    let i = 0;
    // Grown-domain voxel (x, y, z) is extended voxel (x, y, z) + pad − grow = + d per axis.
    const shift = [pad[0] - grow[0], pad[1] - grow[1], pad[2] - grow[2]];
    for (let z = 0; z < m[2]; z++)
      for (let y = 0; y < m[1]; y++) {
        let at = ((z + shift[2]) * e[1] + y + shift[1]) * e[0] + shift[0];
        for (let x = 0; x < m[0]; x++, at++) {
          const diff = extended[at + step] - extended[at];
          s[i++] = diff * diff;
        }
      }
    for (let axis = 0; axis < dims; axis++) boxAlongAxis(s, m, axis, r, scratch);
    boxed.set(key, s);
  }
  // Channels, then per voxel: subtract the minimum, divide by the mean (bounded by the global
  // mean of means), exp(−·).
  const voxels = n[0] * n[1] * n[2];
  const sources = pairs.map(({ diagonal }) => boxed.get(diagonal.join(','))!);
  // Channel k of image voxel (x, y, z) sits at grown-domain index base(x, y, z) + offsets[k].
  const offsets = pairs.map(({ shift }) => ((grow[2] + (shift[2] ?? 0)) * m[1] + grow[1] + shift[1]) * m[0] + grow[0] + shift[0]);
  let globalMean = 0;
  for (let z = 0, v = 0; z < n[2]; z++)
    for (let y = 0; y < n[1]; y++)
      for (let x = 0, base = (z * m[1] + y) * m[0]; x < n[0]; x++, v++, base++) {
        let min = Infinity;
        for (let k = 0; k < K; k++) {
          const value = sources[k][base + offsets[k]];
          out[v * K + k] = value;
          if (value < min) min = value;
        }
        let mean = 0;
        for (let k = 0; k < K; k++) mean += out[v * K + k] -= min;
        globalMean += mean / K;
      }
  globalMean /= voxels;
  const lo = globalMean * 1e-3;
  const hi = globalMean * 1e3;
  for (let v = 0; v < voxels; v++) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += out[v * K + k];
    mean /= K;
    const variance = Math.min(Math.max(Math.max(mean, 0), lo), hi) + 1e-8;
    for (let k = 0; k < K; k++) out[v * K + k] = Math.exp(-out[v * K + k] / variance);
  }
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
