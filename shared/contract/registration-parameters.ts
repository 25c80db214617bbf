// Every registration parameter, as one schema: the engine derives its parameter types from
// it and fills in its defaults, the UI lists every field under "Advanced" with its default and
// its description, and the CLI maps its flags onto the same record. Lengths are millimetres.

import { z } from 'zod';

const positive = z.number().positive();
const percentile = z.number().min(0).max(100);

export const normalizationSchema = z.object({
  lowPercentile: percentile.describe('Intensity percentile (0–100) mapped to 0 when no window is given.'),
  highPercentile: percentile.describe('Intensity percentile (0–100) mapped to 1 when no window is given.'),
  window: z
    .object({ center: z.number(), width: positive })
    .optional()
    .describe('A fixed intensity window (centre, width in image units, e.g. Hounsfield) instead of percentiles, for CT.'),
});

export const alignmentSchema = z.object({
  transform: z.enum(['affine', 'rigid', 'none']).describe("'affine' (12 degrees of freedom in 3D), 'rigid', or 'none' for pre-aligned data."),
  initialization: z.enum(['center-of-mass', 'geometry']).describe('Initial translation from the centres of mass or from the fields of view.'),
  rotationSearchDegrees: z.number().min(0).max(180).describe('Largest rotation searched around each axis before refinement, degrees.'),
  rotationSearchStepDegrees: positive.describe('Step of the rotation search, degrees.'),
  iterations: z.array(z.int().nonnegative()).readonly().describe('Gradient iterations per pyramid level, coarsest first.'),
  samples: z.int().positive().describe('Points sampled per iteration for the similarity.'),
});

export const featuresSchema = z.object({
  model: z.string().min(1).describe("'mind-ssc' (training-free) or the path of a learned featurizer model."),
  mindRadius: z.int().positive().describe('MIND-SSC patch radius, voxels of each level.'),
  mindDilation: z.int().positive().describe('MIND-SSC neighbour distance, voxels of each level.'),
});

export const attentionSchema = z.object({
  levels: z
    .array(z.object({ downsample: positive, window: z.union([z.literal('global'), z.int().positive()]) }).readonly())
    .readonly()
    .describe("Coarsest first: grid spacing as a multiple of the working resolution, and 'global' or a window radius in voxels. Empty skips attention."),
  sharpness: positive.describe('Inverse temperature of the softmax for the training-free featurizer.'),
  priorSigmaMm: z.number().min(0).describe('Gaussian prior (σ, mm) on the displacement left after the affine, for global attention; 0 for none.'),
  smoothingVoxels: z.number().min(0).describe("Gaussian smoothing (voxels) of each level's displacement before the next."),
  blockSize: z.int().positive().describe('Queries per block in global attention: bounds memory to block × keys.'),
});

export const optimizationSchema = z.object({
  levels: z
    .array(z.object({ controlDownsample: positive, iterations: z.int().nonnegative() }).readonly())
    .readonly()
    .describe('Control grids, coarse to fine: spacing as a multiple of the working resolution, and Adam iterations. Empty: no instance optimization.'),
  learningRate: positive.describe('Adam step size, mm per iteration.'),
  model: z
    .enum(['velocity', 'displacement'])
    .describe("'velocity': a stationary velocity field integrated by scaling and squaring (diffeomorphic); 'displacement': a displacement field, inverted afterwards."),
  integrationSteps: z.int().min(0).max(12).describe('Squarings of the scaling-and-squaring integration.'),
  similarity: z
    .enum(['mind', 'ncc', 'lncc'])
    .describe("'lncc': locally normalized intensities (discounts bias and local contrast); 'ncc': normalized cross-correlation; 'mind': MIND-SSC descriptors."),
  localRadiusMm: positive.describe("Window radius of 'lncc', mm."),
  similarityResolution: z.enum(['working', 'native']).describe("Where the similarity is evaluated: the working grid, or the fixed image's own grid."),
  diffusionWeight: z.number().min(0).describe('Weight of the diffusion regularizer (Σ|∇v|²).'),
  gradIconWeight: z.number().min(0).describe("Weight of GradICON's inverse-consistency gradient penalty (displacement model only)."),
  samples: z.int().positive().describe('Random fixed-image points per iteration, new ones every iteration.'),
});

export const backendPreferenceSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu']);

export const registrationParametersSchema = z.object({
  backend: backendPreferenceSchema.describe("The tfjs backend; 'auto' takes the best that starts."),
  resolutionMm: positive.optional().describe('Working resolution of alignment, features and attention; by default from the image size (2.5 mm for a 1 mm brain).'),
  normalization: normalizationSchema,
  alignment: alignmentSchema,
  features: featuresSchema,
  attention: attentionSchema,
  optimization: optimizationSchema,
  seed: z.int().describe('Seed of every random choice, so that runs repeat exactly.'),
});
export type RegistrationParametersData = z.infer<typeof registrationParametersSchema>;

/** What a request may give: any group partially; lists replace the default lists whole. */
export const registrationOverridesSchema = z.object({
  backend: backendPreferenceSchema.optional(),
  resolutionMm: positive.optional(),
  normalization: normalizationSchema.partial().optional(),
  alignment: alignmentSchema.partial().optional(),
  features: featuresSchema.partial().optional(),
  attention: attentionSchema.partial().optional(),
  optimization: optimizationSchema.partial().optional(),
  seed: z.int().optional(),
});
export type RegistrationOverrides = z.infer<typeof registrationOverridesSchema>;
