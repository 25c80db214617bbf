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
  /**
   * The features again, four channels per group (the last one zero-padded), each group voxel
   * by voxel. The logits' loop holds one group of the query in locals and reads that group's
   * keys in order: 3–4× faster in V8 than reading the query and the interleaved channels
   * inside the loop, and the same loop for any channel count.
   */
  readonly channelGroups: readonly Float32Array[];
  readonly halfSquares: Float32Array;
  /** World coordinates, voxels × 3. */
  readonly points: Float32Array;
  /** The logits of the match being computed: reused, since a match runs start to end in one task. */
  readonly logits: Float64Array;
  /** What the keys hold beyond the map, for the feature cache's budget. */
  readonly byteLength: number;
}

const GROUP = 4;

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
  const channelGroups: Float32Array[] = [];
  for (let first = 0; first < C; first += GROUP) {
    const group = new Float32Array(n * GROUP);
    const width = Math.min(GROUP, C - first);
    for (let j = 0; j < n; j++) for (let c = 0; c < width; c++) group[j * GROUP + c] = map.features[j * C + first + c];
    channelGroups.push(group);
  }
  const world = voxelWorldPoints(map.grid);
  const points = new Float32Array(n * 3);
  for (let j = 0; j < n; j++) for (let a = 0; a < d; a++) points[j * 3 + a] = world[j * d + a];
  const logits = new Float64Array(n);
  const byteLength = halfSquares.byteLength + points.byteLength + logits.byteLength + channelGroups.reduce((sum, g) => sum + g.byteLength, 0);
  return { map, channelGroups, halfSquares, points, logits, byteLength };
}

/** Below the best logit by more than this, a voxel's probability (< 1e-13 of the peak's) is taken as 0. */
const NEGLIGIBLE_LOGIT = 30;

/**
 * s·(q·k_j − ½|k_j|²) for every key j, into `keys.logits`, a group of four channels at a time;
 * returns the best j. This runs over every voxel of the other image on every pointer move.
 */
function attentionLogits(q: Float32Array, keys: AttentionKeys): number {
  const { channelGroups, halfSquares, logits } = keys;
  const n = halfSquares.length;
  const C = keys.map.channels;
  for (let g = 0; g < channelGroups.length; g++) {
    const keyGroup = channelGroups[g];
    const first = g * GROUP;
    // The query's padding channels are 0, like the keys'.
    const q0 = q[first];
    const q1 = first + 1 < C ? q[first + 1] : 0;
    const q2 = first + 2 < C ? q[first + 2] : 0;
    const q3 = first + 3 < C ? q[first + 3] : 0;
    if (g === 0) for (let j = 0, o = 0; j < n; j++, o += GROUP) logits[j] = q0 * keyGroup[o] + q1 * keyGroup[o + 1] + q2 * keyGroup[o + 2] + q3 * keyGroup[o + 3] - halfSquares[j];
    else for (let j = 0, o = 0; j < n; j++, o += GROUP) logits[j] += q0 * keyGroup[o] + q1 * keyGroup[o + 1] + q2 * keyGroup[o + 2] + q3 * keyGroup[o + 3];
  }
  const scale = keys.map.scale;
  let max = -Infinity;
  let best = 0;
  for (let j = 0; j < n; j++) {
    const logit = scale * logits[j];
    logits[j] = logit;
    if (logit > max) {
      max = logit;
      best = j;
    }
  }
  return best;
}

/**
 * The attention match of feature `q` among `keys`; with `heatmap`, p on the keys' grid as bytes,
 * 255 · p / max p. Two passes over the voxels: the logits, then their exponentials with the
 * sums that give the mean, the spread and the heatmap (max p is the best voxel's, known by then).
 */
export function matchFeature(q: Float32Array, keys: AttentionKeys, heatmap = false): FeatureMatchResult {
  const { map, points, logits } = keys;
  const n = logits.length;
  const best = attentionLogits(q, keys);
  const max = logits[best];
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
