// Picks the featurizer named by the parameters. Learned featurizers load from a model file in a
// later issue; until then naming one is a clear, specific error rather than a silent fallback.

import { EngineError } from '../../../../shared/contract/errors';
import type { FeaturizerParameters } from '../parameters';
import type { Featurizer } from './featurizer';
import { MindSscFeaturizer } from './mind-ssc';

export function createFeaturizer(p: FeaturizerParameters, dimension: number): Featurizer {
  if (p.model === 'mind-ssc') return new MindSscFeaturizer(dimension, p.mindRadius, p.mindDilation);
  throw new EngineError('UNSUPPORTED', `learned featurizer models are not supported yet (asked for "${p.model}"); use "mind-ssc"`);
}
