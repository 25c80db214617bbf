// The work of each CLI command, as it runs on the job thread: read, compute, write. Inputs
// and outputs are plain data (they cross threads by structured clone); everything a user can
// get wrong on the command line has been checked by the main thread before a job starts.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DicomSeries, ImageRole, OutputItem, RegistrationOverrides, RegistrationReport } from '../../../shared/contract/index';
import { EngineError, serializeError } from '../../../shared/contract/errors';
import type { SerializedError } from '../../../shared/contract/errors';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { Transform } from '../../../shared/transforms/transform';
import type { ImageDescription, LoadedImageFile } from '../../engine/io/index';
import { loadImageSource, readTransformFile, writeScalarImage } from '../../engine/io/index';
import type { JobContext } from '../../engine/job-context';
import { wholeJob } from '../../engine/job-context';
import { resampleImage } from '../../engine/resample/resample-image';
import { transformJacobianDeterminant } from '../../engine/resample/transform-jacobian';
import { mergeOverrides, presetOverrides } from '../../engine/registration-job/registration-presets';
import type { RegistrationJobInputs } from '../../engine/registration-job/run-registration-job';
import { runRegistrationJob } from '../../engine/registration-job/run-registration-job';
import { buildRegistrationReport } from '../../engine/result-folder/registration-report';
import { writeRegistrationOutputs } from '../../engine/result-folder/write-result-folder';
import type { TrainingRequest } from '../../../shared/contract/index';
import { automaticPreset } from '../../../shared/contract/index';
import type { BackendPreference } from '../../engine/compute/backend';
import { selectComputeBackend } from '../../engine/compute/backend';
import { appDirectories } from '../../engine/session/app-directories';
import type { TrainingJobResult } from '../../engine/training/training-job';
import { runTrainingJob } from '../../engine/training/training-job';
import type { Evaluation, EvaluationRequest } from '../../engine/training/evaluate-model';
import { evaluateModel, evaluationTable } from '../../engine/training/evaluate-model';
import type { ModelEntry } from '../../engine/training/model-registry';
import { userModels } from '../../engine/registration/features/create-featurizer';
import { defaultCsvHeader, formatOf, readPointFile, writePointFile } from '../../engine/inspection/point-files';
import { mapPointList, matchPointList, transformForPoints } from '../../engine/inspection/map-point-lists';
import { writeAtomically } from '../../engine/io/atomic-write';
import { transformDimension } from '../../../shared/transforms/transform';

/** An image named on the command line, with the choices a 4D file or a DICOM folder may need. */
export interface CliImageInput {
  readonly path: string;
  readonly role?: ImageRole;
  readonly volume?: number;
  readonly series?: string;
  /** The flag prefix that chooses for this input (`moving` → --moving-volume), for hints. */
  readonly choiceFlag: string;
}

const flagName = (prefix: string, what: string) => `--${prefix ? `${prefix}-` : ''}${what}`;

/** A choice the file needs, told as the flag that makes it. */
function withChoiceHint(error: unknown, input: CliImageInput): unknown {
  if (!(error instanceof EngineError) || error.code !== 'NEEDS_CHOICE') return error;
  const volumes = error.details?.volumes as number | undefined;
  const series = error.details?.series as DicomSeries[] | undefined;
  let hint = '';
  if (volumes) hint = `choose one with ${flagName(input.choiceFlag, 'volume')} N (0 to ${volumes - 1})`;
  else if (series)
    hint = `choose one with ${flagName(input.choiceFlag, 'series')} UID: ${series
      .slice(0, 4)
      .map((s) => `${s.seriesUid}${s.description ? ` (${s.description})` : ''}`)
      .join(', ')}${series.length > 4 ? ', …' : ''}`;
  const message = error.message.replace(/; (XiMorph registers one volume at a time, so )?pick one( to load)?$/, '');
  return new EngineError('NEEDS_CHOICE', `${message}; ${hint}`, { file: error.file, details: error.details });
}

async function loadInput(input: CliImageInput, context: JobContext): Promise<LoadedImageFile> {
  const options = { role: input.role, volumeIndex: input.volume };
  try {
    return input.series
      ? await loadImageSource({ kind: 'dicomSeries', folder: input.path, seriesUid: input.series }, options, context)
      : await loadImageSource({ kind: 'path', path: input.path }, options, context);
  } catch (error) {
    throw withChoiceHint(error, input);
  }
}

export interface RegisterJobInput {
  readonly fixed: CliImageInput;
  readonly moving: CliImageInput;
  readonly fixedLabels?: CliImageInput;
  readonly movingLabels?: CliImageInput;
  readonly fixedMask?: CliImageInput;
  readonly movingMask?: CliImageInput;
  /** The overrides of the flags, on top of --preset's. */
  readonly overrides: RegistrationOverrides;
  /** --preset, if given; else the images choose one (2D images: '2d'). */
  readonly preset?: string;
  readonly out: string;
  readonly items: readonly OutputItem[];
  /** The `ximorph register …` line recorded in report.json. */
  readonly command: string;
}

/**
 * The shares of the whole command that its parts take, as a 1 mm brain's run splits (about 1 s
 * reading, 8 s registering, 2 s writing), so that one progress fraction grows steadily.
 */
const registerSpans = { reading: [0, 0.1], registering: [0.1, 0.85], writing: [0.85, 1] } as const;

async function register(o: RegisterJobInput, context: JobContext): Promise<{ report: RegistrationReport; files: string[] }> {
  const whole = wholeJob(context);
  const roles = ['fixed', 'moving', 'fixedLabels', 'movingLabels', 'fixedMask', 'movingMask'] as const;
  const given = roles.filter((role) => o[role]);
  const [readFrom, readTo] = registerSpans.reading;
  const readingPart = (k: number) => whole.part(readFrom + ((readTo - readFrom) * k) / given.length, readFrom + ((readTo - readFrom) * (k + 1)) / given.length);
  // One after another: concurrent itk-wasm reads each grow a heap of their own.
  const loaded: Partial<Record<(typeof roles)[number], LoadedImageFile>> = {};
  for (const [k, role] of given.entries()) loaded[role] = await loadInput(o[role]!, readingPart(k));
  const inputs: RegistrationJobInputs = { ...loaded, fixed: loaded.fixed!, moving: loaded.moving! };
  const overrides = o.preset === undefined ? mergeOverrides(presetOverrides(automaticPreset(inputs.fixed.image.grid.size.length)), o.overrides) : o.overrides;
  const { result, seconds, provenance } = await runRegistrationJob(inputs, overrides, whole.part(...registerSpans.registering));
  const started = performance.now();
  let report: RegistrationReport | undefined;
  const files = await writeRegistrationOutputs(
    result,
    o.items,
    o.out,
    (outputs) => (report = buildRegistrationReport(result, { ...provenance, command: o.command }, outputs, seconds + (performance.now() - started) / 1000)),
    whole.part(...registerSpans.writing),
  );
  return { report: report!, files };
}

export type InfoEntry = { source: string; info: ImageDescription } | { source: string; error: SerializedError };

async function info(o: { files: readonly string[]; volume?: number; series?: string }, context: JobContext): Promise<InfoEntry[]> {
  const entries: InfoEntry[] = [];
  for (const file of o.files) {
    try {
      const loaded = await loadInput({ path: file, volume: o.volume, series: o.series, choiceFlag: '' }, context);
      entries.push({ source: file, info: loaded.info });
    } catch (error) {
      if (!(error instanceof EngineError) || error.code === 'CANCELLED') throw error;
      entries.push({ source: file, error: serializeError(error) });
    }
  }
  return entries;
}

/** A result folder means its transform.h5; any other path is a transform file. */
async function transformFileOf(given: string): Promise<string> {
  const info = await stat(given).catch(() => null);
  return info?.isDirectory() ? path.join(given, 'transform.h5') : given;
}

export interface WarpJobInput {
  readonly transform: string;
  readonly input: CliImageInput;
  readonly reference: CliImageInput;
  readonly out: string;
  readonly labels: boolean;
}

/**
 * A transform maps points of its own dimension: a 2D map applied to a 3D image (or the reverse)
 * would read its matrix and field with the wrong strides and write a wrong image without a word.
 */
function checkTransformFits(transform: Transform, transformFile: string, image: LoadedImageFile, imageFile: string): void {
  const d = transformDimension(transform);
  const n = image.image.grid.size.length;
  if (d !== n) throw new EngineError('BAD_INPUT', `${path.basename(transformFile)}: a ${d}D transform cannot map the ${n}D image ${path.basename(imageFile)}`, { file: transformFile });
}

async function warp(o: WarpJobInput, context: JobContext): Promise<{ file: string; interpolation: 'nearest' | 'linear' }> {
  const file = await transformFileOf(o.transform);
  const transform = await readTransformFile(file);
  const whole = wholeJob(context);
  const input = await loadInput(o.input, whole.part(0, 0.15));
  const reference = await loadInput(o.reference, whole.part(0.15, 0.3));
  checkTransformFits(transform, file, input, o.input.path);
  checkTransformFits(transform, file, reference, o.reference.path);
  const interpolation = o.labels || input.info.role === 'labels' ? 'nearest' : 'linear';
  const resampling = whole.part(0.3, 0.7);
  resampling.progress({ stage: 'resampling', fraction: 0 });
  const warped = resampleImage(input.image, reference.image.grid, transform, interpolation, resampling);
  await writeScalarImage(o.out, warped, {}, whole.part(0.7, 1));
  return { file: path.resolve(o.out), interpolation };
}

function fieldGridOf(t: Transform): ImageGrid | undefined {
  if (t.kind === 'displacement') return t.grid;
  if (t.kind === 'composite') for (const s of t.sequence) if (s.kind === 'displacement') return s.grid;
  return undefined;
}

export interface JacobianJobInput {
  readonly transform: string;
  readonly out: string;
  readonly reference?: CliImageInput;
}

async function jacobian(o: JacobianJobInput, context: JobContext): Promise<{ file: string; size: number[]; folds: number; foldPercent: number }> {
  const file = await transformFileOf(o.transform);
  const transform = await readTransformFile(file);
  const whole = wholeJob(context);
  const reference = o.reference && (await loadInput(o.reference, whole.part(0, 0.2)));
  if (reference) checkTransformFits(transform, file, reference, o.reference!.path);
  const grid = reference ? reference.image.grid : fieldGridOf(transform);
  if (!grid) throw new EngineError('BAD_INPUT', `${path.basename(file)}: holds no displacement field to take a grid from; give --reference IMAGE`, { file });
  const computing = whole.part(0.2, 0.6);
  computing.progress({ stage: 'computing the Jacobian', fraction: 0 });
  const det = transformJacobianDeterminant(transform, grid, computing);
  await writeScalarImage(o.out, det, {}, whole.part(0.6, 1));
  let folds = 0;
  for (const v of det.pixels) if (v <= 0) folds++;
  return { file: path.resolve(o.out), size: [...grid.size], folds, foldPercent: (100 * folds) / det.pixels.length };
}

async function trainModel(o: { request: TrainingRequest; backend: string }, context: JobContext): Promise<TrainingJobResult & { backend: string }> {
  const backend = await selectComputeBackend(o.backend as BackendPreference);
  const result = await runTrainingJob(o.request, { cacheFolder: appDirectories().cache, workerUrl: new URL('./training-worker.js', import.meta.url), backend: backend.name }, context);
  return { ...result, backend: `${backend.name} (${backend.detail})` };
}

async function evaluate(o: { request: Omit<EvaluationRequest, 'model'> & { model: string } }, context: JobContext): Promise<{ evaluation: Evaluation; table: string }> {
  await selectComputeBackend('auto');
  const model = await userModels().resolve(o.request.model);
  const evaluation = await evaluateModel({ ...o.request, model }, appDirectories().cache, context);
  return { evaluation, table: evaluationTable(evaluation) };
}

async function listModels(_input: Record<string, never>): Promise<ModelEntry[]> {
  return userModels().list();
}

export interface PointsJobInput {
  readonly transform: string;
  readonly points: string;
  readonly out: string;
  readonly inverse: boolean;
}

async function mapPoints(o: PointsJobInput): Promise<{ file: string; points: number }> {
  const list = await readPointFile(o.points);
  const transform = await transformForPoints(o.transform, o.inverse);
  const mapped = mapPointList(o.points, list, transform, transformDimension(transform));
  await writeAtomically(o.out, silentContext, (staging) => writePointFile(staging, formatOf(o.out), mapped, list.coordinateSystem, list.header));
  return { file: path.resolve(o.out), points: mapped.length };
}

export interface MatchJobInput {
  readonly fixed: CliImageInput;
  readonly moving: CliImageInput;
  readonly points: string;
  readonly out: string;
  readonly model: string;
  readonly reverse: boolean;
}

async function matchPoints(o: MatchJobInput, context: JobContext): Promise<{ file: string; points: number; featurizer: string }> {
  await selectComputeBackend('auto');
  const list = await readPointFile(o.points);
  const fixed = await loadInput(o.fixed, context);
  const moving = await loadInput(o.moving, context);
  const [from, to] = o.reverse ? [moving, fixed] : [fixed, moving];
  const matched = await matchPointList(o.points, list, { image: from.image, name: from.info.name }, { image: to.image }, o.model, context);
  // Each match's confidence and spread ride along as CSV columns (after the file's own, replacing
  // those of an earlier match); Slicer markups have no place for them.
  const measures = ['confidence', 'spread_mm'];
  const header = [...(list.header ?? defaultCsvHeader(list.coordinateSystem, false)).filter((h) => !measures.includes(h)), ...measures];
  const withColumns = matched.map((m) => ({ ...m, columns: { ...m.columns, confidence: m.confidence.toPrecision(4), spread_mm: m.spreadMm.toFixed(3) } }));
  await writeAtomically(o.out, context, (staging) => writePointFile(staging, formatOf(o.out), withColumns, list.coordinateSystem, header));
  return { file: path.resolve(o.out), points: matched.length, featurizer: o.model };
}

const silentContext: JobContext = { token: { isCancellationRequested: false, onCancellationRequested: () => () => {} }, progress: () => {} };

export const cliJobs = { info, register, warp, jacobian, train: trainModel, evaluate, models: listModels, points: mapPoints, match: matchPoints };
export type CliJobs = typeof cliJobs;
export type CliJobName = keyof CliJobs;
