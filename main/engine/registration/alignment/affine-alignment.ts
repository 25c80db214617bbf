// Stage 2, initial alignment: centres of mass, a coarse search over rotations, then an affine
// (or rigid) transform refined by Adam on sampled points, coarse to fine (each step on the host:
// pose-objective.ts). The similarity is normalized cross-correlation of normalized intensities,
// which tolerates gain and offset.
//
// The transform maps a fixed world point to the moving world point:
//   T(x) = L (x − c) + c + t,
// with c the fixed image's centre of mass (a well-conditioned rotation centre).

import * as tf from '@tensorflow/tfjs-core';
import type { AffineTransform } from '../../../../shared/transforms/transform';
import { affineFromLinearAndTranslation } from '../../../../shared/transforms/transform';
import { identityMatrix, multiplyMatrices } from '../../../../shared/math/matrix';
import { indexToWorldMatrix, worldToIndexMatrix, gridCenter } from '../../../../shared/geometry/grid';
import { gridSample } from '../../compute/grid-sample';
import type { GridTensor, StageReporter } from '../levels';
import { disposeLevels, downsampleLevel, downsampleRegion } from '../levels';
import { readToHost, transformPoints } from '../grid-tensors';
import { nccPerRow, normalizedCrossCorrelation } from '../losses/similarity';
import { ArrayAdam, cosineSchedule, readsLoss } from '../optimization/adam';
import { RegionSampler } from '../point-sampling';
import { seededRandom } from '../random';
import type { AlignmentParameters } from '../parameters';
import { rotationCandidates, rotationMatrix } from './rotations';
import type { HostImage } from './pose-objective';
import { PoseObjective } from './pose-objective';
import { centerOfMass } from './center-of-mass';
import { badInput } from '../../../../shared/contract/errors';

export interface AlignmentInput {
  /** Normalized fixed image at the working resolution, fixed frame. */
  readonly fixed: GridTensor;
  /** Normalized moving image at the working resolution, in its own frame. */
  readonly moving: GridTensor;
  /** Where to sample on the fixed grid (0/1). */
  readonly fixedRegion: GridTensor;
}

export interface AlignmentResult {
  /** After the initialization alone (centres of mass or geometry). */
  readonly initial: AffineTransform;
  readonly affine: AffineTransform;
  /** NCC on the fixed region, after initialization and at the end. */
  readonly nccInitial: number;
  readonly nccFinal: number;
  /** Fraction of the fixed region that lands inside the moving image. */
  readonly overlap: number;
}

interface Pose {
  /** D×D row-major. */
  linear: number[];
  translation: number[];
}

function poseToAffine(pose: Pose, center: readonly number[]): AffineTransform {
  // T(x) = L x + (c + t − L c)
  const d = center.length;
  const offset = center.map((c, r) => {
    let lc = 0;
    for (let k = 0; k < d; k++) lc += pose.linear[r * d + k] * center[k];
    return c + pose.translation[r] - lc;
  });
  return affineFromLinearAndTranslation(pose.linear, offset);
}

/** The pieces of one pyramid level that every loss evaluation needs. */
class LevelProblem {
  readonly fixedToWorld: number[];
  readonly movingFromWorld: number[];

  private constructor(
    readonly fixed: GridTensor,
    readonly moving: GridTensor,
    readonly sampler: RegionSampler,
    readonly center: readonly number[],
  ) {
    this.fixedToWorld = indexToWorldMatrix(fixed.grid);
    this.movingFromWorld = worldToIndexMatrix(moving.grid);
  }

  readonly #host: Partial<Record<'fixed' | 'moving', Promise<HostImage>>> = {};

  /** The level's image as an array, read once. */
  hostImage(which: 'fixed' | 'moving'): Promise<HostImage> {
    const image = this[which];
    return (this.#host[which] ??= image.tensor.data().then((values) => ({ grid: image.grid, values: values as Float32Array })));
  }

  /** The region is read to the host once, for the sampler. */
  static async create(fixed: GridTensor, moving: GridTensor, region: GridTensor, center: readonly number[], random: () => number): Promise<LevelProblem> {
    const sampler = new RegionSampler(await region.tensor.data(), region.grid.size, random);
    return new LevelProblem(fixed, moving, sampler, center);
  }

  /** World points and fixed values at index points of the fixed level. */
  fixedSamples(indexPoints: tf.Tensor2D): { world: tf.Tensor2D; values: tf.Tensor } {
    return tf.tidy(() => ({
      world: transformPoints(indexPoints, this.fixedToWorld) as tf.Tensor2D,
      values: gridSample(this.fixed.tensor, indexPoints),
    }));
  }

  /** Moving values at T(world) for L [D, D] and t [D] tensors (differentiable in both). */
  movingValues(world: tf.Tensor2D, linear: tf.Tensor2D, translation: tf.Tensor1D): tf.Tensor {
    return tf.tidy(() => {
      const c = tf.tensor1d(this.center as number[]);
      const mapped = tf.add(tf.matMul(tf.sub(world, c), linear, false, true), tf.add(c, translation));
      return gridSample(this.moving.tensor, transformPoints(mapped, this.movingFromWorld) as tf.Tensor2D, { constantImage: true });
    });
  }

  /** Fraction of points whose image under the pose falls inside the moving grid. */
  overlap(world: tf.Tensor2D, pose: Pose): Promise<number> {
    return readScalar(() => {
      const c = tf.tensor1d(this.center as number[]);
      const l = tf.tensor2d(pose.linear, [this.center.length, this.center.length]);
      const mapped = tf.add(tf.matMul(tf.sub(world, c), l, false, true), tf.add(c, tf.tensor1d(pose.translation)));
      const index = transformPoints(mapped, this.movingFromWorld);
      const size = tf.tensor1d([...this.moving.grid.size]);
      const inside = tf.all(tf.logicalAnd(tf.greaterEqual(index, -0.5), tf.lessEqual(index, tf.sub(size, 0.5))), 1);
      return tf.mean(tf.cast(inside, 'float32'));
    });
  }
}

async function readScalar(compute: () => tf.Tensor): Promise<number> {
  return (await readToHost(compute))[0];
}

async function initialPose(input: AlignmentInput, p: AlignmentParameters, fixedCenter: number[]): Promise<Pose> {
  const d = fixedCenter.length;
  if (p.initialTransform) return poseFromRows(p.initialTransform, fixedCenter);
  const movingCenter = p.initialization === 'geometry' ? gridCenter(input.moving.grid) : await centerOfMass(input.moving);
  return { linear: identityMatrix(d), translation: movingCenter.map((m, a) => m - fixedCenter[a]) };
}

/**
 * The pose about centre c of T(x) = L x + t₀, given as the rows of [L | t₀]:
 * T(x) = L (x − c) + c + (L c + t₀ − c).
 */
function poseFromRows(rows: readonly number[], center: readonly number[]): Pose {
  const d = center.length;
  if (rows.length !== d * (d + 1)) throw badInput('alignment.initialTransform', `holds ${rows.length} numbers; a ${d}D registration needs ${d * (d + 1)} (the rows of [L | t])`);
  const linear: number[] = [];
  const translation: number[] = [];
  for (let r = 0; r < d; r++) {
    let lc = 0;
    for (let k = 0; k < d; k++) {
      linear.push(rows[r * (d + 1) + k]);
      lc += rows[r * (d + 1) + k] * center[k];
    }
    translation.push(lc + rows[r * (d + 1) + d] - center[r]);
  }
  return { linear, translation };
}

/** Ranks every rotation candidate by NCC in one batched sample; returns the best few poses. */
async function searchRotations(problem: LevelProblem, start: Pose, p: AlignmentParameters, keep: number): Promise<Pose[]> {
  const d = problem.center.length;
  const candidates = rotationCandidates(d, (p.rotationSearchDegrees * Math.PI) / 180, (p.rotationSearchStepDegrees * Math.PI) / 180);
  if (candidates.length <= 1) return [start];
  const poses = candidates.map((angles) => ({ linear: multiplyMatrices(rotationMatrix(angles), start.linear), translation: start.translation }));
  const scores = await readToHost(() => {
    const points = problem.sampler.sample(Math.min(3000, problem.sampler.regionVoxels));
    const { world, values } = problem.fixedSamples(points);
    const moving = poses.map((pose) =>
      tf.reshape(problem.movingValues(world, tf.tensor2d(pose.linear, [d, d]), tf.tensor1d(pose.translation)), [-1]),
    );
    return nccPerRow(tf.reshape(values, [-1]) as tf.Tensor1D, tf.stack(moving) as tf.Tensor2D);
  });
  return [...poses.keys()]
    .sort((a, b) => scores[b] - scores[a])
    .slice(0, keep)
    .map((i) => poses[i]);
}

/**
 * Adam on the pose at one level, on the host (pose-objective.ts); returns the refined pose and
 * its final loss.
 */
async function refine(
  problem: LevelProblem,
  start: Pose,
  p: AlignmentParameters,
  iterations: number,
  report: (i: number, ncc: number | undefined) => void,
): Promise<{ pose: Pose; loss: number }> {
  const spacing = Math.max(...problem.fixed.grid.spacing);
  const objective = new PoseObjective(await problem.hostImage('fixed'), await problem.hostImage('moving'), problem.center, p.transform === 'rigid', start);
  const parameters = objective.initialParameters();
  const gradient = objective.initialParameters();
  // Radians (rigid) or unitless matrix entries (affine): about half a degree per step.
  const linearAdam = new ArrayAdam(parameters.linear.length, 0.01);
  const translationAdam = new ArrayAdam(parameters.translation.length, 0.25 * spacing);
  let loss = NaN;
  for (let i = 0; i < iterations; i++) {
    const points = problem.sampler.samplePoints(Math.min(p.samples, 4 * problem.sampler.regionVoxels));
    loss = objective.evaluate(parameters, points, gradient);
    const scale = cosineSchedule(i, iterations);
    linearAdam.step(parameters.linear, gradient.linear, scale);
    translationAdam.step(parameters.translation, gradient.translation, scale);
    // The loss is of the pose before this step, as a tape's would be.
    report(i, readsLoss(i, iterations) ? 1 - loss : undefined);
  }
  return { pose: objective.pose(parameters), loss };
}

async function evaluateNcc(problem: LevelProblem, pose: Pose): Promise<{ ncc: number; overlap: number }> {
  const d = problem.center.length;
  const points = problem.sampler.all();
  const { world, values } = problem.fixedSamples(points);
  try {
    const ncc = await readScalar(() =>
      normalizedCrossCorrelation(values, problem.movingValues(world, tf.tensor2d(pose.linear, [d, d]), tf.tensor1d(pose.translation))),
    );
    return { ncc, overlap: await problem.overlap(world, pose) };
  } finally {
    tf.dispose([points, world, values]);
  }
}

/**
 * Finds the affine (or rigid) map from the fixed to the moving world. `onInitialized` sees the
 * initialization's overlap before any optimization, so that disjoint images fail fast.
 */
export async function alignImages(
  input: AlignmentInput,
  p: AlignmentParameters,
  seed: number,
  report: StageReporter,
  onInitialized: (overlap: number) => void,
): Promise<AlignmentResult> {
  const d = input.fixed.grid.size.length;
  const random = seededRandom(seed);
  const center = await centerOfMass(input.fixed);
  // 'none' keeps the world as it is, or the user's own starting affine.
  let pose: Pose =
    p.transform === 'none' && !p.initialTransform ? { linear: identityMatrix(d), translation: new Array<number>(d).fill(0) } : await initialPose(input, p, center);
  const initial = poseToAffine(pose, center);

  const levels = p.transform === 'none' ? [] : p.iterations;
  const factors = levels.map((_, i) => 2 ** (levels.length - 1 - i));
  const finest = await LevelProblem.create(input.fixed, input.moving, input.fixedRegion, center, random);
  const start = await evaluateNcc(finest, pose);
  onInitialized(start.overlap);

  const totalIterations = levels.reduce((a, b) => a + b, 0) || 1;
  let done = 0;
  for (let level = 0; level < levels.length; level++) {
    const f = factors[level];
    const owned = f === 1 ? [] : [downsampleLevel(input.fixed, f), downsampleLevel(input.moving, f), downsampleRegion(input.fixedRegion, f)];
    try {
      const problem = f === 1 ? finest : await LevelProblem.create(owned[0], owned[1], owned[2], center, random);
      const progress = (i: number, ncc: number | undefined) =>
        report((done + i + 1) / totalIterations, {
          iteration: done + i + 1,
          message: `level ${level + 1} of ${levels.length}`,
          ...(ncc === undefined ? {} : { metrics: { ncc } }),
        });
      if (level === 0 && p.rotationSearchDegrees > 0) {
        // A short refinement of the three best rotations decides between near ties.
        const trials = [];
        for (const c of await searchRotations(problem, pose, p, 3)) trials.push(await refine(problem, c, p, Math.ceil(levels[0] / 4), () => report(done / totalIterations)));
        pose = trials.reduce((best, t) => (t.loss < best.loss ? t : best)).pose;
      }
      pose = (await refine(problem, pose, p, levels[level], progress)).pose;
      done += levels[level];
    } finally {
      disposeLevels(owned);
    }
  }
  const end = await evaluateNcc(finest, pose);
  return { initial, affine: poseToAffine(pose, center), nccInitial: start.ncc, nccFinal: end.ncc, overlap: end.overlap };
}
