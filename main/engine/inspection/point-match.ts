// Where a point of one image goes in the other by features alone — coordinate attention for
// one query: the point's feature q (interpolated from the query image's feature map), its
// similarity to every voxel j of the other image's map, p_j = softmax_j(s·(q·k_j − ½|k_j|²))
// (the score the registration's attention uses), and from p:
//   attention match  Σ p_j y_j        (where attention sends the point)
//   argmax           the most similar voxel
//   confidence       max p (1: certain; 1/N: no preference) and the spread of y under p, mm
//   cycle error      the match of the match, back in the query image, minus the point, mm
// The heatmap is p itself on the other image's feature grid, scaled to its maximum, as bytes.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, worldToIndex } from '../../../shared/geometry/grid';
import { interpolateLinearAt } from '../../../shared/image/interpolate';
import type { FeatureMap } from './feature-maps';
import { AttentionKernel } from './attention-kernel';

export interface FeatureMatchResult {
  readonly attention: number[];
  readonly argmax: number[];
  readonly peakProbability: number;
  readonly spreadMm: number;
  /** 255 · p / max p on the keys' grid, x fastest, when asked for. */
  readonly heatmap?: Uint8Array;
}

/** World coordinates of every voxel of a grid: voxels × d, x fastest (kept with the map). */
export function voxelWorldPoints(grid: ImageGrid): Float32Array {
  const d = grid.size.length;
  const n = grid.size.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * d);
  const index = new Array<number>(d).fill(0);
  const world: number[] = [];
  for (let v = 0; v < n; v++) {
    indexToWorld(grid, index, world);
    for (let a = 0; a < d; a++) out[v * d + a] = world[a];
    for (let a = 0; a < d && ++index[a] === grid.size[a]; a++) index[a] = 0;
  }
  return out;
}

/** The map's feature vector at a world point, by multilinear interpolation (edge values beyond the grid). */
export function featureAt(map: FeatureMap, point: readonly number[]): Float32Array {
  const index = worldToIndex(map.grid, point).map((c, a) => Math.min(Math.max(c, 0), map.grid.size[a] - 1));
  const out: number[] = [];
  interpolateLinearAt(map.grid.size, map.features, map.channels, index, out);
  return Float32Array.from(out);
}

/**
 * The voxels of a feature map as attention's keys, laid out once for the match kernel
 * (attention-kernel.ts): the features as channel planes, ½|k_j|² (half of each match's
 * arithmetic otherwise) and their world points, always as x, y, z (z = 0 in 2D).
 */
export interface AttentionKeys {
  readonly map: FeatureMap;
  readonly kernel: AttentionKernel;
  /** What the keys hold beyond the map, for the feature cache's budget. */
  readonly byteLength: number;
}

export function attentionKeys(map: FeatureMap): AttentionKeys {
  const kernel = new AttentionKernel(map.features, map.channels, voxelWorldPoints(map.grid), map.grid.size.length);
  return { map, kernel, byteLength: kernel.byteLength };
}

/**
 * The attention match of feature `q` among `keys`; with `heatmap`, p on the keys' grid as bytes,
 * 255 · p / max p. Two passes over the voxels (the kernel's): the logits with their best voxel,
 * then their exponentials with the sums that give the mean, the spread and the heatmap. The
 * sums are taken about the best voxel's point c, where the weight lies: the mean is
 * c + E[y − c] and the variance E|y − c|² − |E[y − c]|², with no large terms to cancel.
 */
export function matchFeature(q: Float32Array, keys: AttentionKeys, heatmap = false): FeatureMatchResult {
  const { map, kernel } = keys;
  const best = kernel.logits(q, map.scale);
  const c = kernel.pointAt(best);
  const sums = kernel.sums(kernel.logitAt(best), c, heatmap);
  const d = map.grid.size.length;
  const mean = sums.offset.map((o) => o / sums.sum);
  const attention = mean.map((m, a) => c[a] + m).slice(0, d);
  const variance = sums.squaredOffset / sums.sum - mean.reduce((s, m) => s + m * m, 0);
  return {
    attention,
    argmax: c.slice(0, d),
    peakProbability: 1 / sums.sum,
    spreadMm: Math.sqrt(Math.max(0, variance)),
    heatmap: sums.bytes,
  };
}

export const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
