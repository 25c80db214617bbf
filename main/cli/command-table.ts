// The subcommands: each declares its usage (what `ximorph COMMAND --help` prints), its options
// (for node:util parseArgs) and how to run. Values are checked here, before any work starts.

import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';
import { serve } from './commands/serve';
import { launch } from './commands/launch';
import { info } from './commands/info';
import { outputNames, register } from './commands/register';
import { warp } from './commands/warp';
import { jacobian } from './commands/jacobian';
import { train } from './commands/train';
import { evaluateModel, models } from './commands/models';
import { matchPoints, mapPoints } from './commands/points';
import { batch } from './commands/batch';
import type { CliImageInput } from './job-thread/cli-jobs';

export type Values = Record<string, string | boolean | string[] | undefined>;
export type Reporting = 'text' | 'json' | 'piped';

export interface CommandSpec {
  name: string;
  /** The synopsis line(s) of the overall help. */
  synopsis: string;
  /** What `ximorph NAME --help` prints below the synopsis. */
  details: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /**
   * How failures are reported: 'text' one line on stderr; 'json' one JSON event on stdout;
   * 'piped' both (a script reads stdout, the person at the terminal reads stderr).
   */
  reporting(values: Values): Reporting;
  /** Whether the command takes files as bare arguments; the others refuse any. */
  takesFiles?: true;
  run(values: Values, positionals: string[]): Promise<number>;
}

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

const port = (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, not ${String(value)}`);
  return n;
};

const integer = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, not ${String(value)}`);
  return n;
};

export const positiveNumber = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not ${String(value)}`);
  return n;
};

const positiveInteger = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a whole number above 0, not ${String(value)}`);
  return n;
};

const indexNumber = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a volume index (0, 1, 2, …), not ${String(value)}`);
  return n;
};

const required = (name: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
};

const optionalString = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** An image option (--fixed, --moving, …) with its --NAME-volume and --NAME-series choices. */
function imageInput(v: Values, name: string, role?: CliImageInput['role']): CliImageInput | undefined {
  const file = optionalString(v[name]);
  const volume = indexNumber(`${name}-volume`, v[`${name}-volume`]);
  const series = optionalString(v[`${name}-series`]);
  if (!file) {
    if (volume !== undefined || series !== undefined) throw new UsageError(`--${name}-${volume !== undefined ? 'volume' : 'series'} needs --${name}`);
    return undefined;
  }
  return { path: file, role, volume, series, choiceFlag: name };
}

function requiredImage(v: Values, name: string, role?: CliImageInput['role']): CliImageInput {
  const input = imageInput(v, name, role);
  if (!input) throw new UsageError(`--${name} is required`);
  return input;
}

const imageOptions = (name: string) =>
  ({
    [name]: { type: 'string' },
    [`${name}-volume`]: { type: 'string' },
    [`${name}-series`]: { type: 'string' },
  }) as const;

const launchOptions = {
  ...helpOption,
  sample: { type: 'boolean' },
  backend: { type: 'string' },
  port: { type: 'string' },
  'no-open': { type: 'boolean' },
} as const;

const textOnly = (): Reporting => 'text';
const jsonFlag = (v: Values): Reporting => (v.json ? 'json' : 'text');
/** Commands that stream JSON lines whenever stdout is not a terminal. */
const jsonWhenPiped = (v: Values): Reporting => (v.json ? 'json' : process.stdout.isTTY ? 'text' : 'piped');

/** What tunes a registration: register's own flags, which batch passes on to every row. */
const registrationOptions = {
  resolution: { type: 'string' },
  iterations: { type: 'string' },
  model: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  preset: { type: 'string' },
  set: { type: 'string', multiple: true },
  outputs: { type: 'string' },
} as const;

const imageChoices = `An image may be a file or a DICOM folder. For a 4D file, --NAME-volume N picks volume N
(from 0); for a folder with several DICOM series, --NAME-series UID picks one.`;

const table: CommandSpec[] = [
  {
    name: 'serve',
    synopsis: '[FILE...] [--port N] [--no-open] [--sample]',
    details: `Browser mode: serves the workstation on 127.0.0.1 only, with a per-launch token, and prints
one line, "Listening on http://127.0.0.1:N/?token=…". Forward the port over SSH to use a
remote machine's GPU and files.`,
    options: launchOptions,
    reporting: textOnly,
    takesFiles: true,
    run: async (v, files) => {
      await serve({ files, port: port(v.port), open: !v['no-open'], sample: Boolean(v.sample), backend: v.backend as string | undefined });
      return 0;
    },
  },
  {
    name: 'info',
    synopsis: 'FILE... [--volume N] [--series UID] [--json]',
    details: `What XiMorph reads from each file: size, spacing, origin, direction (LPS), pixel type, range,
role and warnings. --json prints one JSON object per file (an array for several); a file that
cannot be read gives {"source", "error": {"code", "message", "file"}}.`,
    options: { ...helpOption, json: { type: 'boolean' }, volume: { type: 'string' }, series: { type: 'string' } },
    reporting: jsonFlag,
    takesFiles: true,
    run: async (v, files) => {
      if (files.length === 0) throw new UsageError('info needs at least one FILE');
      return await info(files, { json: Boolean(v.json), volume: indexNumber('volume', v.volume), series: optionalString(v.series) });
    },
  },
  {
    name: 'register',
    synopsis: `--fixed F --moving M --out DIR [--fixed-labels L] [--moving-labels L]
                 [--mask M] [--moving-mask M] [--resolution MM] [--iterations N] [--model PATH]
                 [--backend B] [--threads N] [--preset P] [--set group.key=value]... [--outputs default|all|LIST]
                 [--json]`,
    details: `Registers M to F and writes into DIR, as one set (a run that fails or is stopped leaves DIR as
it was): by default the warped images, the affine, both displacement fields (.nii.gz), the ITK
composite transform and report.json. --outputs all adds the fields' .mha copies, the Jacobian
and the inverse composite; or list what to write, e.g. --outputs default,jacobian, from:
  ${outputNames.join(', ')}.
DIR must be new, empty, or an earlier result folder.
--mask limits the similarity to a region of the fixed image, --moving-mask to one of the moving.
--preset starts from brain-mri (the defaults), ct-lung, abdomen-ct or 2d; 2D images get 2d
unless --preset names another.
--set overrides any parameter of report.json's "parameters" (lists as JSON).
--iterations N runs N optimizer iterations at every control level (the defaults have three,
coarse to fine: 50, 50 and 100).
--threads N runs the loops that read the images at many points on N threads (0, the default:
every core; never more threads than cores). The result is the same for any N.
On a terminal a progress bar is shown; when piped, or with --json, progress and the outcome
are JSON lines on stdout, the last one {"event":"done",…} or {"event":"error","error":{…}}.
Ctrl-C or SIGTERM stop a run within a second (exit status 130).
${imageChoices}`,
    options: {
      ...helpOption,
      ...imageOptions('fixed'),
      ...imageOptions('moving'),
      ...imageOptions('fixed-labels'),
      ...imageOptions('moving-labels'),
      ...imageOptions('mask'),
      ...imageOptions('moving-mask'),
      out: { type: 'string' },
      ...registrationOptions,
      json: { type: 'boolean' },
    },
    reporting: jsonWhenPiped,
    run: (v) =>
      register({
        outputs: optionalString(v.outputs),
        fixed: requiredImage(v, 'fixed', 'intensity'),
        moving: requiredImage(v, 'moving', 'intensity'),
        fixedLabels: imageInput(v, 'fixed-labels', 'labels'),
        movingLabels: imageInput(v, 'moving-labels', 'labels'),
        fixedMask: imageInput(v, 'mask', 'labels'),
        movingMask: imageInput(v, 'moving-mask', 'labels'),
        out: required('out', v.out),
        resolution: positiveNumber('resolution', v.resolution),
        iterations: positiveInteger('iterations', v.iterations),
        model: optionalString(v.model),
        backend: optionalString(v.backend),
        threads: integer('threads', v.threads),
        preset: optionalString(v.preset),
        settings: (v.set as string[] | undefined) ?? [],
        json: Boolean(v.json) || !process.stdout.isTTY,
      }),
  },
  {
    name: 'batch',
    synopsis: 'MANIFEST.csv --out DIR [--jobs N] [--row I] [--preset P] [--set group.key=value]... [--backend B] [--threads N] [--outputs …] [--json]',
    details: `Registers a cohort: one 'ximorph register' per manifest row, each in a process of its own, N at
a time (--jobs, 1 by default), into DIR/NAME. The manifest is CSV with a header naming fixed and
moving, and optionally fixed_labels, moving_labels and name (the row's folder; row-K by default);
paths are relative to the manifest. Atlas-to-many: repeat the atlas in every row.
A row whose folder holds a finished result is skipped, so a rerun resumes; a failed row is
reported and the others go on. DIR/summary.csv lists every row's status and metrics.
--row I runs row I alone (from 0): one task of a scheduler's array job (SLURM: --row
$SLURM_ARRAY_TASK_ID; a Kubernetes Indexed Job: --row $JOB_COMPLETION_INDEX).
--preset, --set, --backend, --threads, --resolution, --iterations, --model and --outputs go to every
row (with --jobs N and no --threads, each row gets the cores divided by N, at least one).
Exit status 0 when every row is done, 1 when a row failed, 130 when stopped.`,
    options: {
      ...helpOption,
      out: { type: 'string' },
      jobs: { type: 'string' },
      row: { type: 'string' },
      ...registrationOptions,
      json: { type: 'boolean' },
    },
    reporting: jsonFlag,
    takesFiles: true,
    run: (v, files) => {
      if (files.length !== 1) throw new UsageError('batch takes one manifest (a CSV file)');
      const passed: string[] = [];
      for (const flag of ['preset', 'backend', 'threads', 'resolution', 'iterations', 'model', 'outputs'] as const) if (v[flag] !== undefined) passed.push(`--${flag}`, String(v[flag]));
      for (const setting of (v.set as string[] | undefined) ?? []) passed.push('--set', setting);
      return batch({
        manifest: files[0],
        out: required('out', v.out),
        jobs: v.jobs === undefined ? 1 : Number(v.jobs),
        row: v.row === undefined ? undefined : Number(v.row),
        registerArguments: passed,
        json: Boolean(v.json),
      });
    },
  },
  {
    name: 'warp',
    synopsis: '--transform DIR_OR_H5 --input I --reference F --out O [--labels] [--json]',
    details: `Resamples I onto F's grid through a saved transform (a result folder means its transform.h5):
out(x) = I(T(x)). --labels uses nearest-neighbour interpolation (label maps are detected too).
${imageChoices}`,
    options: { ...helpOption, transform: { type: 'string' }, ...imageOptions('input'), ...imageOptions('reference'), out: { type: 'string' }, labels: { type: 'boolean' }, json: { type: 'boolean' } },
    reporting: jsonFlag,
    run: (v) =>
      warp({
        transform: required('transform', v.transform),
        input: requiredImage(v, 'input', v.labels ? 'labels' : undefined),
        reference: requiredImage(v, 'reference'),
        out: required('out', v.out),
        labels: Boolean(v.labels),
        json: Boolean(v.json),
      }),
  },
  {
    name: 'jacobian',
    synopsis: '--transform DIR_OR_H5 --out O [--reference F] [--json]',
    details: `det J of a saved transform on the grid of its displacement field (or of --reference), with its
folds, where det J ≤ 0.`,
    options: { ...helpOption, transform: { type: 'string' }, out: { type: 'string' }, ...imageOptions('reference'), json: { type: 'boolean' } },
    reporting: jsonFlag,
    run: (v) => jacobian({ transform: required('transform', v.transform), out: required('out', v.out), reference: imageInput(v, 'reference'), json: Boolean(v.json) }),
  },
];

const fraction = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be a number from 0 to 1, not ${String(value)}`);
  return n;
};

const dimensionOf = (value: unknown): 2 | 3 => {
  if (value === undefined || value === '2') return 2;
  if (value === '3') return 3;
  throw new UsageError(`--dims must be 2 or 3, not ${String(value)}`);
};

table.push({
  name: 'train',
  synopsis: `(--data DIR [--synthetic [--atlas LABELS] [--synthetic-fraction F]] | --synthetic [--atlas LABELS])
                 [--dims 2|3] --out MODEL_DIR [--steps N] [--minutes M]
                 [--resume] [--seed S] [--batch B] [--resolution MM] [--edge VOXELS] [--network cpu|gpu] [--threads N]
                 [--samples K] [--learning-rate R] [--no-affine] [--no-roll] [--padding circular|zero]
                 [--checkpoint-every N]
                 [--validate-every N] [--common-space]
                 [--validation-image I --validation-labels L] [--json]`,
  details: `Trains the feature network self-supervised, with the feature-map inverse-consistency loss
under random affine and rolling augmentations (--no-affine and --no-roll reproduce what happens
without them; they appear with --padding zero, where the border tells the network position),
on the scans in DIR (searched recursively; unusable files are skipped and listed)
or on synthetic images (random label maps, or the labels of --atlas), or on both: --data with
--synthetic makes a fraction F of the pairs synthetic (default 0.5). A pair is one scan twice
(two acquisitions under the augmentation); with --common-space, scans already registered to one
space also pair with each other. It validates by label
propagation on held-out pairs: two deformed acquisitions of --validation-image with its labels,
or synthetic pairs. Writes a model folder
(model.json, weights.bin, card.json) with its checkpoint inside, every 50 steps and when
stopped: Ctrl-C finishes the step and saves; --resume continues exactly from there.
Use the model with 'ximorph register --model MODEL_DIR'.`,
  options: {
    ...helpOption,
    data: { type: 'string' },
    synthetic: { type: 'boolean' },
    atlas: { type: 'string' },
    'synthetic-fraction': { type: 'string' },
    'validation-image': { type: 'string' },
    'validation-labels': { type: 'string' },
    dims: { type: 'string' },
    out: { type: 'string' },
    steps: { type: 'string' },
    minutes: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string' },
    resolution: { type: 'string' },
    edge: { type: 'string' },
    network: { type: 'string' },
    threads: { type: 'string' },
    samples: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'validate-every': { type: 'string' },
    'common-space': { type: 'boolean' },
    'learning-rate': { type: 'string' },
    'no-affine': { type: 'boolean' },
    'no-roll': { type: 'boolean' },
    padding: { type: 'string' },
    resume: { type: 'boolean' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
  },
  reporting: jsonWhenPiped,
  run: (v) =>
    train({
      data: optionalString(v.data),
      synthetic: Boolean(v.synthetic),
      atlas: optionalString(v.atlas),
      syntheticFraction: fraction('synthetic-fraction', v['synthetic-fraction']),
      validationImage: optionalString(v['validation-image']),
      validationLabels: optionalString(v['validation-labels']),
      dimension: dimensionOf(v.dims),
      out: required('out', v.out),
      steps: integer('steps', v.steps),
      minutes: positiveNumber('minutes', v.minutes),
      batch: integer('batch', v.batch),
      seed: integer('seed', v.seed),
      resolution: positiveNumber('resolution', v.resolution),
      edge: integer('edge', v.edge),
      network: optionalString(v.network),
      threads: integer('threads', v.threads),
      samples: integer('samples', v.samples),
      checkpointEvery: integer('checkpoint-every', v['checkpoint-every']),
      validateEvery: integer('validate-every', v['validate-every']),
      commonSpace: Boolean(v['common-space']),
      learningRate: positiveNumber('learning-rate', v['learning-rate']),
      affine: !v['no-affine'],
      roll: !v['no-roll'],
      padding: optionalString(v.padding),
      resume: Boolean(v.resume),
      backend: optionalString(v.backend),
      json: Boolean(v.json) || !process.stdout.isTTY,
    }),
});

table.push(
  {
    name: 'models',
    synopsis: '[--json]',
    details: `The models --model accepts by name: those shipped with XiMorph and your own (trained into, or
imported to, XiMorph's data folder), each with its dimension, channels, resolution, training
and validation. Any model folder's path works with --model too.`,
    options: { ...helpOption, json: { type: 'boolean' } },
    reporting: jsonFlag,
    run: (v) => models({ json: Boolean(v.json) }),
  },
  {
    name: 'evaluate-model',
    synopsis: `--model M [--validation-image I --validation-labels L] [--pairs N]
                 [--fixed F --moving M --fixed-labels L --moving-labels L] [--json]`,
    details: `Measures a model against MIND-SSC and raw intensity on the same held-out data: label
propagation by attention with the features alone (mean Dice over N held-out pairs: two
deformed acquisitions of --validation-image with its labels, else the model's own validation
data), and, given a labelled pair, registration Dice by attention alone and with the whole
pipeline. Prints a table (or JSON).`,
    options: {
      ...helpOption,
      model: { type: 'string' },
      'validation-image': { type: 'string' },
      'validation-labels': { type: 'string' },
      pairs: { type: 'string' },
      fixed: { type: 'string' },
      moving: { type: 'string' },
      'fixed-labels': { type: 'string' },
      'moving-labels': { type: 'string' },
      json: { type: 'boolean' },
    },
    reporting: jsonWhenPiped,
    run: (v) => {
      const pairFlags = ['fixed', 'moving', 'fixed-labels', 'moving-labels'].map((k) => optionalString(v[k]));
      if (pairFlags.some(Boolean) && !pairFlags.every(Boolean)) throw new UsageError('a registration pair needs --fixed, --moving, --fixed-labels and --moving-labels');
      if (Boolean(v['validation-image']) !== Boolean(v['validation-labels'])) throw new UsageError('--validation-image and --validation-labels go together');
      const [fixed, moving, fixedLabels, movingLabels] = pairFlags as string[];
      return evaluateModel({
        model: required('model', v.model),
        validation: v['validation-image'] ? { image: v['validation-image'] as string, labels: v['validation-labels'] as string } : undefined,
        pair: fixed ? { fixed, moving, fixedLabels, movingLabels } : undefined,
        pairs: integer('pairs', v.pairs) ?? 8,
        json: Boolean(v.json) || !process.stdout.isTTY,
      });
    },
  },
);

table.push(
  {
    name: 'points',
    synopsis: '--transform DIR_OR_H5 --points IN --out OUT [--inverse] [--json]',
    details: `Maps points through a registration result: each point x of the fixed image to T(x), its place in
the moving image — the same T that warps images (warped(x) = moving(T(x))). --inverse maps points
of the moving image to the fixed one (T⁻¹; needs a result folder, which holds the inverse field).
Points are read and written as CSV (a header with x, y, z in LPS mm, or R, A, S in RAS mm; other
columns are kept) or Slicer markups (.mrk.json, .fcsv; their coordinate system is kept); OUT's
extension picks its format.
ANTs: antsApplyTransformsToPoints also maps a fixed point to the moving image when given the
transform antsApplyTransforms warps images with (points go "opposite" to images there too), and
expects LPS; for moving → fixed it needs the inverse affine and the inverse warp, where XiMorph
needs --inverse.`,
    options: { ...helpOption, transform: { type: 'string' }, points: { type: 'string' }, out: { type: 'string' }, inverse: { type: 'boolean' }, json: { type: 'boolean' } },
    reporting: jsonFlag,
    run: (v) => mapPoints({ transform: required('transform', v.transform), points: required('points', v.points), out: required('out', v.out), inverse: Boolean(v.inverse), json: Boolean(v.json) }),
  },
  {
    name: 'match',
    synopsis: '--fixed F --moving M --points IN --out OUT [--model PATH_OR_NAME] [--reverse] [--json]',
    details: `Each point's match by features alone, without registering: coordinate attention for one query
(the softmax-weighted mean of the other image's points). IN holds points of the fixed image; OUT
their matches in the moving image, with confidence (the softmax's peak probability) and spread_mm
columns. --reverse matches moving points in the fixed image. --model picks the featurizer
(mind-ssc by default, intensity, or a trained model). Formats as for 'ximorph points'.
${imageChoices}`,
    options: { ...helpOption, ...imageOptions('fixed'), ...imageOptions('moving'), points: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' }, reverse: { type: 'boolean' }, json: { type: 'boolean' } },
    reporting: jsonWhenPiped,
    run: (v) =>
      matchPoints({
        fixed: requiredImage(v, 'fixed'),
        moving: requiredImage(v, 'moving'),
        points: required('points', v.points),
        out: required('out', v.out),
        model: optionalString(v.model) ?? 'mind-ssc',
        reverse: Boolean(v.reverse),
        json: Boolean(v.json) || !process.stdout.isTTY,
      }),
  },
);

const launcher: CommandSpec = {
  name: '',
  synopsis: '[FILE...] [--sample]',
  details: `Opens the workstation: the Electron app where its binary is installed, otherwise browser mode
(see serve). --sample loads the sample pair.`,
  options: launchOptions,
  reporting: textOnly,
  takesFiles: true,
  run: (v, files) => launch({ files, port: port(v.port), open: !v['no-open'], sample: Boolean(v.sample), backend: v.backend as string | undefined }),
};

export const commands = {
  find: (name: string) => table.find((c) => c.name === name),
  launcher,
  all: [launcher, ...table],
};
