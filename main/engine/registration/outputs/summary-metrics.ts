// The metrics of a finished registration: similarity before and after, regularity of the map,
// inverse consistency of its two directions, and label overlap when labels are given.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import { sameGrid, voxelCount } from '../../../../shared/geometry/grid';
import type { PixelArray, ScalarImage } from '../../../../shared/image/voxel-image';
import { finiteRange } from '../../../../shared/image/statistics';
import { gridSample } from '../../compute/grid-sample';
import type { AlignmentResult } from '../alignment/affine-alignment';
import type { BidirectionalField } from '../attention/coordinate-attention';
import { resampleField, warpOnGrid } from '../fields/displacement-fields';
import { imageToTensor, indexToIndexMatrix, readToHost, slabPoints, slabs } from '../grid-tensors';
import type { GridTensor } from '../levels';
import { RegionSampler } from '../point-sampling';
import { seededRandom } from '../random';
import type { RegistrationInputs, RegistrationMetrics } from '../result';
import { resampleTensor } from '../working-space';
import type { DenseOutputs } from './dense-outputs';
import { diceScores, foldPercent, inverseConsistency, logJacobianSd, normalizedCrossCorrelationOf } from './metrics';

/** A label map on another grid by nearest neighbour, slab by slab (identity in world space). */
export async function labelsOnGrid(labels: ScalarImage, grid: ImageGrid): Promise<PixelArray> {
  if (sameGrid(labels.grid, grid)) return labels.pixels;
  const out = new (labels.pixels.constructor as new (n: number) => PixelArray)(voxelCount(grid));
  const source = imageToTensor(labels);
  const toSource = indexToIndexMatrix(grid, labels.grid);
  const d = grid.size.length;
  let offset = 0;
  try {
    for (const [first, last] of slabs(grid)) {
      const points = slabPoints(grid.size, first, last, toSource);
      const values = await readToHost(() => gridSample(source, tf.tensor2d(points, [points.length / d, d]), { interpolation: 'nearest' }));
      out.set(values, offset);
      offset += values.length;
    }
  } finally {
    source.dispose();
  }
  return out;
}

/** Voxels of the fixed image brighter than 5% of its range, or its mask: where folds count. */
async function foreground(inputs: RegistrationInputs): Promise<Uint8Array> {
  const mask = inputs.fixedMask ? await labelsOnGrid(inputs.fixedMask, inputs.fixed.grid) : inputs.fixed.pixels;
  const { min, max } = finiteRange(mask);
  const threshold = inputs.fixedMask ? 0 : min + 0.05 * (max - min);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] > threshold ? 1 : 0;
  return out;
}

export interface MetricInputs {
  readonly inputs: RegistrationInputs;
  readonly dense: DenseOutputs;
  readonly alignment: AlignmentResult;
  readonly fixedWorking: GridTensor;
  /** The moving image at the working resolution in its own frame. */
  readonly movingOwn: GridTensor;
  /** The moving image after the affine, on the working grid. */
  readonly movingWorking: GridTensor;
  readonly final: BidirectionalField;
  readonly fixedRegion: GridTensor;
  readonly seed: number;
}

export async function summarizeMetrics(m: MetricInputs): Promise<RegistrationMetrics> {
  const grid = m.fixedWorking.grid;
  const region = await m.fixedRegion.tensor.data();
  const fixed = await m.fixedWorking.tensor.data();
  const identity = await readToHost(() => resampleTensor(m.movingOwn.tensor, m.movingOwn.grid, grid));
  const warped = await readToHost(() => warpOnGrid(m.movingWorking.tensor, resampleField(m.final.forward, grid), 'zeros'));
  const mask = await foreground(m.inputs);
  const sampler = new RegionSampler(region, grid.size, seededRandom(m.seed + 1));
  const metrics: RegistrationMetrics = {
    nccBefore: normalizedCrossCorrelationOf(fixed, identity, region),
    nccAffine: normalizedCrossCorrelationOf(fixed, await m.movingWorking.tensor.data(), region),
    nccAfter: normalizedCrossCorrelationOf(fixed, warped, region),
    foldPercent: foldPercent(m.dense.jacobianDeterminant, mask),
    logJacobianSd: logJacobianSd(m.dense.jacobianDeterminant, mask),
    inverseConsistency: await inverseConsistency(m.final.forward, m.final.backward, sampler, grid),
  };
  const { fixedLabels, movingLabels } = m.inputs;
  if (!fixedLabels || !movingLabels) return metrics;
  const reference = await labelsOnGrid(fixedLabels, m.inputs.fixed.grid);
  return {
    ...metrics,
    diceBefore: diceScores(reference, await labelsOnGrid(movingLabels, m.inputs.fixed.grid)),
    diceAfter: diceScores(reference, m.dense.warpedLabels[0]),
  };
}
