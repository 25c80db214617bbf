// Every registration parameter, as one schema: the engine derives its parameter types from
// it and fills in its defaults, the UI lists every field under "Advanced" with its default and
// its description, and the CLI maps its flags onto the same record. Lengths are millimetres.
// Every number has a range and every group is strict (an unknown key is an error, not
// silently ignored), so that a mistyped or absurd setting is refused before any compute
// starts rather than running for hours or doing something else than asked.

import { z } from 'zod';

const positive = z.number().positive();
/** A positive number no larger than `max`. */
const upTo = (max: number) => positive.max(max);
const percentile = z.number().min(0).max(100);
/** Iteration counts: large enough for any real use, small enough to end. */
const iterationCount = z.int().nonnegative().max(100_000);

export const normalizationSchema = z.strictObject({
  lowPercentile: percentile.describe('Intensity percentile (0–100) mapped to 0 when no window is given.'),
  highPercentile: percentile.describe('Intensity percentile (0–100) mapped to 1 when no window is given.'),
  window: z
    .strictObject({ center: z.number(), width: positive })
    .optional()
    .describe('A fixed intensity window (centre, width in image units, e.g. Hounsfield) instead of percentiles, for CT.'),
});

export const alignmentSchema = z.strictObject({
  transform: z.enum(['affine', 'rigid', 'none']).describe("'affine' (12 degrees of freedom in 3D), 'rigid', or 'none' for pre-aligned data."),
  initialization: z.enum(['center-of-mass', 'geometry']).describe('Initial translation from the centres of mass or from the fields of view.'),
  initialTransform: z
    .array(z.number().refine(Number.isFinite, 'must be finite'))
    .refine((m) => m.length === 6 || m.length === 12, 'must hold 6 numbers (2D) or 12 (3D)')
    .readonly()
    .optional()
    .describe('A starting affine instead of the initialization: fixed → moving world (LPS mm), the rows of [L | t] (2×3 in 2D, 3×4 in 3D), as a manual alignment or landmarks give it. The search and refinement start from it.'),
  rotationSearchDegrees: z.number().min(0).max(180).describe('Largest rotation searched around each axis before refinement, degrees.'),
  rotationSearchStepDegrees: z.number().min(1).max(180).describe('Step of the rotation search, degrees.'),
  iterations: z.array(iterationCount).max(8).readonly().describe('Gradient iterations per pyramid level, coarsest first.'),
  samples: z.int().positive().max(10_000_000).describe('Points sampled per iteration for the similarity.'),
});

export const featuresSchema = z.strictObject({
  model: z.string().min(1).describe("'mind-ssc' (training-free), 'intensity' (a baseline), or a trained model: its name in the model list or its folder."),
  mindRadius: z.int().positive().max(8).describe('MIND-SSC patch radius, voxels of each level.'),
  mindDilation: z.int().positive().max(16).describe('MIND-SSC neighbour distance, voxels of each level.'),
});

export const attentionSchema = z.strictObject({
  levels: z
    .array(z.strictObject({ downsample: upTo(256), window: z.union([z.literal('global'), z.int().positive().max(16)]) }).readonly())
    .max(8)
    .readonly()
    .describe("Coarsest first: grid spacing as a multiple of the working resolution, and 'global' or a window radius in voxels. Empty skips attention."),
  sharpness: upTo(1e6).describe('Inverse temperature of the softmax for the training-free featurizer.'),
  priorSigmaMm: z.number().min(0).max(10_000).describe('Gaussian prior (σ, mm) on the displacement left after the affine, for global attention; 0 for none.'),
  smoothingVoxels: z.number().min(0).max(64).describe("Gaussian smoothing (voxels) of each level's displacement before the next."),
  blockSize: z.int().positive().max(1 << 20).describe('Queries per block in global attention: bounds memory to block × keys.'),
});

export const optimizationSchema = z.strictObject({
  levels: z
    .array(
      z
        .strictObject({
          controlDownsample: upTo(256),
          iterations: iterationCount,
          coefficientDownsample: upTo(256)
            .optional()
            .describe('If set, the velocity on this control grid is a cubic B-spline of coefficients on this coarser one (a multiple of the working spacing): a smooth fine field with few parameters.'),
        })
        .refine((l) => l.coefficientDownsample === undefined || l.coefficientDownsample >= l.controlDownsample, {
          message: 'coefficientDownsample must be at least controlDownsample (the coefficients are on the coarser grid)',
        })
        .readonly(),
    )
    .max(8)
    .readonly()
    .describe('Control grids, coarse to fine: spacing as a multiple of the working resolution, and Adam iterations. Empty: no instance optimization.'),
  learningRate: upTo(1000).describe("Adam step size, mm per iteration, on a control grid 8× the working spacing; each level's step is in proportion to its control spacing."),
  model: z
    .enum(['velocity', 'displacement'])
    .describe("'velocity': a stationary velocity field integrated by scaling and squaring (diffeomorphic); 'displacement': a displacement field, inverted afterwards."),
  integrationSteps: z.int().min(0).max(12).describe('Squarings of the scaling-and-squaring integration.'),
  similarity: z
    .enum(['mind', 'ncc', 'lncc'])
    .describe("'lncc': locally normalized intensities (discounts bias and local contrast); 'ncc': normalized cross-correlation; 'mind': MIND-SSC descriptors."),
  localRadiusMm: upTo(1000).describe("Window radius of 'lncc', mm."),
  similarityResolution: z.enum(['working', 'native']).describe("Where the similarity is evaluated: the working grid, or the fixed image's own grid."),
  diffusionWeight: z.number().min(0).max(1e6).describe('Weight of the diffusion regularizer (Σ|∇v|²).'),
  gradIconWeight: z.number().min(0).max(1e6).describe("Weight of GradICON's inverse-consistency gradient penalty (displacement model only)."),
  samples: z.int().positive().max(10_000_000).describe('Random fixed-image points per iteration, new ones every iteration.'),
});

export const backendPreferenceSchema = z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu']);

/** Any positive size: whether the working grid fits in memory is the engine's check, with its reason. */
const resolution = z.number().positive().max(1000);

/** 0 is every core. */
const threads = z.int().min(0).max(1024);

export const registrationParametersSchema = z.strictObject({
  backend: backendPreferenceSchema.describe("The tfjs backend; 'auto' takes the best that starts."),
  // A default, so that result folders written before the setting existed still read.
  threads: threads.default(0).describe('Threads for the loops that read the images at many points (0: every core; more than the cores run as many as the cores). Any count gives the same result.'),
  resolutionMm: resolution.optional().describe('Working resolution of alignment, features and attention; by default from the image size (2.5 mm for a 1 mm brain).'),
  normalization: normalizationSchema,
  alignment: alignmentSchema,
  features: featuresSchema,
  attention: attentionSchema,
  optimization: optimizationSchema,
  seed: z.int().min(0).max(2 ** 31 - 1).describe('Seed of every random choice, so that runs repeat exactly.'),
});
export type RegistrationParametersData = z.infer<typeof registrationParametersSchema>;

/** What a request may give: any group partially; lists replace the default lists whole. */
export const registrationOverridesSchema = z.strictObject({
  backend: backendPreferenceSchema.optional(),
  threads: threads.optional(),
  resolutionMm: resolution.optional(),
  normalization: normalizationSchema.partial().optional(),
  alignment: alignmentSchema.partial().optional(),
  features: featuresSchema.partial().optional(),
  attention: attentionSchema.partial().optional(),
  optimization: optimizationSchema.partial().optional(),
  seed: z.int().min(0).max(2 ** 31 - 1).optional(),
});
export type RegistrationOverrides = z.infer<typeof registrationOverridesSchema>;
