// The Train panel's form as the user fills it in, and the TrainingRequest it stands for. The
// form keeps every field it has shown (a folder typed before switching to synthetic data is
// still there when switching back); the request takes only what the chosen data needs, and
// the contract's own schema checks it, so the form and `ximorph train` accept the same values.

import type { TrainingRequest } from '../../../shared/contract/index';
import { trainingRequestSchema } from '../../../shared/contract/index';

export interface TrainingDraft {
  data: 'synthetic' | 'folder';
  folder: string;
  /** With a folder: some pairs synthetic too. */
  mixSynthetic: boolean;
  /** The fraction of pairs that are synthetic when mixing. */
  syntheticFraction: number;
  /** A label map whose labels make the synthetic anatomies; empty for random blobs. */
  atlas: string;
  dimension: 2 | 3;
  resolutionMm: number;
  exampleEdge: number;
  steps: number;
  /** No limit when null. */
  maxMinutes: number | null;
  batch: number;
  network: 'cpu' | 'gpu';
  affine: boolean;
  roll: boolean;
  /** What the convolutions see beyond the grid (see the contract's `padding`). */
  padding: 'circular' | 'zero';
  validationImage: string;
  validationLabels: string;
  /** The model's name in the registry: the folder it is written to. */
  name: string;
  seed: number;
  samples: number;
  learningRate: number;
  validateEvery: number;
  checkpointEvery: number;
  threads: number;
}

export interface TrainingPreset {
  readonly id: string;
  readonly title: string;
  readonly dimension: 2 | 3;
  readonly data: TrainingDraft['data'];
}

/** Starting points: the engine's defaults for a dimension, with scans or synthetic data. */
export const trainingPresets: readonly TrainingPreset[] = [
  { id: 'folder-2d', title: '2D slices from a folder', dimension: 2, data: 'folder' },
  { id: 'folder-3d', title: '3D brain crops from a folder', dimension: 3, data: 'folder' },
  { id: 'synthetic-2d', title: 'Synthetic 2D', dimension: 2, data: 'synthetic' },
  { id: 'synthetic-3d', title: 'Synthetic 3D', dimension: 3, data: 'synthetic' },
];

/** The form's names for the request's fields, so that a problem names what the user sees. */
const fieldTitles: Record<string, string> = {
  resolutionMm: 'Resolution',
  exampleEdge: 'Example edge',
  steps: 'Steps',
  maxMinutes: 'Time limit',
  batch: 'Batch',
  seed: 'Seed',
  samples: 'Samples',
  learningRate: 'Learning rate',
  checkpointEvery: 'Checkpoint every',
  validateEvery: 'Validate every',
  threads: 'Threads',
  fraction: 'Synthetic share',
};

/** The same rule as the engine's registry: a model's name is a folder name without surprises. */
const validModelName = /^[\w][\w.+-]*$/;

const lastSegment = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? p;

/** The folder holding a path (the engine's user models folder, from the default `out`). */
export const parentFolder = (p: string) => p.replace(/[\\/]+$/, '').replace(/[\\/][^\\/]*$/, '');

/** `base`, or `base-2`, `base-3`…: the first name no model has. */
export function unusedName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** A fresh form from the engine's defaults for the preset's dimension, keeping the paths already given. */
export function draftFromDefaults(defaults: TrainingRequest, preset: TrainingPreset, keep: Partial<TrainingDraft> = {}): TrainingDraft {
  return {
    data: preset.data,
    folder: keep.folder ?? (defaults.data.kind === 'folder' ? defaults.data.folder : ''),
    mixSynthetic: keep.mixSynthetic ?? false,
    syntheticFraction: keep.syntheticFraction ?? 0.5,
    atlas: keep.atlas ?? (defaults.data.kind === 'synthetic' ? (defaults.data.atlas ?? '') : ''),
    dimension: preset.dimension,
    resolutionMm: defaults.resolutionMm,
    exampleEdge: defaults.exampleEdge,
    steps: defaults.steps,
    maxMinutes: defaults.maxMinutes ?? null,
    batch: defaults.batch,
    network: defaults.network,
    affine: defaults.augmentation.affine,
    roll: defaults.augmentation.roll,
    padding: defaults.padding ?? 'circular',
    validationImage: keep.validationImage ?? defaults.validation?.image ?? '',
    validationLabels: keep.validationLabels ?? defaults.validation?.labels ?? '',
    name: keep.name ?? lastSegment(defaults.out),
    seed: defaults.seed,
    samples: defaults.samples,
    learningRate: defaults.learningRate,
    validateEvery: defaults.validateEvery,
    checkpointEvery: defaults.checkpointEvery,
    threads: defaults.threads,
  };
}

/**
 * What the augmentation switches make the network learn (DEVELOPERS.md, "The method"). Position
 * and region codes need a network that can see position: zero padding shows it the border.
 */
export function augmentationEffect(affine: boolean, roll: boolean, padding: 'circular' | 'zero'): string {
  if (affine && roll) return 'affine and rolling: features of anatomy, the same wherever it lies';
  if (roll) return 'rolling only: cyclic shifts spread every pixel everywhere, without warps';
  if (padding === 'circular') return `${affine ? 'affine only' : 'no augmentation'}: circular padding hides position, so no position codes form (pad with zeros to see them)`;
  if (affine) return 'affine only: region codes';
  return 'no augmentation: position codes, loss near 0 while learning nothing';
}

export type DraftCheck = { request: TrainingRequest; problem: null } | { request: null; problem: string };

/** The request the form stands for, or the first reason it cannot be sent. */
export function requestOf(draft: TrainingDraft, modelsFolder: string): DraftCheck {
  const fail = (problem: string): DraftCheck => ({ request: null, problem });
  const name = draft.name.trim();
  if (!validModelName.test(name)) return fail(`"${name}" cannot name a model: use letters, digits, '.', '-', '_' or '+'`);
  if (draft.data === 'folder' && !draft.folder.trim()) return fail('choose a folder of scans');
  const image = draft.validationImage.trim();
  const labels = draft.validationLabels.trim();
  if (Boolean(image) !== Boolean(labels)) return fail('validation needs both an image and its labels');
  const atlas = draft.atlas.trim();
  const synthetic = atlas ? { atlas } : {};
  const candidate = {
    data:
      draft.data === 'folder'
        ? { kind: 'folder', folder: draft.folder.trim(), ...(draft.mixSynthetic ? { synthetic: { fraction: draft.syntheticFraction, ...synthetic } } : {}) }
        : { kind: 'synthetic', ...synthetic },
    dimension: draft.dimension,
    resolutionMm: draft.resolutionMm,
    exampleEdge: draft.exampleEdge,
    steps: draft.steps,
    ...(draft.maxMinutes !== null ? { maxMinutes: draft.maxMinutes } : {}),
    batch: draft.batch,
    seed: draft.seed,
    network: draft.network,
    samples: draft.samples,
    learningRate: draft.learningRate,
    augmentation: { affine: draft.affine, roll: draft.roll },
    padding: draft.padding,
    checkpointEvery: draft.checkpointEvery,
    validateEvery: draft.validateEvery,
    threads: draft.threads,
    ...(image ? { validation: { image, labels } } : {}),
    out: `${modelsFolder}/${name}`,
    resume: false,
  };
  const parsed = trainingRequestSchema.safeParse(candidate);
  if (parsed.success) return { request: parsed.data, problem: null };
  const issue = parsed.error.issues[0];
  const field = String(issue.path.at(-1) ?? '');
  // An empty number field arrives as null: say what is wanted rather than what zod received.
  const reason = issue.code !== 'invalid_type' ? issue.message : issue.expected === 'int' ? 'a whole number is needed' : 'a number is needed';
  return fail(`${fieldTitles[field] ?? issue.path.join('.')}: ${reason}`);
}
