// Where a point of one image goes in the other by features alone — coordinate attention for
// one query: the point's feature q (interpolated from the query image's feature map), its
// similarity to every voxel j of the other image's map, p_j = softmax_j(s·(q·k_j − ½|k_j|²))
// (the score the registration's attention uses), and from p:
//   attention match  Σ p_j y_j        (where attention sends the point)
//   argmax           the most similar voxel
//   confidence       max p (1: certain; 1/N: no preference) and the spread of y under p, mm
//   cycle error      the match of the match, back in the query image, minus the point, mm
// The heatmap is p itself on the other image's feature grid, scaled to its maximum.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, worldToIndex } from '../../../shared/geometry/grid';
import { interpolateLinearAt } from '../../../shared/image/interpolate';
import type { FeatureMap } from './feature-maps';

export interface FeatureMatchResult {
  readonly attention: number[];
  readonly argmax: number[];
  readonly peakProbability: number;
  readonly spreadMm: number;
  /** p on the other map's grid, x fastest. */
  readonly probabilities: Float32Array;
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

/** The attention match of feature `q` among the voxels of `keys` (with their world points). */
export function matchFeature(q: Float32Array, keys: FeatureMap, keyPoints: Float32Array, scale: number): FeatureMatchResult {
  const C = keys.channels;
  const d = keys.grid.size.length;
  const n = keys.features.length / C;
  const logits = new Float32Array(n);
  let max = -Infinity;
  let best = 0;
  for (let j = 0; j < n; j++) {
    let dot = 0;
    let square = 0;
    for (let c = 0; c < C; c++) {
      const k = keys.features[j * C + c];
      dot += q[c] * k;
      square += k * k;
    }
    const logit = scale * (dot - 0.5 * square);
    logits[j] = logit;
    if (logit > max) {
      max = logit;
      best = j;
    }
  }
  let sum = 0;
  for (let j = 0; j < n; j++) sum += logits[j] = Math.exp(logits[j] - max);
  const attention = new Array<number>(d).fill(0);
  for (let j = 0; j < n; j++) {
    const p = (logits[j] /= sum);
    for (let a = 0; a < d; a++) attention[a] += p * keyPoints[j * d + a];
  }
  let variance = 0;
  for (let j = 0; j < n; j++) {
    let r2 = 0;
    for (let a = 0; a < d; a++) r2 += (keyPoints[j * d + a] - attention[a]) ** 2;
    variance += logits[j] * r2;
  }
  return {
    attention,
    argmax: Array.from(keyPoints.subarray(best * d, best * d + d)),
    peakProbability: logits[best],
    spreadMm: Math.sqrt(variance),
    probabilities: logits,
  };
}

export const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

/** The heatmap as bytes: 255 · p / max p. */
export function heatmapBytes(probabilities: Float32Array): Uint8Array {
  let max = 0;
  for (const p of probabilities) if (p > max) max = p;
  const scale = max > 0 ? 255 / max : 0;
  // A plain loop: Uint8Array.from with a mapping callback took 100–200 ms on a 72×87×72 map,
  // more than the match itself, on every pointer move.
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(probabilities[i] * scale);
  return out;
}
