// Registration jobs: run one (streaming its progress), export its outputs, and the parameter
// defaults and presets the register panel shows.

import { z } from 'zod';
import { emptySchema, float32ArraySchema, gridSchema, noProgressSchema, progressSchema } from './common-schemas';
import { loadedImageSchema } from './image-channels';
import { registrationOverridesSchema, registrationParametersSchema } from './registration-parameters';
import { saveGrantSchema } from './save-location-channels';

export const registrationInputsSchema = z.object({
  fixedId: z.string(),
  movingId: z.string(),
  fixedLabelsId: z.string().optional(),
  movingLabelsId: z.string().optional(),
  fixedMaskId: z.string().optional(),
  movingMaskId: z.string().optional(),
});
export type RegistrationInputIds = z.infer<typeof registrationInputsSchema>;

const diceSchema = z.object({ mean: z.number(), perLabel: z.record(z.string(), z.number()) });

/** The figures of report.json that the UI shows on its metrics card. */
export const registrationMetricsSchema = z.object({
  nccBefore: z.number(),
  nccAffine: z.number(),
  nccAfter: z.number(),
  foldPercent: z.number(),
  logJacobianSd: z.number(),
  inverseConsistency: z.object({ meanMm: z.number(), p95Mm: z.number(), maxMm: z.number() }),
  diceBefore: diceSchema.optional(),
  diceAfter: diceSchema.optional(),
});
export type RegistrationMetricsData = z.infer<typeof registrationMetricsSchema>;

export const registrationReportSchema = z.object({
  software: z.object({ name: z.literal('XiMorph'), version: z.string() }),
  createdAt: z.string(),
  backend: z.object({ name: z.string(), detail: z.string(), fallbacks: z.array(z.object({ name: z.string(), reason: z.string() })) }),
  /** The threads the kernels ran on (parameters.threads 0 is every core); absent before it was recorded. */
  kernelThreads: z.int().positive().optional(),
  featurizer: z.string(),
  parameters: registrationParametersSchema,
  /** Each input's file and grid, and what reading it warned of (the placement it chose, …). */
  inputs: z.record(z.string(), z.object({ source: z.string(), grid: gridSchema, warnings: z.array(z.string()).optional() })),
  workingGrid: gridSchema,
  affine: z.array(z.number()),
  metrics: registrationMetricsSchema,
  stages: z.array(z.object({ name: z.string(), seconds: z.number(), peakRssMb: z.number().optional() })),
  totalSeconds: z.number(),
  peakRssMb: z.number(),
  outputs: z.array(z.object({ file: z.string(), description: z.string() })),
  conventions: z.string(),
  command: z.string(),
});
export type RegistrationReport = z.infer<typeof registrationReportSchema>;

export const outputItems = ['warpedMoving', 'warpedLabels', 'affine', 'forwardField', 'inverseField', 'fieldsMha', 'transform', 'inverseTransform', 'jacobian', 'report'] as const;
export const outputItemSchema = z.enum(outputItems);
export type OutputItem = z.infer<typeof outputItemSchema>;
/**
 * What `ximorph register` writes and Export preselects: what users need, and no copies. The
 * fields' .mha copies, the Jacobian (`ximorph jacobian` makes it from transform.h5 later) and
 * the inverse .h5 (inverse_field and affine.txt give its map) are written on request.
 */
export const defaultOutputItems: readonly OutputItem[] = ['warpedMoving', 'warpedLabels', 'affine', 'forwardField', 'inverseField', 'transform', 'report'];

/** The preset that is the defaults (no overrides). */
export const defaultPresetId = 'brain-mri';

/**
 * The preset a pair gets when the user names none, by the images' dimension: 2D images get
 * '2d', others the defaults. The command line and the Register panel both follow it.
 */
export const automaticPreset = (dimension: number): string => (dimension === 2 ? '2d' : defaultPresetId);

/** A registration as the UI shows it: its report and its layers. */
export const registrationOutcomeSchema = z.object({
  jobId: z.string(),
  report: registrationReportSchema,
  warpedMoving: loadedImageSchema,
  warpedMovingLabels: loadedImageSchema.optional(),
  /** The deformable part at the working resolution, for det J, the deformed grid and |u|. */
  displayField: z.object({ grid: gridSchema, components: z.int().positive(), vectors: float32ArraySchema }),
});

export const registrationChannels = {
  'registration.defaults': {
    request: emptySchema,
    progress: noProgressSchema,
    result: z.object({
      parameters: registrationParametersSchema,
      presets: z.array(z.object({ id: z.string(), title: z.string(), description: z.string(), overrides: registrationOverridesSchema })),
    }),
  },
  'registration.run': {
    request: z.object({ inputs: registrationInputsSchema, overrides: registrationOverridesSchema, preset: z.string().optional() }),
    progress: progressSchema,
    result: registrationOutcomeSchema,
  },
  /** A result the engine still holds, with its layers again: a reloaded tab, or a job card's "Show". */
  'registration.fetch': {
    request: z.object({ jobId: z.string() }),
    progress: noProgressSchema,
    result: registrationOutcomeSchema,
  },
  /** The engine lets go of a result (removed from the list, its undo over). */
  'registration.release': {
    request: z.object({ jobId: z.string() }),
    progress: noProgressSchema,
    result: emptySchema,
  },
  'registration.export': {
    request: z.object({ jobId: z.string(), directory: z.string().min(1), items: z.array(outputItemSchema).min(1), grant: saveGrantSchema.optional() }),
    progress: progressSchema,
    result: z.object({ files: z.array(z.string()) }),
  },
  'registration.command': {
    request: z.object({ jobId: z.string() }),
    progress: noProgressSchema,
    result: z.object({ command: z.string() }),
  },
} as const;
