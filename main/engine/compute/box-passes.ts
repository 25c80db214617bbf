// A box mean over a volume as passes along its axes (box-filter-loops.ts), in place. Where the
// volume is in shared memory and there are kernel threads, each pass splits over them: its
// lines, planes or columns are summed alone, so the numbers are the same on any thread count.
//
// An array sent to the threads stays referenced by them until the pool ends (an idle thread
// hardly ever collects garbage: shared-scratch.ts). A registration ends its pool after the
// optimizer, so its signals' arrays go then; code that runs where the pool lives on (Inspect's
// features, a trainer's validation) should reuse its arrays rather than make new ones per call.

import { boxAlongAxis, boxUnitsAlong } from './box-filter-loops';
import { kernelPool, kernelThreadCount } from './kernel-pool/kernel-pool';

/** Box mean of radius r along the first `dims` axes of a [nz][ny][nx] volume (n: x, y, z), zero padded, in place. */
export function boxMeanInPlace(values: Float32Array, n: readonly number[], dims: number, radius: number): void {
  const onThreads = values.buffer instanceof SharedArrayBuffer && kernelThreadCount() > 1;
  const scratch = new Float64Array(Math.max(...n));
  for (let axis = 0; axis < dims; axis++) {
    if (onThreads) kernelPool().run({ task: 'boxAlongAxis', values, n, axis, radius }, boxUnitsAlong(n, axis));
    else boxAlongAxis(values, n, axis, radius, scratch);
  }
}
