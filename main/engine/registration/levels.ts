// An image level: a tensor on a grid. Pyramids of them, and how the stages report progress.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { StageReport } from '../job-context';
import { downsampleByAveraging, downsampledGrid } from './filters';

export interface GridTensor {
  readonly grid: ImageGrid;
  /** [z, y, x, c] or [y, x, c] on `grid`. */
  readonly tensor: tf.Tensor;
}

/** Progress within one stage; throws when the job was cancelled (see stagedProgress.update). */
export type StageReporter = (fraction: number, report?: StageReport) => void;

export function downsampleLevel(level: GridTensor, factor: number): GridTensor {
  return { grid: downsampledGrid(level.grid, factor), tensor: downsampleByAveraging(level.tensor, factor) };
}

/** A 0/1 region downsampled so that a coarse voxel is inside when any of its block is. */
export function downsampleRegion(region: GridTensor, factor: number): GridTensor {
  const averaged = downsampleByAveraging(region.tensor, factor);
  const tensor = tf.tidy(() => tf.cast(tf.greater(averaged, 0), 'float32'));
  averaged.dispose();
  return { grid: downsampledGrid(region.grid, factor), tensor };
}

export function disposeLevels(levels: Iterable<GridTensor | undefined>): void {
  for (const l of levels) l?.tensor.dispose();
}
