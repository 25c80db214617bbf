// What a kernel thread can be asked to do: each task is a loop over a range of points, reading
// arrays every thread shares (SharedArrayBuffer) and writing only its own range of the output.
// Points are independent of each other, so any split of the range gives the same numbers as one
// thread: the thread count changes the time, never the result.
//
// This table is the one list both sides import: the pool on the calling thread, and the worker
// entry on the kernel threads.

import type { GridShape } from '../grid-sampling-loops';
import { sampleGrid } from '../grid-sampling-loops';
import { sampleGridWithDerivatives, valuesWithDerivativesWidth } from '../sample-with-derivatives-loops';

/** A linear sample of one shared image at a range of points. */
export interface SampleTask {
  readonly task: 'sample' | 'sampleWithDerivatives';
  readonly image: Float32Array;
  readonly shape: GridShape;
  readonly padding: 'zeros' | 'border';
  readonly points: Float32Array;
  readonly out: Float32Array;
}

export type PoolTask = SampleTask;

/** Runs the task on points [first, last). */
export function runTaskRange(t: PoolTask, first: number, last: number): void {
  const D = t.shape.dimension;
  const W = t.task === 'sample' ? t.shape.channels : valuesWithDerivativesWidth(t.shape);
  const points = t.points.subarray(first * D, last * D);
  const out = t.out.subarray(first * W, last * W);
  if (t.task === 'sample') sampleGrid(t.image, t.shape, points, out, t.padding, 'linear');
  else sampleGridWithDerivatives(t.image, t.shape, points, out, t.padding === 'zeros');
}
