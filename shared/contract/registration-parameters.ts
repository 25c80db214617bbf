// Every registration parameter, as a schema: the engine's defaults fill what a request leaves
// out, the UI lists every field under "Advanced" with its default, and the CLI maps its flags
// onto the same record.

import { z } from 'zod';

const positive = z.number().positive();
const fraction = z.number().min(0).max(100);

export const normalizationSchema = z.object({
  lowPercentile: fraction,
  highPercentile: fraction,
  window: z.object({ center: z.number(), width: positive }).optional(),
});

export const alignmentSchema = z.object({
  transform: z.enum(['affine', 'rigid', 'none']),
  initialization: z.enum(['center-of-mass', 'geometry']),
  rotationSearchDegrees: z.number().min(0).max(180),
  rotationSearchStepDegrees: positive,
  iterations: z.array(z.int().nonnegative()),
  samples: z.int().positive(),
});

export const featuresSchema = z.object({
  model: z.string().min(1),
  mindRadius: z.int().positive(),
  mindDilation: z.int().positive(),
});

export const attentionSchema = z.object({
  levels: z.array(z.object({ downsample: positive, window: z.union([z.literal('global'), z.int().positive()]) })),
  sharpness: positive,
  priorSigmaMm: z.number().min(0),
  smoothingVoxels: z.number().min(0),
  blockSize: z.int().positive(),
});

export const optimizationSchema = z.object({
  levels: z.array(z.object({ controlDownsample: positive, iterations: z.int().nonnegative() })),
  learningRate: positive,
  model: z.enum(['velocity', 'displacement']),
  integrationSteps: z.int().min(0).max(12),
  similarity: z.enum(['mind', 'ncc']),
  similarityResolution: z.enum(['working', 'native']),
  diffusionWeight: z.number().min(0),
  gradIconWeight: z.number().min(0),
  samples: z.int().positive(),
});

export const backendPreferenceSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu']);

export const registrationParametersSchema = z.object({
  backend: backendPreferenceSchema,
  resolutionMm: positive.optional(),
  normalization: normalizationSchema,
  alignment: alignmentSchema,
  features: featuresSchema,
  attention: attentionSchema,
  optimization: optimizationSchema,
  seed: z.int(),
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
