// What a trained model is worth against MIND-SSC and raw intensity, by what users care about,
// on the same held-out data: (1) label propagation by attention with the features alone on
// held-out labelled pairs; (2) registration by attention alone (no instance optimization);
// (3) registration with the whole pipeline. The gap between (2) and (3) is how much work the
// features leave to optimization.

import path from 'node:path';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { readImageFile } from '../io/index';
import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import { registerImages } from '../registration/register-images';
import type { PointFeaturizer } from './feature-validation';
import { intensityPointFeaturizer, labelPropagationDice, learnedPointFeaturizer, mindPointFeaturizer, noFeatures, pipelinePriorSigmaVoxels, validationPairs } from './feature-validation';
import type { LoadedModel } from './model-files';
import { readModelFolder, readTrainingCheckpoint } from './model-files';
import { prepareAtlasLabels, prepareScan } from './scan-cache';
import type { TrainingDataRecipe } from './training-data';
import { trainingData } from './training-data';

export interface LabelledImages {
  readonly fixed: string;
  readonly moving: string;
  readonly fixedLabels: string;
  readonly movingLabels: string;
}

export interface EvaluationRequest {
  /** A model folder. */
  readonly model: string;
  /** A labelled scan whose deformed acquisitions make the held-out pairs (else the model's own validation data). */
  readonly validation?: { readonly image: string; readonly labels: string };
  /** A labelled pair to register (else no registration rows). */
  readonly registrationPair?: LabelledImages;
  readonly heldOutPairs: number;
}

export interface EvaluationRow {
  readonly featurizer: string;
  /** Label propagation by the features alone. */
  readonly labelPropagationDice: number;
  /** The same with the displacement prior of the pipeline's global attention. */
  readonly labelPropagationWithPriorDice: number;
  readonly attentionAloneDice?: number;
  readonly fullPipelineDice?: number;
}

export interface Evaluation {
  readonly model: string;
  readonly heldOut: string;
  readonly registrationPair?: LabelledImages & { readonly diceBefore: number };
  readonly rows: EvaluationRow[];
}

/** The held-out pairs: from a given labelled scan, from the model's own validation data, or synthetic. */
async function heldOutRecipe(model: LoadedModel, request: EvaluationRequest, cacheFolder: string): Promise<{ recipe: TrainingDataRecipe; description: string }> {
  const d = model.spec.dimension;
  const saved = await readTrainingCheckpoint(model.folder).catch(() => undefined);
  const size = saved?.settings.data.size ?? new Array<number>(d).fill(d === 2 ? 112 : 32);
  if (request.validation) {
    const scan = await prepareScan(path.resolve(request.validation.image), model.resolutionMm, path.join(cacheFolder, 'training-scans'));
    const labels = await prepareAtlasLabels(path.resolve(request.validation.labels), model.resolutionMm, path.join(cacheFolder, 'training-atlases'));
    return { recipe: { kind: 'scans', dimension: d, size, scans: [scan], samePairFraction: 0, validation: { scan, labels } }, description: `two deformed acquisitions of ${path.basename(request.validation.image)} with ${path.basename(request.validation.labels)}` };
  }
  if (saved) return { recipe: saved.settings.data, description: 'the validation pairs of the model\'s training run' };
  return { recipe: { kind: 'synthetic', dimension: d, size }, description: 'two acquisitions each of random label maps' };
}

const readImage = async (file: string, role?: 'labels'): Promise<ScalarImage> => (await readImageFile(file, role ? { role } : {})).image;

export async function evaluateModel(request: EvaluationRequest, cacheFolder: string, context: JobContext = silentJob): Promise<Evaluation> {
  const model = await readModelFolder(request.model);
  const { recipe, description } = await heldOutRecipe(model, request, cacheFolder);
  const data = await trainingData(recipe);
  const pairs = await validationPairs(recipe.size, request.heldOutPairs, 1, data.labelledPair);
  const sigma = pipelinePriorSigmaVoxels(model.resolutionMm);
  const featurizers: [string, PointFeaturizer][] = [
    ['none (the prior alone)', noFeatures()],
    ['intensity', intensityPointFeaturizer()],
    ['mind-ssc', mindPointFeaturizer(model.spec.dimension)],
    [model.folder, learnedPointFeaturizer(model.spec, model.weights)],
  ];
  const rows: EvaluationRow[] = [];
  for (const [name, featurizer] of featurizers) {
    throwIfCancelled(context.token);
    context.progress({ stage: 'label propagation', fraction: rows.length / featurizers.length, message: name });
    rows.push({
      featurizer: name === model.folder ? `model ${path.basename(model.folder)}` : name,
      labelPropagationDice: await labelPropagationDice(featurizer, pairs),
      labelPropagationWithPriorDice: await labelPropagationDice(featurizer, pairs, sigma),
    });
  }
  let registrationPair: Evaluation['registrationPair'];
  if (request.registrationPair) {
    const p = request.registrationPair;
    const inputs = { fixed: await readImage(p.fixed), moving: await readImage(p.moving), fixedLabels: await readImage(p.fixedLabels, 'labels'), movingLabels: await readImage(p.movingLabels, 'labels') };
    const names = ['intensity', 'mind-ssc', model.folder];
    for (const [i, featurizer] of names.entries()) {
      const row = rows.findIndex((r) => r.featurizer === (featurizer === model.folder ? `model ${path.basename(model.folder)}` : featurizer));
      for (const mode of ['attention alone', 'full pipeline'] as const) {
        throwIfCancelled(context.token);
        context.progress({ stage: 'registration', fraction: (2 * i + (mode === 'full pipeline' ? 1 : 0)) / (2 * names.length), message: `${featurizer}, ${mode}` });
        const result = await registerImages(inputs, { features: { model: featurizer }, ...(mode === 'attention alone' ? { optimization: { levels: [] } } : {}) }, { token: context.token, progress: () => {} });
        const dice = result.metrics.diceAfter?.mean ?? NaN;
        registrationPair ??= { ...p, diceBefore: result.metrics.diceBefore?.mean ?? NaN };
        rows[row] = { ...rows[row], ...(mode === 'attention alone' ? { attentionAloneDice: dice } : { fullPipelineDice: dice }) };
      }
    }
  }
  return { model: model.folder, heldOut: `${pairs.length} held-out pairs: ${description}`, registrationPair, rows };
}

/** The evaluation as a Markdown table. */
export function evaluationTable(e: Evaluation): string {
  const f = (v: number | undefined) => (v === undefined ? '—' : Number.isNaN(v) ? 'n/a' : v.toFixed(3));
  const lines = [
    `Held out: ${e.heldOut}`,
    ...(e.registrationPair ? [`Registered: ${path.basename(e.registrationPair.moving)} → ${path.basename(e.registrationPair.fixed)} (mean Dice before: ${f(e.registrationPair.diceBefore)})`] : []),
    '',
    '| featurizer | label propagation Dice, features alone | with the pipeline\'s prior | registration Dice, attention alone | registration Dice, full pipeline |',
    '| --- | --- | --- | --- | --- |',
    ...e.rows.map((r) => `| ${r.featurizer} | ${f(r.labelPropagationDice)} | ${f(r.labelPropagationWithPriorDice)} | ${f(r.attentionAloneDice)} | ${f(r.fullPipelineDice)} |`),
  ];
  return lines.join('\n');
}
