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
 * The voxels of a feature map as attention's keys, with what every query needs of them computed
 * once: ½|k_j|² (half of each match's arithmetic otherwise) and their world points, always as
 * x, y, z (z = 0 in 2D) so that one unrolled loop serves both dimensions.
 */
export interface AttentionKeys {
  readonly map: FeatureMap;
  readonly halfSquares: Float32Array;
  /** World coordinates, voxels × 3. */
  readonly points: Float32Array;
}

export function attentionKeys(map: FeatureMap): AttentionKeys {
  const C = map.channels;
  const d = map.grid.size.length;
  const n = map.features.length / C;
  const halfSquares = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let square = 0;
    for (let c = 0, o = j * C; c < C; c++, o++) square += map.features[o] * map.features[o];
    halfSquares[j] = 0.5 * square;
  }
  const world = voxelWorldPoints(map.grid);
  const points = new Float32Array(n * 3);
  for (let j = 0; j < n; j++) for (let a = 0; a < d; a++) points[j * 3 + a] = world[j * d + a];
  return { map, halfSquares, points };
}

/** Below the best logit by more than this, a voxel's probability (< 1e-13 of the peak's) is taken as 0. */
const NEGLIGIBLE_LOGIT = 30;

/**
 * The attention match of feature `q` among `keys`; with `heatmap`, p on the keys' grid as bytes,
 * 255 · p / max p. Two passes over the voxels: the logits, then their exponentials with the
 * sums that give the mean, the spread and the heatmap (max p is the best voxel's, known by then).
 */
export function matchFeature(q: Float32Array, keys: AttentionKeys, heatmap = false): FeatureMatchResult {
  const { map, points, halfSquares } = keys;
  const C = map.channels;
  const n = halfSquares.length;
  const features = map.features;
  const scale = map.scale;
  const logits = new Float32Array(n);
  let max = -Infinity;
  let best = 0;
  for (let j = 0, o = 0; j < n; j++, o += C) {
    // Four channels a step: the channel count is not known to the compiler, and this runs
    // over every voxel of the other image on every pointer move.
    let dot = 0;
    let c = 0;
    for (; c + 4 <= C; c += 4) dot += q[c] * features[o + c] + q[c + 1] * features[o + c + 1] + q[c + 2] * features[o + c + 2] + q[c + 3] * features[o + c + 3];
    for (; c < C; c++) dot += q[c] * features[o + c];
    const logit = scale * (dot - halfSquares[j]);
    logits[j] = logit;
    if (logit > max) {
      max = logit;
      best = j;
    }
  }
  const bytes = heatmap ? new Uint8Array(n) : null;
  let sum = 0;
  let mx = 0;
  let my = 0;
  let mz = 0;
  let secondMoment = 0;
  for (let j = 0, o = 0; j < n; j++, o += 3) {
    const shifted = logits[j] - max;
    if (shifted < -NEGLIGIBLE_LOGIT) continue;
    const e = Math.exp(shifted);
    sum += e;
    const x = points[o];
    const y = points[o + 1];
    const z = points[o + 2];
    mx += e * x;
    my += e * y;
    mz += e * z;
    secondMoment += e * (x * x + y * y + z * z);
    // e is p / max p: the best voxel's e is 1.
    if (bytes) bytes[j] = (255 * e + 0.5) | 0;
  }
  const d = map.grid.size.length;
  const attention = [mx / sum, my / sum, mz / sum].slice(0, d);
  // E|y − ȳ|² = E|y|² − |ȳ|², in doubles (world points are hundreds of mm, spreads can be < 1 mm).
  const variance = secondMoment / sum - attention.reduce((s, m) => s + m * m, 0);
  return {
    attention,
    argmax: Array.from(points.subarray(best * 3, best * 3 + d)),
    peakProbability: 1 / sum,
    spreadMm: Math.sqrt(Math.max(0, variance)),
    heatmap: bytes ?? undefined,
  };
}

export const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
