// The training loop: at each step, a batch of examples (each a seed, so the same whatever ran
// before or wherever it runs), the mean of their loss gradients, one Adam step on the weights;
// now and then a validation by label propagation and a checkpoint. Progress streams with the
// loss, λ, examples per second and achieved GFLOP/s. Pausing holds the run between steps (a
// checkpoint is written, in case the app closes meanwhile) and resuming goes on in place;
// cancelling stops between steps and writes a checkpoint, from which a later run resumes exactly.

import type { JobContext } from '../job-context';
import type { AdamSettings, AdamState } from './adam-on-arrays';
import { adamStep, initialAdamState } from './adam-on-arrays';
import type { AugmentationOptions } from './equivariance-augmentation';
import { trainingExampleSeed } from './example-seeds';
import type { GradientComputer } from './gradient-computers';
import type { PauseGate } from './pause-gate';
import type { FeatureNetworkSpec } from './network/feature-network';
import { initialWeights, macsPerVoxel, weightSpecs } from './network/feature-network';
import type { TrainingDataRecipe } from './training-data';

export interface TrainingSettings {
  readonly spec: FeatureNetworkSpec;
  readonly data: TrainingDataRecipe;
  /** The training grid's voxel size, mm (what the model card records). */
  readonly resolutionMm: number;
  readonly steps: number;
  /** Pairs per step. */
  readonly batch: number;
  readonly adam: AdamSettings;
  /** K, points sampled per image for the loss. */
  readonly samples: number;
  readonly augmentation: AugmentationOptions;
  readonly seed: number;
  readonly checkpointEvery: number;
  readonly validateEvery: number;
  /** A time limit for this run, seconds: it then ends early, as if its steps were done. */
  readonly maxSeconds?: number;
}

export interface TrainingState {
  step: number;
  readonly weights: Float32Array[];
  readonly adam: AdamState;
  /** Mean loss and λ per step. */
  readonly history: { step: number; loss: number; radius: number }[];
  readonly validation: { step: number; dice: number }[];
}

export interface TrainingHooks {
  /**
   * Writes a checkpoint (atomically); called every checkpointEvery steps, when paused, at the
   * end and on cancel. `seconds`: how long this run has trained so far, pauses excluded.
   */
  checkpoint(state: TrainingState, seconds: number): Promise<void>;
  /** Label-propagation Dice of the current weights on held-out pairs. */
  validate?(weights: readonly Float32Array[]): Promise<number>;
  /** The run's pause switch, looked at between steps. */
  readonly pause?: PauseGate;
}

export function initialTrainingState(settings: TrainingSettings): TrainingState {
  const weights = initialWeights(settings.spec, settings.seed);
  return { step: 0, weights, adam: initialAdamState(weights), history: [], validation: [] };
}

/** Cosine decay of the learning rate to 10 % over the run. */
const rateScale = (step: number, steps: number) => 0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps));

const radiusIndex = (spec: FeatureNetworkSpec) => weightSpecs(spec).findIndex((w) => w.name === 'radius');

/** Trains from `state` (fresh or resumed) to settings.steps. */
export async function train(settings: TrainingSettings, state: TrainingState, gradients: GradientComputer, hooks: TrainingHooks, context: JobContext): Promise<TrainingState> {
  const voxels = settings.data.size.reduce((a, b) => a * b, 1);
  // Four feature maps per example; a training step costs about three forward passes.
  const flopsPerExample = 4 * 3 * 2 * macsPerVoxel(settings.spec) * voxels;
  const started = performance.now();
  // Time paused counts neither toward the time limit nor against the speed.
  let pausedSeconds = 0;
  const runningSeconds = () => (performance.now() - started) / 1000 - pausedSeconds;
  const firstStep = state.step;
  let checkpointedStep = firstStep;
  const checkpoint = async () => {
    await hooks.checkpoint(state, runningSeconds());
    checkpointedStep = state.step;
  };
  const radiusAt = radiusIndex(settings.spec);
  const report = (loss: number | undefined, dice?: number, stage = 'training') => {
    const seconds = runningSeconds();
    const done = state.step - firstStep;
    const examplesPerSecond = (done * settings.batch) / Math.max(seconds, 1e-6);
    context.progress({
      stage,
      fraction: state.step / settings.steps,
      iteration: state.step,
      elapsedSeconds: seconds,
      etaSeconds: done > 0 ? ((settings.steps - state.step) * settings.batch) / examplesPerSecond : undefined,
      metrics: {
        ...(loss !== undefined ? { loss } : {}),
        radius: state.weights[radiusAt][0],
        examplesPerSecond,
        gflops: (examplesPerSecond * flopsPerExample) / 1e9,
        ...(dice !== undefined ? { validationDice: dice } : {}),
      },
    });
  };
  try {
    while (state.step < settings.steps) {
      if (hooks.pause?.paused && !context.token.isCancellationRequested) {
        report(state.history.at(-1)?.loss, undefined, 'paused');
        if (state.step > checkpointedStep) await checkpoint();
        pausedSeconds += await hooks.pause.wait(context.token);
        if (!context.token.isCancellationRequested) report(state.history.at(-1)?.loss);
      }
      if (context.token.isCancellationRequested) break;
      if (settings.maxSeconds !== undefined && runningSeconds() >= settings.maxSeconds) break;
      const seeds = Array.from({ length: settings.batch }, (_, i) => trainingExampleSeed(settings.seed, state.step, i));
      const { meanLoss, meanGradients } = await gradients.compute(state.weights, seeds, context.token);
      adamStep(state.weights, meanGradients, state.adam, settings.adam, rateScale(state.step, settings.steps));
      state.step++;
      state.history.push({ step: state.step, loss: meanLoss, radius: state.weights[radiusAt][0] });
      let dice: number | undefined;
      if (hooks.validate && (state.step % settings.validateEvery === 0 || state.step === settings.steps)) {
        dice = await hooks.validate(state.weights);
        state.validation.push({ step: state.step, dice });
      }
      report(meanLoss, dice);
      if (state.step % settings.checkpointEvery === 0 && state.step < settings.steps) await checkpoint();
    }
    // A run that ended early (a time limit, a cancel) is still validated where it stopped.
    if (hooks.validate && !context.token.isCancellationRequested && state.step > firstStep && state.validation.at(-1)?.step !== state.step) {
      const dice = await hooks.validate(state.weights);
      state.validation.push({ step: state.step, dice });
      report(state.history.at(-1)!.loss, dice);
    }
  } finally {
    // At the end, and when stopped (cancel or failure): the last complete step is kept.
    if (state.step > firstStep) await checkpoint();
  }
  return state;
}
