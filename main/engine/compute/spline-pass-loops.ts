// One axis of a separable cubic B-spline map between a coarse and a fine grid (the optimizer's
// spline level, registration/optimization/spline-upsampling.ts), as loops over ranges of rows
// without tfjs: the calling thread runs them, or the kernel threads split them
// (kernel-pool/pool-tasks.ts). B and Bᵀ along an axis are both sparse matrices between rows,
// each held as a RowGather and applied by the one loop below. Each output row is computed
// alone, in the same order of additions whichever thread takes it, so the thread count changes
// no value.
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
 * A sparse map between the rows along one axis: output row r is Σ terms[t] · input row
 * sources[t] over t in [starts[r], starts[r+1]), added in that order. `inputs` and `outputs`
 * count the rows along the axis on each side.
 */
export interface RowGather {
  readonly starts: Int32Array;
  readonly sources: Int32Array;
  readonly terms: Float32Array;
  readonly inputs: number;
  readonly outputs: number;
}

const clamp = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** The terms listed per output row, flattened in order. */
function rowGather(lists: { source: number; term: number }[][], inputs: number): RowGather {
  const starts = new Int32Array(lists.length + 1);
  lists.forEach((list, r) => (starts[r + 1] = starts[r] + list.length));
  const flat = lists.flat();
  return { starts, sources: Int32Array.from(flat, (t) => t.source), terms: Float32Array.from(flat, (t) => t.term), inputs, outputs: lists.length };
}

/** Each fine node's four (clamped) coarse nodes, weight by weight; zero weights left out. */
function splineTerms(axis: SplineAxis, add: (fine: number, coarse: number, weight: number) => void): void {
  for (let i = 0; i < axis.fine; i++)
    for (let k = 0; k < 4; k++) {
      const w = axis.weights[4 * i + k];
      if (w !== 0) add(i, clamp(axis.first[i] + k, axis.coarse), w);
    }
}

/** B along the axis: each fine row from its coarse rows, in the order of its four weights. */
export function splineMap(axis: SplineAxis): RowGather {
  const lists: { source: number; term: number }[][] = Array.from({ length: axis.fine }, () => []);
  splineTerms(axis, (fine, coarse, term) => lists[fine].push({ source: coarse, term }));
  return rowGather(lists, axis.coarse);
}

/**
 * Bᵀ along the axis: each coarse row from the fine rows it reaches, in the order a scatter over
 * the fine nodes adds them (fine node ascending, then its four weights), so that the gather adds
 * the same numbers in the same order as the scatter.
 */
export function splineAdjoint(axis: SplineAxis): RowGather {
  const lists: { source: number; term: number }[][] = Array.from({ length: axis.coarse }, () => []);
  splineTerms(axis, (fine, coarse, term) => lists[coarse].push({ source: fine, term }));
  return rowGather(lists, axis.fine);
}

/** The gather for the output rows [first, last): unit o · outputs + r is output row r of outer index o. */
export function gatherRowsRange(src: Float32Array, dst: Float32Array, gather: RowGather, row: number, first: number, last: number): void {
  const { inputs, outputs } = gather;
  for (let unit = first; unit < last; unit++) {
    const o = Math.floor(unit / outputs);
    const r = unit - o * outputs;
    const target = unit * row;
    dst.fill(0, target, target + row);
    for (let t = gather.starts[r]; t < gather.starts[r + 1]; t++) {
      const w = gather.terms[t];
      const source = (o * inputs + gather.sources[t]) * row;
      for (let e = 0; e < row; e++) dst[target + e] += w * src[source + e];
    }
  }
}
