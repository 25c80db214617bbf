// A model on disk, in tfjs's standard layout: model.json (the topology — here the feature
// network's spec — and a manifest of the weights), weights.bin (the weights, float32, in
// manifest order) and card.json (what it is, what it was trained on, how it validates, a hash).
// A training folder is a model folder plus training/ (the optimizer's state and the run's
// settings and history), from which a run resumes. The folder is written as one set (staging
// folder, then swapped in), so a checkpoint is whole or absent, whenever the process dies.

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import { beginResultFolder } from '../result-folder/result-folder-transaction';
import type { FeatureNetworkSpec } from './network/feature-network';
import { macsPerVoxel, weightSpecs } from './network/feature-network';
import type { SkippedScan } from './scan-cache';
import type { TrainingSettings, TrainingState } from './trainer';
import packageJson from '../../../package.json' with { type: 'json' };

export const modelFormat = 'ximorph-feature-network';

export interface ModelJson {
  readonly format: typeof modelFormat;
  readonly generatedBy: string;
  readonly modelTopology: { readonly spec: FeatureNetworkSpec; readonly resolutionMm: number };
  readonly weightsManifest: { readonly paths: string[]; readonly weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

export interface ModelCard {
  readonly name: string;
  readonly dimension: 2 | 3;
  readonly channels: number;
  readonly resolutionMm: number;
  readonly architecture: FeatureNetworkSpec & { readonly macsPerVoxel: number; readonly parameters: number };
  readonly training: {
    readonly data: string;
    /** The files of the data folder that could not be used, each with why (absent in older cards). */
    readonly skipped?: readonly SkippedScan[];
    readonly steps: number;
    readonly batch: number;
    readonly seed: number;
    readonly samples: number;
    readonly augmentation: TrainingSettings['augmentation'];
    /** Mean loss per block of steps (at most 100 points). */
    readonly lossCurve: { step: number; loss: number }[];
    readonly finalRadius: number;
    readonly seconds: number;
  };
  readonly validation: { step: number; dice: number }[];
  readonly evaluation?: Record<string, unknown>;
  readonly software: { name: 'XiMorph'; version: string };
  /** sha256 of weights.bin. */
  readonly weightsSha256: string;
  readonly createdAt: string;
}

export interface LoadedModel {
  readonly folder: string;
  readonly spec: FeatureNetworkSpec;
  readonly resolutionMm: number;
  readonly weights: Float32Array[];
  readonly card?: ModelCard;
}

/** Every name a training folder holds. */
const trainingFolderNames = new Set(['model.json', 'weights.bin', 'card.json', 'training']);

function packWeights(weights: readonly Float32Array[]): Uint8Array {
  const total = weights.reduce((n, w) => n + w.length, 0);
  const packed = new Float32Array(total);
  let offset = 0;
  for (const w of weights) {
    packed.set(w, offset);
    offset += w.length;
  }
  return new Uint8Array(packed.buffer);
}

function unpackWeights(bytes: Buffer, shapes: readonly (readonly number[])[], file: string): Float32Array[] {
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: Float32Array[] = [];
  let offset = 0;
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (offset + n > floats.length) throw new EngineError('BAD_INPUT', `${file}: holds fewer weights than model.json lists`, { file });
    out.push(floats.slice(offset, offset + n));
    offset += n;
  }
  if (offset !== floats.length) throw new EngineError('BAD_INPUT', `${file}: holds more weights than model.json lists`, { file });
  for (const w of out) for (const v of w) if (!Number.isFinite(v)) throw new EngineError('BAD_INPUT', `${file}: holds NaN or infinite weights`, { file });
  return out;
}

function lossCurve(history: TrainingState['history']): { step: number; loss: number }[] {
  const block = Math.max(1, Math.ceil(history.length / 100));
  const curve: { step: number; loss: number }[] = [];
  for (let i = 0; i < history.length; i += block) {
    const part = history.slice(i, i + block);
    curve.push({ step: part[part.length - 1].step, loss: part.reduce((s, h) => s + h.loss, 0) / part.length });
  }
  return curve;
}

export interface TrainingFolderContents {
  readonly name: string;
  readonly settings: TrainingSettings;
  readonly state: TrainingState;
  readonly dataSummary: string;
  /** The data folder's files that could not be used: kept with the run, so that a resumed one still lists them. */
  readonly skipped: readonly SkippedScan[];
  readonly seconds: number;
}

/** Writes the model and the run's checkpoint as one set in place of `folder`. */
export async function writeTrainingFolder(folder: string, contents: TrainingFolderContents): Promise<void> {
  const { settings, state } = contents;
  const specs = weightSpecs(settings.spec);
  const weights = packWeights(state.weights);
  const model: ModelJson = {
    format: modelFormat,
    generatedBy: `XiMorph ${packageJson.version}`,
    modelTopology: { spec: settings.spec, resolutionMm: settings.resolutionMm },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })) }],
  };
  const radius = state.weights[specs.findIndex((w) => w.name === 'radius')][0];
  const card: ModelCard = {
    name: contents.name,
    dimension: settings.spec.dimension,
    channels: settings.spec.channels,
    resolutionMm: settings.resolutionMm,
    architecture: { ...settings.spec, macsPerVoxel: macsPerVoxel(settings.spec), parameters: state.weights.reduce((n, w) => n + w.length, 0) },
    training: {
      data: contents.dataSummary,
      skipped: contents.skipped,
      steps: state.step,
      batch: settings.batch,
      seed: settings.seed,
      samples: settings.samples,
      augmentation: settings.augmentation,
      lossCurve: lossCurve(state.history),
      finalRadius: radius,
      seconds: contents.seconds,
    },
    validation: state.validation,
    software: { name: 'XiMorph', version: packageJson.version },
    weightsSha256: createHash('sha256').update(weights).digest('hex'),
    createdAt: new Date().toISOString(),
  };
  const transaction = await beginResultFolder(folder, trainingFolderNames);
  try {
    const s = transaction.staging;
    await writeFile(path.join(s, 'weights.bin'), weights);
    await writeFile(path.join(s, 'model.json'), JSON.stringify(model, null, 2) + '\n');
    await writeFile(path.join(s, 'card.json'), JSON.stringify(card, null, 2) + '\n');
    await mkdir(path.join(s, 'training'));
    const moments = packWeights([...state.adam.m, ...state.adam.v]);
    await writeFile(path.join(s, 'training', 'optimizer.bin'), moments);
    const saved = { settings, step: state.step, adamStep: state.adam.step, history: state.history, validation: state.validation, name: contents.name, dataSummary: contents.dataSummary, skipped: contents.skipped, seconds: contents.seconds };
    await writeFile(path.join(s, 'training', 'state.json'), JSON.stringify(saved) + '\n');
    await transaction.commit();
  } catch (error) {
    await transaction.abort();
    throw error;
  }
}

const notAModel = (file: string, reason: string) => new EngineError('BAD_INPUT', `${file}: not a XiMorph feature model (${reason})`, { file });

/** A model folder (or its model.json), checked: format, manifest against the spec, finite weights, the card's hash. */
export async function readModelFolder(given: string): Promise<LoadedModel> {
  const folder = path.basename(given) === 'model.json' ? path.dirname(given) : given;
  const modelPath = path.join(folder, 'model.json');
  let model: ModelJson;
  try {
    model = JSON.parse(await readFile(modelPath, 'utf8')) as ModelJson;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? new EngineError('NOT_FOUND', `${folder}: no model.json, so this is not a model folder`, { file: folder }) : notAModel(modelPath, 'model.json is not JSON');
  }
  if (model.format !== modelFormat) throw notAModel(modelPath, `its format is "${String(model.format)}"`);
  const spec = model.modelTopology?.spec;
  if (!spec || ![2, 3].includes(spec.dimension)) throw notAModel(modelPath, 'no network spec');
  const listed = model.weightsManifest?.[0]?.weights ?? [];
  const expected = weightSpecs(spec);
  if (listed.length !== expected.length || listed.some((w, i) => w.name !== expected[i].name || w.shape.join() !== expected[i].shape.join()))
    throw notAModel(modelPath, 'its weights do not match its network');
  const weightsPath = path.join(folder, model.weightsManifest[0].paths[0] ?? 'weights.bin');
  const bytes = await readFile(weightsPath).catch(() => {
    throw notAModel(weightsPath, 'the weights file is missing');
  });
  let card: ModelCard | undefined;
  try {
    card = JSON.parse(await readFile(path.join(folder, 'card.json'), 'utf8')) as ModelCard;
  } catch {
    card = undefined;
  }
  if (card && card.weightsSha256 !== createHash('sha256').update(bytes).digest('hex')) throw notAModel(weightsPath, 'its weights do not match the hash in card.json');
  return { folder, spec, resolutionMm: model.modelTopology.resolutionMm, weights: unpackWeights(bytes, expected.map((w) => w.shape), weightsPath), card };
}

/** A training folder's checkpoint, to resume from. */
export async function readTrainingCheckpoint(folder: string): Promise<TrainingFolderContents> {
  const model = await readModelFolder(folder);
  const statePath = path.join(folder, 'training', 'state.json');
  let saved: { settings: TrainingSettings; step: number; adamStep: number; history: TrainingState['history']; validation: TrainingState['validation']; name: string; dataSummary: string; skipped?: SkippedScan[]; seconds: number };
  try {
    saved = JSON.parse(await readFile(statePath, 'utf8'));
  } catch {
    throw new EngineError('NOT_FOUND', `${folder}: holds a model but no training checkpoint to resume from`, { file: folder });
  }
  const moments = unpackWeights(await readFile(path.join(folder, 'training', 'optimizer.bin')), [...weightSpecs(model.spec), ...weightSpecs(model.spec)].map((w) => w.shape), statePath);
  const half = moments.length / 2;
  return {
    name: saved.name,
    dataSummary: saved.dataSummary,
    skipped: saved.skipped ?? [],
    seconds: saved.seconds,
    settings: saved.settings,
    state: { step: saved.step, weights: model.weights, adam: { step: saved.adamStep, m: moments.slice(0, half), v: moments.slice(half) }, history: saved.history, validation: saved.validation },
  };
}
