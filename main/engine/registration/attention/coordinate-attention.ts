// Stage 3, deformable registration by coordinate attention. Both images are featurized; each
// point of one image attends to points of the other, with coordinates as values, which sends it
// to where its match lies. At the coarsest level every point attends to all points (global); at
// finer levels a point attends to a window around its current match (local), with the other
// image's features warped by the current estimate. Both directions are computed: fixed→moving
// (queries from the fixed image) and moving→fixed.
//
// A match's reliability is the variance of the coordinates under the softmax. Each level's
// displacements are smoothed with those weights (normalized convolution) and shrunk towards the
// previous estimate where nothing is reliable (flat background, ambiguous texture).

import * as tf from '@tensorflow/tfjs-core';
import { localAttention } from '../../compute/local-attention';
import type { AttentionResult } from '../../compute/local-attention';
import { gaussianKernel, convolveAxis } from '../filters';
import { resampleField, voxelPoints, warpOnGrid } from '../fields/displacement-fields';
import { tensorShapeOf, transformVectors, worldVectorToIndexMatrix } from '../grid-tensors';
import type { GridTensor, StageReporter } from '../levels';
import { invertMatrix } from '../../../../shared/math/matrix';
import type { AttentionParameters } from '../parameters';
import { globalAttention } from './global-attention';

/** One level's inputs: both images' features on the same grid (the moving image already
 * affinely aligned), and where each image has content. */
export interface AttentionLevelFeatures {
  readonly fixed: GridTensor;
  readonly moving: GridTensor;
  readonly fixedRegion: GridTensor;
  readonly movingRegion: GridTensor;
}

/** Displacements (mm) in both directions on one grid: fixed→moving and moving→fixed. */
export interface BidirectionalField {
  readonly forward: GridTensor;
  readonly backward: GridTensor;
}

interface Direction {
  queries: tf.Tensor; // features of the image whose points are sent
  keys: tf.Tensor; // features of the other image
  queryRegion: tf.Tensor;
  keyRegion: tf.Tensor;
  previous?: GridTensor;
}

/** Row indices where a [spatial, 1] region is nonzero (all rows for an empty region). The
 * region is small (a coarse level), so it is read on the host. */
async function regionRows(region: tf.Tensor): Promise<tf.Tensor1D> {
  const values = await region.data();
  const rows: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] > 0) rows.push(i);
  if (rows.length === 0) for (let i = 0; i < values.length; i++) rows.push(i);
  return tf.tensor1d(rows, 'int32');
}

/**
 * Global attention over region voxels; returns index-unit displacement and variance grids.
 * After the affine, matches lie near their queries: a Gaussian prior of `priorSigmaMm` on the
 * displacement enters as extra feature channels, the coordinates divided by σ, since
 * q·k − ½|k|² then gains −|x − y|²/(2σ²) (plus a per-query constant). Every query still sees
 * every key; far ones need proportionally better features to win.
 */
async function attendGlobally(dir: Direction, grid: GridTensor['grid'], p: AttentionParameters): Promise<AttentionResult> {
  const queryRows = await regionRows(dir.queryRegion);
  const keyRows = await regionRows(dir.keyRegion);
  try {
    return attendGloballyAt(dir, grid, p, queryRows, keyRows);
  } finally {
    tf.dispose([queryRows, keyRows]);
  }
}

function attendGloballyAt(dir: Direction, grid: GridTensor['grid'], p: AttentionParameters, queryRows: tf.Tensor1D, keyRows: tf.Tensor1D): AttentionResult {
  return tf.tidy(() => {
    const d = grid.size.length;
    const c = dir.queries.shape[d];
    const n = grid.size.reduce((a, b) => a * b, 1);
    const points = voxelPoints(grid);
    const withPosition = (features: tf.Tensor, rows: tf.Tensor1D) => {
      const f = tf.gather(tf.reshape(features, [n, c]), rows);
      if (!(p.priorSigmaMm > 0)) return f as tf.Tensor2D;
      const millimetres = tf.mul(tf.gather(points, rows), tf.tensor1d(grid.spacing.map((s) => s / p.priorSigmaMm)));
      return tf.concat([f, millimetres], 1) as tf.Tensor2D;
    };
    const queries = withPosition(dir.queries, queryRows);
    const keys = withPosition(dir.keys, keyRows);
    const values = tf.gather(points, keyRows) as tf.Tensor2D;
    const r = globalAttention(queries, keys, values, p.blockSize);
    const displacement = tf.sub(r.values, tf.gather(points, queryRows));
    const rows = tf.expandDims(queryRows, 1);
    // Voxels outside the query region get no estimate: zero, with infinite variance.
    return {
      values: tf.reshape(tf.scatterND(rows, displacement, [n, d]), tensorShapeOf(grid, d)),
      variance: tf.reshape(tf.add(tf.scatterND(rows, tf.sub(r.variance, 1e6), [n, 1]), 1e6), tensorShapeOf(grid, 1)),
    };
  });
}

/** Local attention in a window around the current match; index-unit displacement and variance. */
function attendLocally(dir: Direction, grid: GridTensor['grid'], radius: number): AttentionResult {
  return tf.tidy(() => {
    const d = grid.size.length;
    const toIndex = worldVectorToIndexMatrix(grid);
    const points = tf.reshape(voxelPoints(grid), tensorShapeOf(grid, d));
    const previous = dir.previous?.tensor ?? tf.zeros(tensorShapeOf(grid, d));
    const matchedAt = tf.add(points, transformVectors(previous, toIndex));
    const keys = dir.previous ? warpOnGrid(dir.keys, dir.previous) : dir.keys;
    const r = localAttention(dir.queries, keys, matchedAt, radius, { queryMask: dir.queryRegion });
    return { values: tf.sub(r.values, points), variance: r.variance };
  });
}

/**
 * Reliability-weighted smoothing: u = (G∗(w·a) + λ·prior) / (G∗w + λ), w = region / (1 + var).
 * Returns world-mm displacements.
 */
function regularize(result: AttentionResult, dir: Direction, grid: GridTensor['grid'], sigma: number): tf.Tensor {
  return tf.tidy(() => {
    const d = grid.size.length;
    const toWorld = invertMatrix(worldVectorToIndexMatrix(grid));
    const attended = transformVectors(result.values, toWorld);
    const weight = tf.div(dir.queryRegion, tf.add(result.variance, 1));
    const kernel = gaussianKernel(Math.max(sigma, 1e-3));
    const smooth = (t: tf.Tensor) => {
      let out = t;
      for (let axis = 0; axis < d; axis++) out = convolveAxis(out, kernel, axis);
      return out;
    };
    const priorWeight = 0.05;
    const prior = dir.previous?.tensor ?? tf.zeros(attended.shape);
    const numerator = tf.add(smooth(tf.mul(attended, weight)), tf.mul(prior, priorWeight));
    return tf.div(numerator, tf.add(smooth(weight), priorWeight));
  });
}

async function attendOneWay(dir: Direction, grid: GridTensor['grid'], window: 'global' | number, p: AttentionParameters): Promise<GridTensor> {
  const result = window === 'global' ? await attendGlobally(dir, grid, p) : attendLocally(dir, grid, window);
  const tensor = regularize(result, dir, grid, p.smoothingVoxels);
  tf.dispose([result.values, result.variance]);
  return { grid, tensor };
}

/**
 * One level of coordinate attention in both directions, starting from `previous` (any grid of
 * the same frame) when given. The caller owns the returned fields.
 */
export async function attendAtLevel(
  level: AttentionLevelFeatures,
  previous: BidirectionalField | undefined,
  window: 'global' | number,
  p: AttentionParameters,
  report: StageReporter,
): Promise<BidirectionalField> {
  const images = level;
  const grid = level.fixed.grid;
  const scale = Math.sqrt(p.sharpness);
  const [fixedFeatures, movingFeatures] = tf.tidy(() => [tf.mul(level.fixed.tensor, scale), tf.mul(level.moving.tensor, scale)]);
  const prior = previous && { forward: resampleField(previous.forward, grid), backward: resampleField(previous.backward, grid) };
  let forward: GridTensor | undefined;
  try {
    forward = await attendOneWay(
      { queries: fixedFeatures, keys: movingFeatures, queryRegion: images.fixedRegion.tensor, keyRegion: images.movingRegion.tensor, previous: prior?.forward },
      grid,
      window,
      p,
    );
    report(0.5, { message: 'fixed → moving done' });
    const backward = await attendOneWay(
      { queries: movingFeatures, keys: fixedFeatures, queryRegion: images.movingRegion.tensor, keyRegion: images.fixedRegion.tensor, previous: prior?.backward },
      grid,
      window,
      p,
    );
    return { forward, backward };
  } catch (error) {
    forward?.tensor.dispose();
    throw error;
  } finally {
    tf.dispose([fixedFeatures, movingFeatures, prior?.forward.tensor, prior?.backward.tensor].filter((t): t is tf.Tensor => t !== undefined));
  }
}
