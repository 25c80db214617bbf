// The coarse-to-fine attention pyramid from the parameters: each level is attention at a
// resolution, and each refines the one before.

import type { AttentionParameters } from '../parameters';
import type { RegistrationStep } from './steps';
import { atResolution, attentionStep, twoStep } from './steps';

/** The composed step, or undefined when no level is asked for. */
export function attentionPyramid(p: AttentionParameters, workingSpacingMm: number): RegistrationStep | undefined {
  const steps = p.levels.map((level, k) => {
    const step = attentionStep(level.window, p);
    const labelled: RegistrationStep = async (pair, current, context) => {
      const result = await step(pair, current, context);
      context.report(1, { message: `${level.window === 'global' ? 'global' : `window ±${level.window}`} at ${(workingSpacingMm * level.downsample).toFixed(1)} mm` });
      return result;
    };
    return atResolution(labelled, level.downsample, `attention level ${k + 1}`);
  });
  return steps.length ? steps.reduce(twoStep) : undefined;
}
