// The registration parameters: their types come from the contract's schema (one definition
// for the engine, the UI and the CLI); their defaults are the engine's, here. `resolutionMm`
// left undefined means "choose from the images" (a budget of 500 k voxels in 3D: 2.5 mm for a
// 1 mm brain; a 2D slice keeps its own).

import type { RegistrationOverrides, RegistrationParametersData } from '../../../shared/contract/registration-parameters';

export type RegistrationParameters = RegistrationParametersData;
export type NormalizationParameters = RegistrationParameters['normalization'];
export type IntensityWindow = NonNullable<NormalizationParameters['window']>;
export type AlignmentParameters = RegistrationParameters['alignment'];
export type FeaturizerParameters = RegistrationParameters['features'];
export type AttentionParameters = RegistrationParameters['attention'];
export type AttentionLevel = AttentionParameters['levels'][number];
export type OptimizationParameters = RegistrationParameters['optimization'];
export type OptimizationLevel = OptimizationParameters['levels'][number];
export type RegistrationParameterOverrides = RegistrationOverrides;

export const defaultParameters: RegistrationParameters = {
  backend: 'auto',
  threads: 0,
  resolutionMm: undefined,
  normalization: { lowPercentile: 0.5, highPercentile: 99.5 },
  alignment: {
    transform: 'affine',
    initialization: 'center-of-mass',
    rotationSearchDegrees: 30,
    rotationSearchStepDegrees: 15,
    iterations: [80, 40, 20],
    samples: 4000,
  },
  features: { model: 'mind-ssc', mindRadius: 1, mindDilation: 2 },
  attention: {
    levels: [
      { downsample: 8, window: 'global' },
      { downsample: 4, window: 2 },
      { downsample: 2, window: 1 },
    ],
    sharpness: 50,
    priorSigmaMm: 8,
    smoothingVoxels: 2,
    blockSize: 1024,
  },
  optimization: {
    // Coarse to fine, as elastix's grid schedule: 16×, 8×, then 4× the working spacing (40, 20,
    // 10 mm for a 1 mm brain; 16, 8, 4 mm for the 0.5 mm macaque). A single 4× level converged
    // too slowly where the warp is large against the anatomy (issue 12, macaque pair with a 4 mm
    // mean warp, seeds 1–3: Dice 0.668/0.696/0.722 → 0.776/0.726/0.825, no folds; elastix 0.773,
    // SyN 0.753 on seed 1). A finer 2× level after these lost Dice (0.61–0.69), with any step size.
    levels: [
      { controlDownsample: 16, iterations: 50 },
      { controlDownsample: 8, iterations: 50 },
      { controlDownsample: 4, iterations: 100 },
    ],
    learningRate: 0.5,
    model: 'velocity',
    integrationSteps: 5,
    similarity: 'lncc',
    localRadiusMm: 4,
    similarityResolution: 'native',
    diffusionWeight: 0.1,
    gradIconWeight: 0,
    samples: 30000,
  },
  seed: 1,
};

export function resolveParameters(overrides: RegistrationParameterOverrides = {}): RegistrationParameters {
  const d = defaultParameters;
  return {
    backend: overrides.backend ?? d.backend,
    threads: overrides.threads ?? d.threads,
    resolutionMm: overrides.resolutionMm ?? d.resolutionMm,
    normalization: { ...d.normalization, ...overrides.normalization },
    alignment: { ...d.alignment, ...overrides.alignment },
    features: { ...d.features, ...overrides.features },
    attention: { ...d.attention, ...overrides.attention },
    optimization: { ...d.optimization, ...overrides.optimization },
    seed: overrides.seed ?? d.seed,
  };
}
