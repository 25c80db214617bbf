// Resampling and det J onto rows of a target grid, split over the kernel threads: the loops of
// row-resampling-loops.ts, each row computed alone, so the thread count changes no value. For
// the full-resolution outputs and signals, where a 1 mm brain is 7 M voxels per quantity.
//
// The arrays go to the threads only when every one of them is in shared memory (poolFloats,
// sharedImageOf): a plain array posted to a thread arrives as a copy, and what the thread wrote
// into it would be lost. Otherwise, and on one thread, the loops run here.

import type { Interpolation, Padding } from './grid-sampling-loops';
import { gridShapeOf } from './grid-sampling-loops';
import { runWhereShared } from './kernel-pool/kernel-pool';
import type { DeterminantRowsTask, ResampleRowsTask } from './kernel-pool/pool-tasks';
import type { RowMap } from './row-resampling-loops';
import type { SharedImage } from './shared-image';

export interface RowResampling {
  /** D values per voxel of the rows (world mm), added through the map's `vectorMap`. */
  readonly displacement?: Float32Array;
  readonly padding?: Padding;
  readonly interpolation?: Interpolation;
}

/**
 * `image` (its shape a tensor's, [..., C]) sampled at the voxels of the target rows
 * [firstRow, lastRow) through `map`, into `out` ([voxels, C] from the first row's first voxel).
 */
export function resampleRowsOnThreads(image: SharedImage, map: RowMap, [firstRow, lastRow]: readonly [number, number], out: Float32Array, options: RowResampling = {}): void {
  const task: ResampleRowsTask = {
    task: 'resampleRows',
    image: image.values,
    shape: gridShapeOf(image.shape),
    rows: map,
    firstRow,
    displacement: options.displacement,
    padding: options.padding ?? 'zeros',
    interpolation: options.interpolation ?? 'linear',
    out,
  };
  runWhereShared(task, lastRow - firstRow, [image.values, options.displacement, out]);
}

/**
 * det(I + ∇u · W) × `scale` (in float32) of the displacement field `field` (mm, its shape a
 * tensor's) at the voxels of the target rows [firstRow, lastRow), into `out`.
 */
export function determinantRowsOnThreads(
  field: SharedImage,
  map: Pick<RowMap, 'size' | 'map'>,
  worldToIndex: readonly number[],
  scale: number,
  [firstRow, lastRow]: readonly [number, number],
  out: Float32Array,
): void {
  const task: DeterminantRowsTask = { task: 'determinantRows', field: field.values, fieldShape: field.shape, rows: map, worldToIndex, scale, firstRow, out };
  runWhereShared(task, lastRow - firstRow, [field.values, out]);
}
