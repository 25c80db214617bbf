// Quality measures of a registration result, as reports and benchmarks need them. Statistics over
// whole arrays, shared by the engine's report and the benchmark's scoring of the peer.

import * as tf from '@tensorflow/tfjs-core';
import { gridSample } from '../../compute/grid-sample';
import { displacedPoints, sampleField } from '../fields/displacement-fields';
import { indexToIndexMatrix, readToHost, transformPoints } from '../grid-tensors';
import type { GridTensor } from '../levels';
import type { RegionSampler } from '../point-sampling';

/** Percentage of voxels (inside `mask` where given) where det J ≤ 0: folds. */
export function foldPercent(jacobian: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let folds = 0;
  let total = 0;
  for (let i = 0; i < jacobian.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    total++;
    if (!(jacobian[i] > 0)) folds++;
  }
  return total ? (100 * folds) / total : 0;
}

/** Standard deviation of log det J over non-folded voxels (inside `mask`): how uneven the
 * local volume change is. */
export function logJacobianSd(jacobian: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < jacobian.length; i++) {
    if ((mask && !(mask[i] > 0)) || !(jacobian[i] > 0)) continue;
    const l = Math.log(jacobian[i]);
    n++;
    sum += l;
    squares += l * l;
  }
  return n > 1 ? Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2)) : 0;
}

export interface DiceScores {
  /** Label value → Dice, for every nonzero label of the reference. */
  readonly perLabel: Record<number, number>;
  readonly mean: number;
}

/** Dice overlap per label between a reference and a candidate label map on the same grid. */
export function diceScores(reference: ArrayLike<number>, candidate: ArrayLike<number>): DiceScores {
  const inReference = new Map<number, number>();
  const inCandidate = new Map<number, number>();
  const inBoth = new Map<number, number>();
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i];
    const b = candidate[i];
    if (a !== 0) inReference.set(a, (inReference.get(a) ?? 0) + 1);
    if (b !== 0) inCandidate.set(b, (inCandidate.get(b) ?? 0) + 1);
    if (a !== 0 && a === b) inBoth.set(a, (inBoth.get(a) ?? 0) + 1);
  }
  const perLabel: Record<number, number> = {};
  let sum = 0;
  const labels = [...inReference.keys()].sort((x, y) => x - y);
  for (const label of labels) {
    const dice = (2 * (inBoth.get(label) ?? 0)) / (inReference.get(label)! + (inCandidate.get(label) ?? 0));
    perLabel[label] = dice;
    sum += dice;
  }
  return { perLabel, mean: labels.length ? sum / labels.length : NaN };
}

/** Normalized cross-correlation of two images on one grid (inside `mask` where given). */
export function normalizedCrossCorrelationOf(a: ArrayLike<number>, b: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let n = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    n++;
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    const x = a[i] - ma;
    const y = b[i] - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export interface InverseConsistency {
  /** |u(x) + v(x + u(x))| in mm over sampled fixed points: mean, 95th percentile and max. */
  readonly meanMm: number;
  readonly p95Mm: number;
  readonly maxMm: number;
}

/** How far v is from the inverse of u, at `count` random points of the fixed region. */
export async function inverseConsistency(
  forward: GridTensor,
  backward: GridTensor,
  sampler: RegionSampler,
  samplerGrid: GridTensor['grid'],
  count = 20000,
): Promise<InverseConsistency> {
  const errors = await readToHost(() => {
    const points = sampler.sample(count);
    const onField = transformPoints(points, indexToIndexMatrix(samplerGrid, forward.grid)) as tf.Tensor2D;
    const u = sampleField(forward, onField);
    const moved = displacedPoints(forward.grid, onField, u);
    const v = gridSample(backward.tensor, moved, { padding: 'border' });
    return tf.sqrt(tf.sum(tf.square(tf.add(u, v)), 1));
  });
  const sorted = Float32Array.from(errors).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { meanMm: mean, p95Mm: sorted[Math.floor(0.95 * (sorted.length - 1))] ?? 0, maxMm: sorted[sorted.length - 1] ?? 0 };
}
