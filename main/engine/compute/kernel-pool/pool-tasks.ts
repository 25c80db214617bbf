// What a kernel thread can be asked to do: each task is a loop over a range of points, reading
// arrays every thread shares (SharedArrayBuffer) and writing only its own range of the output.
// Points are independent of each other, so any split of the range gives the same numbers as one
// thread: the thread count changes the time, never the result. (A scatter, whose points add
// into the same voxels, is split into a fixed number of chunks, each with its own output, so
// that it too sums in the same order whatever the thread count.)
//
// This table is the one list both sides import: the pool on the calling thread, and the worker
// entry on the kernel threads.

import type { GridShape, Interpolation, Padding } from '../grid-sampling-loops';
import { sampleGrid, sampleGridPointGradient, scatterExtent, scatterToGrid } from '../grid-sampling-loops';
import { boxAlongAxisRange, boxUnitsAlong } from '../box-filter-loops';
import type { AttentionShape } from '../local-attention-loops';
import { attendLocallyRange } from '../local-attention-loops';
import { momentsRange, normalizeRange } from '../local-normalization-loops';
import type { MindLayout } from '../mind-ssc-loops';
import { diagonalDifferencesRange, mindChannelsRange, mindNormalizeRange } from '../mind-ssc-loops';
import type { RowGather } from '../spline-pass-loops';
import { gatherRowsRange } from '../spline-pass-loops';
import type { RowMap } from '../row-resampling-loops';
import { determinantRows, resampleRows } from '../row-resampling-loops';
import type { SampleShape } from '../sample-with-derivatives-loops';
import { sampleGridWithDerivatives, savedPointGradient, valuesWithDerivativesWidth } from '../sample-with-derivatives-loops';

/** A linear sample of one shared image at a range of points. */
export interface SampleTask {
  readonly task: 'sample' | 'sampleWithDerivatives';
  readonly image: Float32Array;
  readonly shape: GridShape;
  readonly padding: 'zeros' | 'border';
  readonly points: Float32Array;
  readonly out: Float32Array;
}

/**
 * One squaring of a displacement field u on its own grid, for a range of its nodes x: the
 * points y = x + u(x) (kept, for the backward pass) and u'(x) = u(x) + u(y), read with border
 * padding (the field's channels are its D components, node-major as the points).
 */
export interface SquaringTask {
  readonly task: 'squaring';
  readonly field: Float32Array;
  readonly shape: GridShape;
  /** Every node's own index point (x, y[, z]), x fastest. */
  readonly nodes: Float32Array;
  readonly points: Float32Array;
  readonly out: Float32Array;
}

/** The vector-Jacobian product of a linear sample in the points (sampleGridPointGradient). */
export interface PointGradientTask {
  readonly task: 'pointGradient';
  readonly image: Float32Array;
  readonly shape: GridShape;
  readonly padding: 'zeros' | 'border';
  readonly points: Float32Array;
  readonly dy: Float32Array;
  readonly out: Float32Array;
}

/** The same product from samples that kept their derivatives (savedPointGradient). */
export interface SavedPointGradientTask {
  readonly task: 'savedPointGradient';
  readonly shape: SampleShape;
  readonly samples: Float32Array;
  readonly dy: Float32Array;
  readonly out: Float32Array;
}

/**
 * The adjoint of a linear sample in the image, by chunks: the points in `chunks` equal runs,
 * each run scattered into its own image-sized part of `out` (the caller sums them in order).
 * A part is written, and cleared first, only where its run can write (scatterExtent), which
 * `extents` records: from and to for each chunk. The task's range counts chunks, not points.
 */
export interface ScatterChunksTask {
  readonly task: 'scatterChunks';
  readonly shape: GridShape;
  readonly padding: 'zeros' | 'border';
  readonly points: Float32Array;
  readonly dy: Float32Array;
  readonly chunks: number;
  readonly out: Float32Array;
  readonly extents: Int32Array;
}

/**
 * The sum of `chunks` parts of `length` values, in order (part 0, then + part 1, …, each sum
 * rounded to float32 as a Float32Array would hold it), into `out`; the range counts values.
 * scatterChunks's parts, added up on every thread with the bits of one. A part counts only
 * inside its extent (scatterChunks's `extents`) and is zero elsewhere, where adding it would
 * change no bit: a scattered sum is never −0.
 */
export interface SumChunksTask {
  readonly task: 'sumChunks';
  readonly parts: Float32Array;
  readonly chunks: number;
  readonly length: number;
  readonly extents: Int32Array;
  readonly out: Float32Array;
  /** Then `into` += out and += `plus`, in that order, each sum rounded to float32. */
  readonly accumulate?: { readonly into: Float32Array; readonly plus: Float32Array };
}

/** Local attention (local-attention-loops.ts) for a range of query voxels. */
export interface LocalAttentionTask {
  readonly task: 'attendLocally';
  readonly shape: AttentionShape & { readonly dimension: number };
  readonly radius: number;
  readonly queries: Float32Array;
  readonly keys: Float32Array;
  readonly values: Float32Array;
  readonly mask: Float32Array;
  readonly halfNorm: Float32Array;
  readonly out: Float32Array;
}

/** One pass of a box mean along an axis, in place (box-filter-loops.ts); the range counts its units. */
export interface BoxPassTask {
  readonly task: 'boxAlongAxis';
  readonly values: Float32Array;
  /** Sizes along x, y, z (z = 1 in 2D). */
  readonly n: readonly number[];
  readonly axis: number;
  readonly radius: number;
}

/**
 * An image resampled onto rows of a target grid (row-resampling-loops.ts). The range counts
 * rows from `firstRow`, where `out` (C values per voxel) and `displacement` (D per voxel) start.
 */
export interface ResampleRowsTask {
  readonly task: 'resampleRows';
  readonly image: Float32Array;
  readonly shape: GridShape;
  readonly rows: RowMap;
  readonly firstRow: number;
  readonly displacement?: Float32Array;
  readonly padding: Padding;
  readonly interpolation: Interpolation;
  readonly out: Float32Array;
}

/** A displacement field's det J on rows of a target grid, times `scale`; the range as resampleRows's. */
export interface DeterminantRowsTask {
  readonly task: 'determinantRows';
  readonly field: Float32Array;
  readonly fieldShape: readonly number[];
  readonly rows: Pick<RowMap, 'size' | 'map'>;
  readonly worldToIndex: readonly number[];
  readonly scale: number;
  readonly firstRow: number;
  readonly out: Float32Array;
}

/** A pointwise step of local normalization (local-normalization-loops.ts); the range counts voxels. */
export interface LocalNormalizationTask {
  readonly task: 'localNormalization';
  /** I and I² before the box means, or the normalization after them. */
  readonly step: 'moments' | 'normalize';
  readonly values: Float32Array;
  readonly mean: Float32Array;
  readonly meanOfSquares: Float32Array;
  /** For 'normalize': the deviation's floor, squared, in float32. */
  readonly floorSquared: number;
}

/** One axis of the spline level's map B or Bᵀ (spline-pass-loops.ts); the range counts rows of `dst`. */
export interface SplinePassTask {
  readonly task: 'splinePass';
  readonly src: Float32Array;
  readonly dst: Float32Array;
  readonly gather: RowGather;
  readonly row: number;
}

/**
 * A step of MIND-SSC (mind-ssc-loops.ts): the diagonal images' squared differences (the range
 * counts planes of the stacked diagonal images), the channels less their least with each voxel's
 * mean, or the normalization with the variance held in `bounds` (both count voxels).
 */
export interface MindSscTask {
  readonly task: 'mindSsc';
  readonly step: 'differences' | 'channels' | 'normalize';
  readonly layout: MindLayout;
  readonly extended: Float32Array;
  readonly diagonals: Float32Array;
  readonly out: Float32Array;
  readonly means: Float64Array;
  readonly bounds: readonly [number, number];
}

export type PoolTask = MindSscTask | SplinePassTask | LocalNormalizationTask | SquaringTask | SampleTask | PointGradientTask | SavedPointGradientTask | ScatterChunksTask | SumChunksTask | LocalAttentionTask | BoxPassTask | ResampleRowsTask | DeterminantRowsTask;

/** The points of chunk `c` of `chunks` over `count` points: [first, last). */
function chunkBounds(count: number, chunks: number, c: number): [number, number] {
  return [Math.round((count * c) / chunks), Math.round((count * (c + 1)) / chunks)];
}

/**
 * Runs the task on points [first, last); for scatterChunks the range counts chunks, for
 * attendLocally query voxels, for a box pass its units, for the row tasks rows, for the
 * pointwise ones voxels.
 */
export function runTaskRange(t: PoolTask, first: number, last: number): void {
  if (t.task === 'boxAlongAxis') return boxAlongAxisRange(t.values, t.n, t.axis, t.radius, first, last);
  if (t.task === 'sumChunks') return sumChunksRange(t, first, last);
  if (t.task === 'squaring') return squaringRange(t, first, last);
  if (t.task === 'splinePass') return gatherRowsRange(t.src, t.dst, t.gather, t.row, first, last);
  if (t.task === 'resampleRows') return resampleRowsRange(t, first, last);
  if (t.task === 'localNormalization')
    return t.step === 'moments' ? momentsRange(t.values, t.mean, t.meanOfSquares, first, last) : normalizeRange(t.values, t.mean, t.meanOfSquares, t.floorSquared, first, last);
  if (t.task === 'determinantRows') return determinantRowsRange(t, first, last);
  if (t.task === 'mindSsc') return mindSscRange(t, first, last);
  const D = t.shape.dimension;
  const range = (values: Float32Array, width: number) => values.subarray(first * width, last * width);
  switch (t.task) {
    case 'sample':
      return sampleGrid(t.image, t.shape, range(t.points, D), range(t.out, t.shape.channels), t.padding, 'linear');
    case 'sampleWithDerivatives':
      return sampleGridWithDerivatives(t.image, t.shape, range(t.points, D), range(t.out, valuesWithDerivativesWidth(t.shape)), t.padding === 'zeros');
    case 'pointGradient':
      return sampleGridPointGradient(t.image, t.shape, range(t.points, D), range(t.dy, t.shape.channels), range(t.out, D), t.padding);
    case 'savedPointGradient':
      return savedPointGradient(range(t.samples, valuesWithDerivativesWidth(t.shape)), t.shape, range(t.dy, t.shape.channels), range(t.out, D));
    case 'attendLocally':
      return attendLocallyRange(t.queries, t.keys, t.values, t.mask, t.halfNorm, t.shape, t.radius, t.out, first, last);
    case 'scatterChunks': {
      const C = t.shape.channels;
      const length = t.shape.nx * t.shape.ny * t.shape.nz * C;
      const count = t.points.length / D;
      for (let c = first; c < last; c++) {
        const [a, b] = chunkBounds(count, t.chunks, c);
        const part = t.out.subarray(c * length, (c + 1) * length);
        const points = t.points.subarray(a * D, b * D);
        const extent = scatterExtent(t.shape, points);
        t.extents[2 * c] = extent[0];
        t.extents[2 * c + 1] = extent[1];
        scatterToGrid(t.shape, points, t.dy.subarray(a * C, b * C), part, t.padding, 'linear', extent);
      }
    }
  }
}

function resampleRowsRange(t: ResampleRowsTask, first: number, last: number): void {
  const nx = t.rows.size[0];
  const D = t.rows.size.length;
  const C = t.shape.channels;
  const displacement = t.displacement?.subarray(first * nx * D, last * nx * D);
  resampleRows(t.image, t.shape, t.rows, t.firstRow + first, t.firstRow + last, displacement, t.out.subarray(first * nx * C, last * nx * C), t.padding, t.interpolation);
}

function mindSscRange(t: MindSscTask, first: number, last: number): void {
  if (t.step === 'differences') diagonalDifferencesRange(t.extended, t.layout, t.diagonals, first, last);
  else if (t.step === 'channels') mindChannelsRange(t.diagonals, t.layout, t.out, t.means, first, last);
  else mindNormalizeRange(t.out, t.layout.offsets.length, t.bounds[0], t.bounds[1], first, last);
}

function determinantRowsRange(t: DeterminantRowsTask, first: number, last: number): void {
  const nx = t.rows.size[0];
  determinantRows(t.field, t.fieldShape, t.rows, t.worldToIndex, t.scale, t.firstRow + first, t.firstRow + last, t.out.subarray(first * nx, last * nx));
}

function squaringRange({ field, shape, nodes, points, out }: SquaringTask, first: number, last: number): void {
  const D = shape.dimension;
  const [from, to] = [first * D, last * D];
  for (let i = from; i < to; i++) points[i] = nodes[i] + field[i];
  sampleGrid(field, shape, points.subarray(from, to), out.subarray(from, to), 'border', 'linear');
  for (let i = from; i < to; i++) out[i] += field[i];
}

function sumChunksRange({ parts, chunks, length, extents, out, accumulate }: SumChunksTask, first: number, last: number): void {
  out.fill(0, first, last);
  // Part by part, each a sequential stream over its extent; the Float32Array rounds every sum.
  for (let c = 0; c < chunks; c++) {
    const offset = c * length;
    const from = Math.max(first, extents[2 * c]);
    const to = Math.min(last, extents[2 * c + 1]);
    if (c === 0) for (let i = from; i < to; i++) out[i] = parts[i];
    else for (let i = from; i < to; i++) out[i] += parts[offset + i];
  }
  if (!accumulate) return;
  const { into, plus } = accumulate;
  for (let i = first; i < last; i++) {
    into[i] += out[i];
    into[i] += plus[i];
  }
}

/** Takes chunks of `deal` off its counter and runs them, until none is left. */
export function runChunks(t: PoolTask, deal: { readonly count: number; readonly chunk: number; readonly next: Int32Array }): void {
  for (;;) {
    const first = Atomics.add(deal.next, 0, 1) * deal.chunk;
    if (first >= deal.count) return;
    runTaskRange(t, first, Math.min(deal.count, first + deal.chunk));
  }
}

/**
 * How many units of `task` a thread must have before the work is split at all. A query voxel of
 * local attention reads a window of 9 to 125 keys: a thousand of them outweigh the hand-over.
 */
export function minimumPerThread(task: PoolTask, pointsPerThread3d: number, pointsPerThread2d: number): number {
  if (task.task === 'scatterChunks') return 1;
  // A box pass adds and subtracts a few values per voxel, streaming through memory: below some
  // 64 K values a thread (a 2D slice's whole image) the hand-over costs more than it saves.
  if (task.task === 'boxAlongAxis') return Math.ceil(65_536 / (task.values.length / boxUnitsAlong(task.n, task.axis)));
  // Adding up a fine control grid's parts (a 5 mm brain grid: 171 000 values, eight parts), or
  // a pointwise step over a volume: a few operations a value, streaming through memory.
  if (task.task === 'sumChunks' || task.task === 'localNormalization') return 65_536;
  // MIND-SSC: a plane of a diagonal image is a few thousand squared differences; a voxel's
  // channels are 12 reads (or 12 exponentials). 2D images stay on one thread, as attention's.
  if (task.task === 'mindSsc') return task.step === 'differences' ? Math.ceil(65_536 / (task.layout.m[0] * task.layout.m[1])) : 4096;
  // A spline row is four multiply-adds a value.
  if (task.task === 'splinePass') return Math.ceil(16_384 / task.row);
  // A squaring samples D channels at each node's point.
  if (task.task === 'squaring') return task.shape.dimension === 2 ? pointsPerThread2d : pointsPerThread3d;
  // A 2D query reads 9 to 25 keys: on the bench's slice (3 500 and 14 000 queries) two threads
  // took as long as one.
  if (task.task === 'attendLocally') return task.shape.dimension === 2 ? pointsPerThread2d : 1024;
  // Rows of a target grid: as many as hold the points a thread needs.
  if (task.task === 'resampleRows' || task.task === 'determinantRows') {
    const size = task.rows.size;
    return Math.ceil((size.length === 2 ? pointsPerThread2d : pointsPerThread3d) / size[0]);
  }
  return task.shape.dimension === 2 ? pointsPerThread2d : pointsPerThread3d;
}
