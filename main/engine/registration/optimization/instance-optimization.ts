// Stage 4, instance optimization: Adam on the pair itself, starting from the attention result.
// The parameters live on control grids coarser than the working grid, coarse to fine (as
// elastix's B-spline grid schedule); the similarity is evaluated at points sampled afresh every
// iteration (a full-volume loop at 2 mm costs over a second per step), so an iteration costs the
// same whatever the image size. Where the backend's memory is JavaScript's, the velocity model's
// step runs on the host (velocity-objective.ts) instead of as tensor ops; the tensor ops below
// stay for the GPU backends and the displacement model, and define what the host step computes.
//
// Models:
//   'velocity'     — a stationary velocity field v, φ = exp(v) by scaling and squaring:
//                    diffeomorphic, with φ⁻¹ = exp(−v) (refined on the working grid at the
//                    end). Regularized by diffusion of v.
//   'displacement' — a displacement field u (fixed → moving), and w (moving → fixed) either
//                    matched in its own direction and tied to u by GradICON's inverse-consistency
//                    gradient penalty (when its weight is nonzero) or computed as u's inverse.

import * as tf from '@tensorflow/tfjs-core';
import { affineRowsLoop } from '../../compute/affine-rows';
import { poolFloats, pooledCopy } from '../../compute/kernel-pool/kernel-pool';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import type { BidirectionalField } from '../attention/coordinate-attention';
import { displacedPoints, disposeField, integrateVelocity, invertField, resampleField, sampleField } from '../fields/displacement-fields';
import { downsampledGrid } from '../filters';
import { homogeneousParts, indexToIndexMatrix, transformPoints } from '../grid-tensors';
import type { GridTensor, StageReporter } from '../levels';
import { diffusionEnergy, gradIconPenalty } from '../losses/regularizers';
import { featureSsd, nccLoss } from '../losses/similarity';
import type { OptimizationLevel, OptimizationParameters } from '../parameters';
import { RegionSampler } from '../point-sampling';
import { seededRandom } from '../random';
import { Adam, ArrayAdam, cosineSchedule, readsLoss, variableOf } from './adam';
import { SplineUpsampling } from './spline-upsampling';
import { sampleSignal } from './similarity-signals';
import type { Signal } from './similarity-signals';
import { VelocityObjective, velocityOnHost } from './velocity-objective';

export interface OptimizationInput {
  /** What the similarity compares, both on one grid of the fixed frame: MIND features or
   * normalized intensities. */
  readonly fixedSignal: Signal;
  readonly movingSignal: Signal;
  /** Where to sample (0/1), each on its own grid (the working grid, typically). */
  readonly fixedRegion: GridTensor;
  readonly movingRegion: GridTensor;
  /** The working grid: control grids are block multiples of it. */
  readonly working: ImageGrid;
  /** The attention result, on any grid of the working frame. */
  readonly initial?: BidirectionalField;
}

/** Both directions in mm, forward fixed→moving and inverse moving→fixed: on the working grid for
 * the velocity model, on the finest control grid for the displacement model. */
export type OptimizationResult = BidirectionalField & { readonly finalSimilarity: number };

type Terms = Record<string, tf.Scalar> & { total: tf.Scalar };

/** Draws points in a region and hands them over in the signals' index units. */
class SignalPointSampler {
  private constructor(
    private readonly sampler: RegionSampler,
    private readonly toSignal: number[],
    private readonly dimension: number,
  ) {}

  /** The region is read to the host once, for the sampler. */
  static async create(region: GridTensor, signalGrid: ImageGrid, random: () => number): Promise<SignalPointSampler> {
    return new SignalPointSampler(new RegionSampler(await region.tensor.data(), region.grid.size, random), indexToIndexMatrix(region.grid, signalGrid), region.grid.size.length);
  }

  /** About `count` points of the region, in the signal grid's continuous indices. */
  sample(count: number): tf.Tensor2D {
    return tf.tidy(() => transformPoints(this.sampler.sample(count), this.toSignal) as tf.Tensor2D);
  }

  /** The same points as a flat array, for a step taken on the host. */
  samplePoints(count: number): Float32Array {
    const points = this.sampler.samplePoints(count);
    const { linear, offset } = homogeneousParts(this.toSignal, this.dimension);
    affineRowsLoop(points, this.dimension, linear, offset, points);
    return points;
  }
}

/** One level's fixed pieces: the grids, and how to move sampled points by a control field. */
class LevelProblem {
  readonly signalGrid: ImageGrid;
  readonly toControl: number[];

  constructor(
    readonly input: OptimizationInput,
    readonly control: ImageGrid,
    readonly p: OptimizationParameters,
  ) {
    this.signalGrid = input.fixedSignal.grid;
    this.toControl = indexToIndexMatrix(this.signalGrid, control);
  }

  /** Points of the signal grid moved by a control-grid displacement (world mm). */
  moveBy(field: tf.Tensor, points: tf.Tensor2D): tf.Tensor2D {
    const displacement = sampleField({ grid: this.control, tensor: field }, transformPoints(points, this.toControl));
    return displacedPoints(this.signalGrid, points, displacement);
  }

  /** Similarity of `signal` (the other image) at moved points against values sampled before. */
  similarity(signal: Signal, reference: tf.Tensor, moved: tf.Tensor2D): tf.Scalar {
    const values = sampleSignal(signal, moved);
    return this.p.similarity === 'mind' ? featureSsd(reference, values) : nccLoss(reference, values);
  }

  diffusion(field: tf.Tensor): tf.Scalar {
    return diffusionEnergy(field, this.control.spacing);
  }
}

function disposeBidirectional(field: BidirectionalField | undefined): void {
  disposeField(field?.forward);
  disposeField(field?.backward);
}

/** A field on `grid` resampled from `field` (zero when absent), times `sign`. */
function fieldOn(field: GridTensor | undefined, grid: ImageGrid, sign = 1): tf.Tensor {
  if (!field) return tf.zeros([...[...grid.size].reverse(), grid.size.length]);
  const resampled = resampleField(field, grid);
  if (sign === 1) return resampled.tensor;
  const out = tf.mul(resampled.tensor, sign);
  resampled.tensor.dispose();
  return out;
}

/** The control grid whose nodes step by `learningRate` itself. */
const REFERENCE_CONTROL_DOWNSAMPLE = 8;

/**
 * Adam's step at a level, mm per iteration: `learningRate` on a control grid 8× the working
 * spacing, in proportion to the level's control spacing. A coarse grid's nodes carry the warp's
 * large-scale part and move far; a fine grid's refine it, and steps as large scatter them
 * (measured against one step for all levels: the brains +0.002 Dice on both seeds, the macaque
 * +0.010, +0.017 and −0.000 on three, the slice −0.001; a finer 2× level after them, which lost
 * 0.019 on the brain with equal steps, loses 0.002).
 */
export function levelLearningRate(p: OptimizationParameters, level: OptimizationLevel): number {
  return (p.learningRate * level.controlDownsample) / REFERENCE_CONTROL_DOWNSAMPLE;
}

/** The level whose grid Adam steps on: a spline level's coefficient grid (its nodes are the parameters). */
const steppedLevel = (level: OptimizationLevel): OptimizationLevel =>
  level.coefficientDownsample ? { ...level, controlDownsample: level.coefficientDownsample } : level;

/** A spline level's B (spline-upsampling.ts), or undefined for an ordinary level. */
const splineOf = (level: OptimizationLevel, working: ImageGrid) =>
  level.coefficientDownsample ? new SplineUpsampling(working, level.coefficientDownsample, level.controlDownsample) : undefined;

/** Coefficients, as a variable, whose spline passes through `field`'s values at the coarse nodes. */
async function coefficientsThrough(spline: SplineUpsampling, field: tf.Tensor): Promise<tf.Variable> {
  const values = spline.coefficientsThrough(spline.valuesAtCoarseNodes(await field.data()));
  return variableOf(tf.tensor(values, [...[...spline.coarse.size].reverse(), spline.coarse.size.length]));
}

/** Adam on the given variables for one level; returns the last similarity. */
async function runLevel(
  variables: tf.Variable[],
  level: OptimizationLevel,
  p: OptimizationParameters,
  loss: (i: number) => { terms: () => Terms; cleanup: () => void },
  report: (i: number, terms: Record<string, number> | undefined) => void,
): Promise<number> {
  const iterations = level.iterations;
  const adam = new Adam(variables.map((variable) => ({ variable, learningRate: levelLearningRate(p, level) })));
  let similarity = NaN;
  try {
    for (let i = 0; i < iterations; i++) {
      const step = loss(i);
      try {
        const terms = await adam.minimize(step.terms, cosineSchedule(i, iterations), readsLoss(i, iterations));
        if (terms) similarity = terms.similarity;
        report(i, terms);
      } finally {
        step.cleanup();
      }
    }
    return similarity;
  } finally {
    adam.dispose();
  }
}

/**
 * runLevel for a step taken on the host (velocity-objective.ts): Adam on the typed array `v`,
 * in place, with the same schedule and reports. On a spline level (spline-upsampling.ts) Adam
 * steps on the coefficients, fitted through `v`'s start, the gradient taken back through the
 * spline; `v` ends as their spline.
 */
async function runLevelOnHost(
  v: Float32Array,
  objective: VelocityObjective,
  level: OptimizationLevel,
  p: OptimizationParameters,
  sampler: SignalPointSampler,
  report: (i: number, terms: Record<string, number> | undefined) => void,
  spline?: SplineUpsampling,
): Promise<number> {
  // Where the spline's passes split over the kernel threads, what they read and write is shared.
  const parameters = spline ? pooledCopy(spline.coefficientsThrough(spline.valuesAtCoarseNodes(v))) : v;
  const adam = new ArrayAdam(parameters.length, levelLearningRate(p, steppedLevel(level)));
  const gradient = poolFloats(v.length);
  const parameterGradient = spline ? poolFloats(parameters.length) : gradient;
  let similarity = NaN;
  for (let i = 0; i < level.iterations; i++) {
    spline?.apply(parameters, v);
    const terms = objective.evaluate(v, sampler.samplePoints(p.samples), gradient);
    spline?.adjoint(gradient, parameterGradient);
    adam.step(parameters, parameterGradient, cosineSchedule(i, level.iterations));
    similarity = terms.similarity;
    report(i, { ...terms });
    // The loop never waits otherwise: let the job's messages (a cancel among them) in.
    await new Promise((resolve) => setImmediate(resolve));
  }
  spline?.apply(parameters, v);
  return similarity;
}

/** The host objective of a level where the signals are arrays (velocityOnHost), else undefined. */
function hostObjective(input: OptimizationInput, control: ImageGrid, p: OptimizationParameters): VelocityObjective | undefined {
  const { fixedSignal: fixed, movingSignal: moving } = input;
  if (!velocityOnHost(p) || !('shared' in fixed) || !('shared' in moving)) return undefined;
  return new VelocityObjective(control, fixed.grid, fixed.shared, moving.shared, p);
}

async function optimizeVelocity(
  input: OptimizationInput,
  p: OptimizationParameters,
  sampler: SignalPointSampler,
  report: (i: number, terms: Record<string, number> | undefined) => void,
  levelDone: (iterations: number) => void,
): Promise<OptimizationResult> {
  let velocity: GridTensor | undefined;
  let similarity = NaN;
  try {
    for (const level of p.levels) {
      const control = downsampledGrid(input.working, level.controlDownsample);
      // The first level starts from the attention fields: log φ ≈ ½(u − w) to first order.
      const start = velocity
        ? fieldOn(velocity, control)
        : tf.tidy(() => tf.mul(tf.sub(fieldOn(input.initial?.forward, control), fieldOn(input.initial?.backward, control)), 0.5));
      disposeField(velocity);
      const v = variableOf(start);
      velocity = { grid: control, tensor: v };
      const objective = hostObjective(input, control, p);
      if (objective) {
        const values = pooledCopy(await v.data());
        similarity = await runLevelOnHost(values, objective, level, p, sampler, report, splineOf(level, input.working));
        tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
        levelDone(level.iterations);
        continue;
      }
      const problem = new LevelProblem(input, control, p);
      // A spline level's parameters are its coefficients; the velocity is their spline.
      const spline = splineOf(level, input.working);
      const parameters = spline ? await coefficientsThrough(spline, v) : v;
      const velocityOf = () => (spline ? spline.applyTensor(parameters) : v);
      similarity = await runLevel([parameters], steppedLevel(level), p, () => {
        const points = sampler.sample(p.samples);
        const reference = sampleSignal(input.fixedSignal, points);
        return {
          terms: () => {
            const velocityNow = velocityOf();
            const forward = integrateVelocity({ grid: control, tensor: velocityNow }, p.integrationSteps);
            const sim = problem.similarity(input.movingSignal, reference, problem.moveBy(forward, points));
            const reg = problem.diffusion(velocityNow);
            return { total: tf.add(sim, tf.mul(reg, p.diffusionWeight)) as tf.Scalar, similarity: sim, regularity: reg };
          },
          cleanup: () => tf.dispose([points, reference]),
        };
      }, report);
      if (spline) {
        tf.tidy(() => v.assign(spline.applyTensor(parameters)));
        parameters.dispose();
      }
      levelDone(level.iterations);
    }
    // The map is exp(v) as optimized, integrated on the control grid, and is represented
    // exactly on the working grid (the control nodes are working-grid voxels). Its inverse
    // exp(−v) integrated on the same coarse grid is off by up to a millimetre where the field
    // bends (measured: composing two coarsely interpolated maps), so it only starts a
    // fixed-point inversion on the working grid.
    const v = velocity!;
    const coarseForward = { grid: v.grid, tensor: integrateVelocity(v, p.integrationSteps) };
    const coarseBackward = { grid: v.grid, tensor: tf.tidy(() => integrateVelocity({ grid: v.grid, tensor: tf.neg(v.tensor) }, p.integrationSteps)) };
    const forward = resampleField(coarseForward, input.working);
    const guess = resampleField(coarseBackward, input.working);
    tf.dispose([coarseForward.tensor, coarseBackward.tensor]);
    const backward = invertField(forward, 8, guess);
    disposeField(guess);
    return { forward, backward, finalSimilarity: similarity };
  } finally {
    disposeField(velocity);
  }
}

async function optimizeDisplacements(
  input: OptimizationInput,
  p: OptimizationParameters,
  samplers: [SignalPointSampler, SignalPointSampler],
  report: (i: number, terms: Record<string, number> | undefined) => void,
  levelDone: (iterations: number) => void,
): Promise<OptimizationResult> {
  const symmetric = p.gradIconWeight > 0;
  let state: BidirectionalField | undefined = undefined;
  let similarity = NaN;
  const h = 0.5; // GradICON's finite-difference step: half a signal voxel (index units)
  try {
    for (const level of p.levels) {
      const control = downsampledGrid(input.working, level.controlDownsample);
      const previous: BidirectionalField | undefined = state ?? input.initial;
      const u = variableOf(fieldOn(previous?.forward, control));
      const w = variableOf(fieldOn(previous?.backward, control));
      disposeBidirectional(state);
      state = { forward: { grid: control, tensor: u }, backward: { grid: control, tensor: w } };
      const problem = new LevelProblem(input, control, p);
      // A spline level's parameters are coefficients; u and w are their splines (as for the velocity).
      const spline = splineOf(level, input.working);
      const [cu, cw] = spline ? [await coefficientsThrough(spline, u), await coefficientsThrough(spline, w)] : [u, w];
      const fieldOf = (c: tf.Variable, field: tf.Variable) => (spline ? spline.applyTensor(c) : field);
      similarity = await runLevel(symmetric ? [cu, cw] : [cu], steppedLevel(level), p, () => {
        const points = samplers[0].sample(p.samples);
        const reference = sampleSignal(input.fixedSignal, points);
        const backPoints = symmetric ? samplers[1].sample(p.samples) : undefined;
        const backReference = backPoints && sampleSignal(input.movingSignal, backPoints);
        return {
          terms: (): Terms => {
            const uNow = fieldOf(cu, u);
            const wNow = fieldOf(cw, w);
            const sim = problem.similarity(input.movingSignal, reference, problem.moveBy(uNow, points));
            const reg = problem.diffusion(uNow);
            if (!backPoints || !backReference) return { total: tf.add(sim, tf.mul(reg, p.diffusionWeight)) as tf.Scalar, similarity: sim, regularity: reg };
            const back = problem.similarity(input.fixedSignal, backReference, problem.moveBy(wNow, backPoints));
            const both = tf.mul(tf.add(sim, back), 0.5) as tf.Scalar;
            const regularity = tf.add(reg, problem.diffusion(wNow)) as tf.Scalar;
            const icon = gradIconPenalty((x) => problem.moveBy(uNow, problem.moveBy(wNow, x)), backPoints, h);
            const total = tf.add(tf.add(both, tf.mul(regularity, p.diffusionWeight)), tf.mul(icon, p.gradIconWeight)) as tf.Scalar;
            return { total, similarity: both, regularity, inverseConsistency: icon };
          },
          cleanup: () => tf.dispose([points, reference, ...(backPoints && backReference ? [backPoints, backReference] : [])]),
        };
      }, report);
      if (spline) {
        tf.tidy(() => {
          u.assign(spline.applyTensor(cu));
          w.assign(spline.applyTensor(cw));
        });
        tf.dispose([cu, cw]);
      }
      levelDone(level.iterations);
    }
    const final = state!;
    const forward = { grid: final.forward.grid, tensor: tf.clone(final.forward.tensor) };
    const backward = symmetric ? { grid: final.backward.grid, tensor: tf.clone(final.backward.tensor) } : invertField(forward);
    return { forward, backward, finalSimilarity: similarity };
  } finally {
    disposeBidirectional(state);
  }
}

export function totalIterations(levels: readonly OptimizationLevel[]): number {
  return levels.reduce((a, l) => a + l.iterations, 0);
}

/** Optimizes the deformation; the caller owns the returned fields (on the finest control grid). */
export async function optimizeDeformation(input: OptimizationInput, p: OptimizationParameters, seed: number, report: StageReporter): Promise<OptimizationResult> {
  if (p.levels.length === 0) throw new Error('instance optimization needs at least one level');
  const random = seededRandom(seed);
  const grid = input.fixedSignal.grid;
  const fixedSampler = await SignalPointSampler.create(input.fixedRegion, grid, random);
  const total = totalIterations(p.levels) || 1;
  let done = 0;
  const progress = (i: number, terms: Record<string, number> | undefined) => report((done + i + 1) / total, { iteration: done + i + 1, metrics: terms });
  const levelDone = (iterations: number) => (done += iterations);
  if (p.model === 'velocity') return optimizeVelocity(input, p, fixedSampler, progress, levelDone);
  const movingSampler = await SignalPointSampler.create(input.movingRegion, grid, random);
  return optimizeDisplacements(input, p, [fixedSampler, movingSampler], progress, levelDone);
}
