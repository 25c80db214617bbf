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
    // Coarse to fine, as elastix's grid schedule: 16× and 8× the working spacing (40 and 20 mm
    // for a 1 mm brain; 16 and 8 mm for the 0.5 mm macaque), then a velocity on a 2× grid (5 mm;
    // 2 mm) that is the cubic B-spline of coefficients on a 4× one (spline-upsampling.ts). A
    // single fine level converged too slowly where the warp is large against the anatomy (issue
    // 12, macaque, seeds 1–3: Dice 0.668/0.696/0.722 → 0.776/0.726/0.825 with 16-8-4×). The 4×
    // grid's trilinear shape was the largest error left on the brains (a 12 mm-smooth warp is
    // 0.34 mm from its 10 mm trilinear interpolant, 0.09 mm from its 5 mm one), but a free 2×
    // level's extra freedom cost what its shape gained (Dice 0.9666/0.9699 against 0.9670/0.9716);
    // the spline keeps the 4× grid's parameters with the 2× grid's shape. With an LNCC radius of
    // 3 mm and four squarings, measured by the whole command (stop 30): brains 0.9670/0.9716 →
    // 0.9754/0.9781, macaque 0.7931 → 0.8111, no folds, for 2–3 s more optimization.
    levels: [
      { controlDownsample: 16, iterations: 50 },
      { controlDownsample: 8, iterations: 50 },
      { controlDownsample: 2, coefficientDownsample: 4, iterations: 100 },
    ],
    learningRate: 0.5,
    model: 'velocity',
    // Four squarings gave the spline level's Dice within 0.0001 of five (brains, macaque) in a
    // fifth less of its time, which is mostly the squarings on the fine grid.
    integrationSteps: 4,
    similarity: 'lncc',
    // 3 mm: brains +0.0011/+0.0004 over 4 mm, the macaque +0.012 (with the spline level +0.019).
    localRadiusMm: 3,
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
