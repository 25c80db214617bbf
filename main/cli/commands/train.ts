// `ximorph train (--data DIR | --synthetic | both) --out MODEL_DIR [...]`: trains the feature network
// with the feature-map inverse-consistency loss, headless, with the same job as the Train panel.
// Ctrl-C finishes the current step and saves a checkpoint (a second Ctrl-C stops at once);
// `--resume` continues from it exactly.

import path from 'node:path';
import type { TrainingRequest } from '../../../shared/contract/index';
import { trainingRequestSchema } from '../../../shared/contract/index';
import { describeIssues } from '../../../shared/rpc/zod-issues';
import { removeOwnStagingSync } from '../../engine/io/staging-names';
import { defaultTrainingRequest } from '../../engine/training/training-defaults';
import { runInJobThread } from '../job-thread/run-job-thread';
import { progressPrinter } from '../progress-printer';
import { UsageError } from '../usage-error';

export interface TrainOptions {
  data?: string;
  synthetic: boolean;
  atlas?: string;
  /** With both --data and --synthetic: the fraction of pairs that are synthetic. */
  syntheticFraction?: number;
  validationImage?: string;
  validationLabels?: string;
  dimension: 2 | 3;
  out: string;
  steps?: number;
  minutes?: number;
  batch?: number;
  seed?: number;
  resolution?: number;
  edge?: number;
  network?: string;
  threads?: number;
  samples?: number;
  commonSpace?: boolean;
  checkpointEvery?: number;
  validateEvery?: number;
  learningRate?: number;
  affine: boolean;
  roll: boolean;
  /** 'circular' or 'zero' (checked with the rest of the request). */
  padding?: string;
  resume: boolean;
  backend?: string;
  json: boolean;
}

export function trainingRequestOf(o: TrainOptions): TrainingRequest {
  if (!o.resume && !o.data && !o.synthetic) throw new UsageError('give --data DIR, --synthetic, or both');
  if (o.atlas && !o.synthetic) throw new UsageError('--atlas goes with --synthetic');
  if (o.syntheticFraction !== undefined && !(o.data && o.synthetic)) throw new UsageError('--synthetic-fraction goes with --data and --synthetic together');
  const synthetic = { ...(o.atlas ? { atlas: path.resolve(o.atlas) } : {}) };
  if (Boolean(o.validationImage) !== Boolean(o.validationLabels)) throw new UsageError('--validation-image and --validation-labels go together');
  const defaults = defaultTrainingRequest(o.dimension);
  const request = {
    ...defaults,
    data: o.data
      ? { kind: 'folder', folder: path.resolve(o.data), ...(o.synthetic ? { synthetic: { fraction: o.syntheticFraction ?? 0.5, ...synthetic } } : {}) }
      : { kind: 'synthetic', ...synthetic },
    out: path.resolve(o.out),
    steps: o.steps ?? defaults.steps,
    ...(o.minutes !== undefined ? { maxMinutes: o.minutes } : {}),
    batch: o.batch ?? defaults.batch,
    seed: o.seed ?? defaults.seed,
    resolutionMm: o.resolution ?? defaults.resolutionMm,
    exampleEdge: o.edge ?? defaults.exampleEdge,
    network: o.network ?? defaults.network,
    threads: o.threads ?? defaults.threads,
    samples: o.samples ?? defaults.samples,
    checkpointEvery: o.checkpointEvery ?? defaults.checkpointEvery,
    validateEvery: o.validateEvery ?? defaults.validateEvery,
    learningRate: o.learningRate ?? defaults.learningRate,
    augmentation: { affine: o.affine, roll: o.roll },
    ...(o.padding !== undefined ? { padding: o.padding } : {}),
    resume: o.resume,
    ...(o.commonSpace ? { pairing: 'common-space' } : {}),
    ...(o.validationImage ? { validation: { image: path.resolve(o.validationImage), labels: path.resolve(o.validationLabels!) } } : {}),
  };
  const parsed = trainingRequestSchema.safeParse(request);
  if (!parsed.success) throw new UsageError(`invalid training settings: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export async function train(o: TrainOptions): Promise<number> {
  const request = trainingRequestOf(o);
  const printer = progressPrinter(o.json);
  try {
    const done = await runInJobThread(
      'train',
      { request, backend: o.backend ?? 'auto' },
      {
        onProgress: (p) => printer.progress(p),
        cleanup: () => removeOwnStagingSync(path.dirname(request.out)),
        graceMs: 20_000,
        onStopping: () => {
          if (!o.json) process.stderr.write('\nStopping: finishing this step and saving a checkpoint (Ctrl-C again to stop at once)…\n');
        },
      },
    );
    printer.finish();
    printer.event('done', { ...done });
    if (!o.json) {
      const card = done.model.card as { training?: { steps?: number; seconds?: number; finalRadius?: number; lossCurve?: { loss: number }[] }; validation?: { dice: number }[] } | undefined;
      const last = card?.training?.lossCurve?.at(-1)?.loss;
      const dice = card?.validation?.at(-1)?.dice;
      console.log(
        [
          `Trained ${done.model.name} (${done.model.dimension}D, ${done.model.channels} channels at ${done.model.resolutionMm} mm) on ${done.backend}: ${card?.training?.steps} steps in ${card?.training?.seconds?.toFixed(0)} s`,
          `  loss ${last?.toFixed(3)}, λ ${card?.training?.finalRadius?.toFixed(2)}${dice !== undefined ? `, label-propagation Dice ${dice.toFixed(3)} on held-out pairs` : ''}`,
          `  wrote ${done.folder}${done.skipped.length ? `; skipped ${done.skipped.length} file(s): ${done.skipped.map((s) => `${path.basename(s.source)} (${s.reason})`).join('; ')}` : ''}`,
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    printer.finish();
  }
}
