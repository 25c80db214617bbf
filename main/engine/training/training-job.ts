// One training run as a job, the same for `ximorph train` and the Train panel: from a request
// to a model folder. It prepares the data (the user's scans once into the cache, or a synthetic
// recipe), starts the gradient threads, validates by label propagation on held-out synthetic
// pairs, checkpoints into the model folder, and resumes from it exactly.

import os from 'node:os';
import path from 'node:path';
import type { ModelEntryData, TrainingRequest } from '../../../shared/contract/index';
import { cancelledError, EngineError } from '../../../shared/contract/errors';
import { readsBackAsynchronously } from '../compute/backend';
import type { JobContext } from '../job-context';
import { checkResultFolder, recoverResultFolder } from '../result-folder/result-folder-transaction';
import type { GradientComputer } from './gradient-computers';
import { inProcessGradients, threadPoolGradients } from './gradient-computers';
import { labelPropagationDice, learnedPointFeaturizer, validationPairs } from './feature-validation';
import { readModelFolder, readTrainingCheckpoint, writeTrainingFolder } from './model-files';
import type { PauseGate } from './pause-gate';
import type { SkippedScan } from './scan-cache';
import { prepareAtlasLabels, prepareScan, prepareScans } from './scan-cache';
import type { TrainingSettings } from './trainer';
import { initialTrainingState, train } from './trainer';
import type { LabelledScan, ScansRecipe, SyntheticRecipe, TrainingDataRecipe } from './training-data';
import { defaultAugmentation, networkSpec } from './training-defaults';
import { trainingData } from './training-data';
import type { LabelledPair } from './synthetic-training-pairs';

/** Every name a training folder holds. */
const trainingFolderNames = new Set(['model.json', 'weights.bin', 'card.json', 'training']);

export interface TrainingJobOptions {
  /** Where prepared scans are cached. */
  readonly cacheFolder: string;
  /** The built gradient worker (dist/main/training-worker.js), for threads > 1. */
  readonly workerUrl?: URL;
  /** The compute backend's name, for the gradient threads to start the same one. */
  readonly backend: string;
  /** Pauses and resumes the run between steps (the Train panel's Pause). */
  readonly pause?: PauseGate;
}

export interface TrainingJobResult {
  readonly folder: string;
  readonly model: ModelEntryData;
  readonly skipped: SkippedScan[];
}

async function syntheticRecipe(request: TrainingRequest, atlas: string | undefined, options: TrainingJobOptions): Promise<{ recipe: SyntheticRecipe; summary: string }> {
  const size = new Array<number>(request.dimension).fill(request.exampleEdge);
  return {
    recipe: { kind: 'synthetic', dimension: request.dimension, size, atlas: atlas ? await prepareAtlasLabels(path.resolve(atlas), request.resolutionMm, path.join(options.cacheFolder, 'training-atlases')) : undefined },
    summary: atlas ? `synthetic images from the labels of ${path.basename(atlas)} at ${request.resolutionMm} mm` : 'synthetic images from random label maps',
  };
}

async function dataRecipe(request: TrainingRequest, options: TrainingJobOptions, context: JobContext): Promise<{ recipe: TrainingDataRecipe; summary: string; skipped: SkippedScan[] }> {
  const size = new Array<number>(request.dimension).fill(request.exampleEdge);
  if (request.data.kind === 'synthetic') return { ...(await syntheticRecipe(request, request.data.atlas, options)), skipped: [] };
  const { scans, skipped } = await prepareScans(request.data.folder, request.dimension, request.resolutionMm, path.join(options.cacheFolder, 'training-scans'), context);
  const fromScans: ScansRecipe = { kind: 'scans', dimension: request.dimension, size, scans, samePairFraction: request.pairing === 'common-space' ? 0.5 : 1 };
  const scansSummary = `${scans.length} scans from ${request.data.folder} at ${request.resolutionMm} mm${skipped.length ? ` (${skipped.length} skipped)` : ''}`;
  const mix = request.data.synthetic;
  if (!mix) return { recipe: fromScans, summary: scansSummary, skipped };
  const synthetic = await syntheticRecipe(request, mix.atlas, options);
  return {
    recipe: { kind: 'mixed', dimension: request.dimension, size, scans: fromScans, synthetic: synthetic.recipe, syntheticFraction: mix.fraction },
    summary: `${scansSummary}, and ${Math.round(mix.fraction * 100)} % of the pairs ${synthetic.summary}`,
    skipped,
  };
}

/** The user's labelled scan for validation, prepared like the training scans. */
async function validationScan(request: TrainingRequest, options: TrainingJobOptions): Promise<LabelledScan | undefined> {
  if (!request.validation) return undefined;
  const scan = await prepareScan(path.resolve(request.validation.image), request.resolutionMm, path.join(options.cacheFolder, 'training-scans'));
  const labels = await prepareAtlasLabels(path.resolve(request.validation.labels), request.resolutionMm, path.join(options.cacheFolder, 'training-atlases'));
  if (scan.size.join() !== labels.size.join())
    throw new EngineError('BAD_INPUT', `${request.validation.labels}: the validation labels are not on the validation image's grid`, { file: request.validation.labels });
  return { scan, labels };
}

async function recipeFor(request: TrainingRequest, options: TrainingJobOptions, context: JobContext): Promise<{ recipe: TrainingDataRecipe; summary: string; skipped: SkippedScan[] }> {
  const prepared = await dataRecipe(request, options, context);
  const validation = await validationScan(request, options);
  return validation ? { ...prepared, recipe: { ...prepared.recipe, validation } } : prepared;
}

function settingsFor(request: TrainingRequest, recipe: TrainingDataRecipe): TrainingSettings {
  return {
    spec: networkSpec(request.dimension, request.network, request.padding),
    data: recipe,
    resolutionMm: request.resolutionMm,
    steps: request.steps,
    batch: request.batch,
    adam: { learningRate: request.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    samples: request.samples,
    augmentation: { ...defaultAugmentation, ...request.augmentation },
    seed: request.seed,
    checkpointEvery: request.checkpointEvery,
    validateEvery: request.validateEvery,
    maxSeconds: request.maxMinutes === undefined ? undefined : request.maxMinutes * 60,
  };
}

function gradientComputer(settings: TrainingSettings, request: TrainingRequest, options: TrainingJobOptions): Promise<GradientComputer> {
  const threads = request.threads === 0 ? Math.min(os.availableParallelism(), settings.batch) : Math.min(request.threads, settings.batch);
  const lossOptions = { augmentation: settings.augmentation, samples: settings.samples };
  // In process only where this thread's backend reads synchronously; a WebGPU session's
  // gradients run on a thread of their own, on a backend that does.
  const inProcess = (threads <= 1 && !readsBackAsynchronously(options.backend)) || !options.workerUrl;
  if (inProcess) return inProcessGradients(settings.spec, settings.data, lossOptions);
  return Promise.resolve(threadPoolGradients(Math.max(1, threads), options.workerUrl, { spec: settings.spec, recipe: settings.data, options: lossOptions, backend: options.backend }));
}

export async function runTrainingJob(request: TrainingRequest, options: TrainingJobOptions, context: JobContext): Promise<TrainingJobResult> {
  const folder = path.resolve(request.out);
  const name = path.basename(folder);
  let settings: TrainingSettings;
  let state;
  let dataSummary: string;
  let skipped: SkippedScan[] = [];
  let secondsBefore = 0;
  if (request.resume) {
    // A run killed (kill -9, a power cut) while swapping in a checkpoint left the previous one aside.
    await recoverResultFolder(folder);
    const saved = await readTrainingCheckpoint(folder);
    // The run's own settings, so that it continues exactly; only its length may grow.
    settings = { ...saved.settings, steps: Math.max(saved.settings.steps, request.steps), maxSeconds: request.maxMinutes === undefined ? undefined : request.maxMinutes * 60 };
    state = saved.state;
    dataSummary = saved.dataSummary;
    skipped = [...saved.skipped];
    secondsBefore = saved.seconds;
  } else {
    await checkResultFolder(folder, trainingFolderNames);
    const prepared = await recipeFor(request, options, context);
    settings = settingsFor(request, prepared.recipe);
    state = initialTrainingState(settings);
    dataSummary = prepared.summary;
    skipped = prepared.skipped;
  }
  if (state.step >= settings.steps) throw new EngineError('BAD_INPUT', `${folder}: the run is already at step ${state.step} of ${settings.steps}; ask for more steps to continue`, { file: folder });

  // Held-out pairs with known labels, the same throughout the run (and across resumes).
  // The data's own labelled pairs where it has them (synthetic data, or the validation scan),
  // else synthetic pairs on random label maps.
  const heldOut: LabelledPair[] = await validationPairs(settings.data.size, 4, settings.seed, (await trainingData(settings.data)).labelledPair);
  const gradients = await gradientComputer(settings, request, options);
  try {
    await train(
      settings,
      state,
      gradients,
      {
        checkpoint: (s, seconds) => writeTrainingFolder(folder, { name, settings, state: s, dataSummary, skipped, seconds: secondsBefore + seconds }),
        // Label propagation by the features alone: what the features know, without help from position.
        validate: async (weights) => labelPropagationDice(learnedPointFeaturizer(settings.spec, weights), heldOut),
        pause: options.pause,
      },
      context,
    );
    if (context.token.isCancellationRequested) throw cancelledError();
    const model = await readModelFolder(folder);
    return {
      folder,
      model: { name, path: folder, bundled: false, dimension: model.spec.dimension, channels: model.spec.channels, resolutionMm: model.resolutionMm, card: model.card as unknown as Record<string, unknown> },
      skipped,
    };
  } finally {
    await gradients.dispose();
  }
}
