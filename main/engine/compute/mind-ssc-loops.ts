// MIND-SSC's loops (mind-ssc-kernel.ts puts them together), each over a range of independent
// units, so that the kernel threads can share a volume's work and give the numbers one thread
// gives: the diagonal images' squared differences by planes, the channels and the normalization
// by voxels. The one sum over the whole volume (the mean of the voxels' means) is left to the
// caller, which adds the voxels' terms up in order.
//
// The layout: the image is extended by reflection by 2d per side (so the hot loops index
// directly); each diagonal's squared difference S_v lives on the image grown by d per side and
// is box filtered there with zero padding; channel (a, b) of voxel x reads box(S_v) at x + shift.

/** Voxel offset in (x, y[, z]) order. */
export type Offset = number[];

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

/** Plain numbers, so that it travels to the kernel threads with a task. */
export interface MindLayout {
  /** The image's sizes along x, y, z (z = 1 in 2D). */
  readonly n: readonly [number, number, number];
  /** The grown domain's sizes (d more voxels a side) and the extended image's (2d more). */
  readonly m: readonly [number, number, number];
  readonly e: readonly [number, number, number];
  readonly pad: readonly [number, number, number];
  readonly radius: number;
  /** Each distinct diagonal's step in the extended image. */
  readonly steps: readonly number[];
  /** Channel k reads diagonal image diagonalOf[k] at grown-domain index base(x) + offsets[k]. */
  readonly diagonalOf: readonly number[];
  readonly offsets: readonly number[];
}

/** The layout of MIND-SSC on an image of tensor shape `shape` ([(z,) y, x, 1]). */
export function mindLayout(shape: readonly number[], radius: number, d: number): MindLayout {
  const dims = shape.length - 1;
  const n: [number, number, number] = [shape[dims - 1], shape[dims - 2], dims === 3 ? shape[0] : 1];
  const grow = [d, d, dims === 3 ? d : 0];
  const m = n.map((len, i) => len + 2 * grow[i]) as [number, number, number];
  const pad: [number, number, number] = [2 * d, 2 * d, dims === 3 ? 2 * d : 0];
  const e = n.map((len, i) => len + 2 * pad[i]) as [number, number, number];
  const pairs = pairDiagonals(neighbourPairs(dims, d));
  const keys: string[] = [];
  const steps: number[] = [];
  const diagonalOf = pairs.map(({ diagonal }) => {
    const key = diagonal.join(',');
    if (!keys.includes(key)) {
      const [cx, cy, cz = 0] = diagonal;
      keys.push(key);
      steps.push((cz * e[1] + cy) * e[0] + cx);
    }
    return keys.indexOf(key);
  });
  const offsets = pairs.map(({ shift }) => ((grow[2] + (shift[2] ?? 0)) * m[1] + grow[1] + shift[1]) * m[0] + grow[0] + shift[0]);
  return { n, m, e, pad, radius, steps, diagonalOf, offsets };
}

export const grownSize = (l: MindLayout) => l.m[0] * l.m[1] * l.m[2];

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** The image extended by reflection (the layout's `e`), into `extended`. */
export function extendByReflection(image: Float32Array, l: MindLayout, extended: Float32Array): void {
  const { n, e, pad } = l;
  for (let z = 0, i = 0; z < e[2]; z++)
    for (let y = 0; y < e[1]; y++) {
      const row = (reflect(z - pad[2], n[2]) * n[1] + reflect(y - pad[1], n[1])) * n[0];
      for (let x = 0; x < e[0]; x++) extended[i++] = image[row + reflect(x - pad[0], n[0])];
    }
}

/**
 * S_v = (I(z + v) − I(z))² on the grown domain, for the units [first, last): unit u is plane
 * u mod m_z of diagonal ⌊u / m_z⌋, whose image is the u-th grown-domain block of `diagonals`.
 */
export function diagonalDifferencesRange(extended: Float32Array, l: MindLayout, diagonals: Float32Array, first: number, last: number): void {
  const { m, e, pad } = l;
  const size = grownSize(l);
  // Grown-domain voxel (x, y, z) is extended voxel (x, y, z) + pad − grow = + pad / 2 per axis.
  const shift = pad.map((p) => p / 2);
  for (let u = first; u < last; u++) {
    const k = Math.floor(u / m[2]);
    const z = u % m[2];
    const step = l.steps[k];
    let i = k * size + z * m[0] * m[1];
    for (let y = 0; y < m[1]; y++) {
      let at = ((z + shift[2]) * e[1] + y + shift[1]) * e[0] + shift[0];
      for (let x = 0; x < m[0]; x++, at++) {
        const diff = extended[at + step] - extended[at];
        diagonals[i++] = diff * diff;
      }
    }
  }
}

/**
 * The channels of voxels [first, last) (x fastest), each less the voxel's least, into `out`
 * (K per voxel); each voxel's mean of them, over K, into `means`.
 */
export function mindChannelsRange(diagonals: Float32Array, l: MindLayout, out: Float32Array, means: Float64Array, first: number, last: number): void {
  const { n, m, offsets, diagonalOf } = l;
  const K = offsets.length;
  const size = grownSize(l);
  const sources = diagonalOf.map((k, c) => k * size + offsets[c]);
  for (let v = first; v < last; v++) {
    const x = v % n[0];
    const y = Math.floor(v / n[0]) % n[1];
    const z = Math.floor(v / (n[0] * n[1]));
    const base = (z * m[1] + y) * m[0] + x;
    let min = Infinity;
    for (let k = 0; k < K; k++) {
      const value = diagonals[base + sources[k]];
      out[v * K + k] = value;
      if (value < min) min = value;
    }
    // The sum of the unrounded differences, as the definition has it (an assignment's value is
    // its right-hand side, before the Float32Array rounds it).
    let mean = 0;
    for (let k = 0; k < K; k++) mean += out[v * K + k] -= min;
    means[v] = mean / K;
  }
}

/** exp(−D / variance) for voxels [first, last), the variance each voxel's mean held in [lo, hi]. */
export function mindNormalizeRange(out: Float32Array, K: number, lo: number, hi: number, first: number, last: number): void {
  for (let v = first; v < last; v++) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += out[v * K + k];
    mean /= K;
    const variance = Math.min(Math.max(Math.max(mean, 0), lo), hi) + 1e-8;
    for (let k = 0; k < K; k++) out[v * K + k] = Math.exp(-out[v * K + k] / variance);
  }
}
