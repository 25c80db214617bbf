// Training the feature network on the user's data or on synthetic data, and the models it
// makes. One request schema serves the Train panel and `ximorph train`; every value is ranged.

import { z } from 'zod';
import { noProgressSchema, progressSchema } from './common-schemas';

export const trainingDataSchema = z.discriminatedUnion('kind', [
  /** Random anatomies and contrasts; `atlas` is a label map whose labels make the anatomies (else random blobs). */
  z.strictObject({ kind: z.literal('synthetic'), atlas: z.string().min(1).optional() }),
  /**
   * The scans in a folder (searched recursively); with `synthetic`, that fraction of the pairs
   * are synthetic images instead (from `atlas`'s labels, else random blobs): the scans' anatomy,
   * and contrasts they do not have.
   */
  z.strictObject({
    kind: z.literal('folder'),
    folder: z.string().min(1),
    synthetic: z.strictObject({ fraction: z.number().min(0).max(1), atlas: z.string().min(1).optional() }).optional(),
  }),
]);
export type TrainingDataChoice = z.infer<typeof trainingDataSchema>;

/** 'cpu': small enough to train on a CPU; 'gpu': wider and deeper, for a GPU. */
export const networkSizeSchema = z.enum(['cpu', 'gpu']);

export const trainingRequestSchema = z.strictObject({
  data: trainingDataSchema,
  dimension: z.union([z.literal(2), z.literal(3)]),
  /** Voxel size of the training grid, mm: that of the registrations it will serve. */
  resolutionMm: z.number().positive().max(50),
  /** Edge of each example's grid, voxels (whole 2D slices, 3D crops); a multiple of 8. */
  exampleEdge: z.int().min(16).max(512).refine((n) => n % 8 === 0, 'must be a multiple of 8'),
  steps: z.int().positive().max(10_000_000),
  /** Pairs per step. */
  batch: z.int().positive().max(256),
  seed: z.int().min(0).max(2 ** 31 - 1),
  network: networkSizeSchema,
  /** Points sampled per image for the loss. */
  samples: z.int().min(16).max(16_384),
  learningRate: z.number().positive().max(1),
  /** Each augmentation can be switched off, to reproduce what happens without it. */
  augmentation: z.strictObject({ affine: z.boolean(), roll: z.boolean() }),
  /**
   * What the network's convolutions see beyond the grid: 'circular' (the default) the far side,
   * so that rolling is exact and the border says nothing about position; 'zero' lets the border
   * tell position, which is how the failure modes without augmentation (position codes, region
   * codes) come about.
   */
  padding: z.enum(['zero', 'circular']).optional(),
  checkpointEvery: z.int().positive().max(1_000_000),
  /** Stop after this many minutes even if steps remain (the model is written as at any end). */
  maxMinutes: z.number().positive().max(100_000).optional(),
  validateEvery: z.int().positive().max(1_000_000),
  /** Worker threads computing gradients (0: one per core). */
  threads: z.int().min(0).max(256),
  /**
   * How a folder's scans pair up: 'same-scan' (one scan twice, as two acquisitions under the
   * augmentation), or 'common-space' (also two different scans at the same place: only for
   * scans registered to one space; unrelated scans paired this way teach the network that
   * nothing matches, and it collapses to constant features).
   */
  pairing: z.enum(['same-scan', 'common-space']).optional(),
  /** A labelled scan for validation: held-out pairs are two deformed acquisitions of it (else synthetic pairs). */
  validation: z.strictObject({ image: z.string().min(1), labels: z.string().min(1) }).optional(),
  /** The model folder to write (checkpoints go inside). */
  out: z.string().min(1),
  /** Continue the run checkpointed in `out`, exactly. */
  resume: z.boolean(),
});
export type TrainingRequest = z.infer<typeof trainingRequestSchema>;

export const modelEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  bundled: z.boolean(),
  dimension: z.union([z.literal(2), z.literal(3)]),
  channels: z.int().positive(),
  resolutionMm: z.number().positive(),
  /** The model card as written (architecture, training, validation, hash). */
  card: z.record(z.string(), z.unknown()).optional(),
});
export type ModelEntryData = z.infer<typeof modelEntrySchema>;

export const trainingChannels = {
  'training.defaults': {
    request: z.strictObject({ dimension: z.union([z.literal(2), z.literal(3)]) }),
    progress: noProgressSchema,
    result: z.object({ request: trainingRequestSchema }),
  },
  'training.run': {
    request: trainingRequestSchema,
    progress: progressSchema,
    result: z.object({ folder: z.string(), model: modelEntrySchema, skipped: z.array(z.object({ source: z.string(), reason: z.string() })) }),
  },
  /** Pauses the training run going on between two steps (nothing is released), or resumes it in place. */
  'training.pause': {
    request: z.strictObject({ paused: z.boolean() }),
    progress: noProgressSchema,
    result: z.strictObject({ paused: z.boolean() }),
  },
  'models.list': {
    request: z.strictObject({}),
    progress: noProgressSchema,
    result: z.object({ models: z.array(modelEntrySchema) }),
  },
  'models.import': {
    request: z.strictObject({ folder: z.string().min(1), name: z.string().min(1).optional() }),
    progress: noProgressSchema,
    result: z.object({ model: modelEntrySchema }),
  },
  'models.delete': {
    request: z.strictObject({ name: z.string().min(1) }),
    progress: noProgressSchema,
    result: z.strictObject({}),
  },
} as const;
