// One axis of a separable cubic B-spline map between a coarse and a fine grid (the optimizer's
// spline level, registration/optimization/spline-upsampling.ts), as loops over ranges of rows
// without tfjs: the calling thread runs them, or the kernel threads split them
// (kernel-pool/pool-tasks.ts). Each output row is computed alone, in the same order of
// additions whichever thread takes it, so the thread count changes no value.
//
// The arrays are [outer][axis][inner] of D-vectors: a row is the `row` = inner · D values of one
// index along the axis, for one index of the slower axes.

/** Per fine node along one axis: the first of its four coarse nodes (before clamping) and their weights. */
export interface SplineAxis {
  readonly first: Int32Array;
  readonly weights: Float32Array;
  readonly coarse: number;
  readonly fine: number;
}

/**
 * Bᵀ's terms per coarse node j, in the order a scatter over the fine nodes adds them (fine node
 * ascending, then its four weights): fine nodes `sources[starts[j] … starts[j+1])` with weights
 * `terms`. A gather in that order adds the same numbers in the same order as the scatter.
 */
export interface SplineGather {
  readonly starts: Int32Array;
  readonly sources: Int32Array;
  readonly terms: Float32Array;
}

const clamp = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

export function splineGather(axis: SplineAxis): SplineGather {
  const lists: { source: number; term: number }[][] = Array.from({ length: axis.coarse }, () => []);
  for (let i = 0; i < axis.fine; i++)
    for (let k = 0; k < 4; k++) {
      const w = axis.weights[4 * i + k];
      if (w !== 0) lists[clamp(axis.first[i] + k, axis.coarse)].push({ source: i, term: w });
    }
  const starts = new Int32Array(axis.coarse + 1);
  lists.forEach((list, j) => (starts[j + 1] = starts[j] + list.length));
  const flat = lists.flat();
  return { starts, sources: Int32Array.from(flat, (t) => t.source), terms: Float32Array.from(flat, (t) => t.term) };
}

/** B along the axis for the fine rows [first, last): unit o · fine + i is fine row i of outer index o. */
export function splinePassRange(src: Float32Array, dst: Float32Array, axis: SplineAxis, row: number, first: number, last: number): void {
  const { coarse: n, fine: m } = axis;
  for (let unit = first; unit < last; unit++) {
    const o = Math.floor(unit / m);
    const i = unit - o * m;
    const target = (o * m + i) * row;
    dst.fill(0, target, target + row);
    for (let k = 0; k < 4; k++) {
      const w = axis.weights[4 * i + k];
      if (w === 0) continue;
      const source = (o * n + clamp(axis.first[i] + k, n)) * row;
      for (let e = 0; e < row; e++) dst[target + e] += w * src[source + e];
    }
  }
}

/** Bᵀ along the axis for the coarse rows [first, last): unit o · coarse + j is coarse row j of outer index o. */
export function splineAdjointRange(src: Float32Array, dst: Float32Array, axis: SplineAxis, gather: SplineGather, row: number, first: number, last: number): void {
  const { coarse: n, fine: m } = axis;
  for (let unit = first; unit < last; unit++) {
    const o = Math.floor(unit / n);
    const j = unit - o * n;
    const target = (o * n + j) * row;
    dst.fill(0, target, target + row);
    for (let t = gather.starts[j]; t < gather.starts[j + 1]; t++) {
      const w = gather.terms[t];
      const source = (o * m + gather.sources[t]) * row;
      for (let e = 0; e < row; e++) dst[target + e] += w * src[source + e];
    }
  }
}
