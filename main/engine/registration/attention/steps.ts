// Registration steps and their combinators, in ICON's manner: a step maps a pair (here both
// images' features on one grid) and the current estimate to a better estimate; running a step
// at a coarser resolution is a wrapper, and two steps compose into one. The attention pyramid
// is then written as what it is:
//   twoStep(twoStep(atResolution(global, 8), atResolution(window 2, 4)), atResolution(window 1, 2))

import type { StageReporter } from '../levels';
import { disposeLevels, downsampleLevel, downsampleRegion } from '../levels';
import type { AttentionParameters } from '../parameters';
import type { AttentionLevelFeatures, BidirectionalField } from './coordinate-attention';
import { attendAtLevel } from './coordinate-attention';
import { disposeField } from '../fields/displacement-fields';

export interface StepContext {
  /** Enters a named stage (for progress, timings and memory). */
  begin(stage: string): void;
  report: StageReporter;
}

/**
 * Improves `current` (any grid of the frame, or none) on the pair `level`; returns new fields,
 * which the caller owns, and leaves `current` to its owner. Asynchronous because a GPU backend
 * reads back to the host only that way.
 */
export type RegistrationStep = (level: AttentionLevelFeatures, current: BidirectionalField | undefined, context: StepContext) => Promise<BidirectionalField>;

/** Coordinate attention: global (every point against all) or in a window of `radius` voxels. */
export function attentionStep(window: 'global' | number, p: AttentionParameters): RegistrationStep {
  return (level, current, context) => attendAtLevel(level, current, window, p, context.report);
}

/** `step` on the pair block-averaged by `factor`, as its own stage. */
export function atResolution(step: RegistrationStep, factor: number, stage: string): RegistrationStep {
  return async (level, current, context) => {
    context.begin(stage);
    const coarse: AttentionLevelFeatures = {
      fixed: downsampleLevel(level.fixed, factor),
      moving: downsampleLevel(level.moving, factor),
      fixedRegion: downsampleRegion(level.fixedRegion, factor),
      movingRegion: downsampleRegion(level.movingRegion, factor),
    };
    try {
      return await step(coarse, current, context);
    } finally {
      disposeLevels([coarse.fixed, coarse.moving, coarse.fixedRegion, coarse.movingRegion]);
    }
  };
}

/** `first`, then `second` starting from `first`'s estimate. */
export function twoStep(first: RegistrationStep, second: RegistrationStep): RegistrationStep {
  return async (level, current, context) => {
    const intermediate = await first(level, current, context);
    try {
      return await second(level, intermediate, context);
    } finally {
      disposeField(intermediate.forward);
      disposeField(intermediate.backward);
    }
  };
}
