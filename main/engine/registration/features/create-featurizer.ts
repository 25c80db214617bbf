// Picks the featurizer named by the parameters: 'mind-ssc' (training-free, the default),
// 'intensity' (a baseline), or a trained model — a name from the model registry or a model
// folder's path — checked against the images' dimension.

import path from 'node:path';
import { EngineError } from '../../../../shared/contract/errors';
import { appDirectories } from '../../session/app-directories';
import { readModelFolder } from '../../training/model-files';
import { ModelRegistry } from '../../training/model-registry';
import type { FeaturizerParameters } from '../parameters';
import type { Featurizer } from './featurizer';
import { IntensityFeaturizer } from './intensity-featurizer';
import { LearnedFeaturizer } from './learned-featurizer';
import { MindSscFeaturizer } from './mind-ssc';

export function userModels(): ModelRegistry {
  return new ModelRegistry(path.join(appDirectories().data, 'models'));
}

export async function createFeaturizer(p: FeaturizerParameters, dimension: number, registry: ModelRegistry = userModels()): Promise<Featurizer> {
  if (p.model === 'mind-ssc') return new MindSscFeaturizer(dimension, p.mindRadius, p.mindDilation);
  if (p.model === 'intensity') return new IntensityFeaturizer();
  const folder = await registry.resolve(p.model);
  const model = await readModelFolder(folder);
  if (model.spec.dimension !== dimension)
    throw new EngineError('BAD_INPUT', `${p.model}: a ${model.spec.dimension}D model cannot featurize ${dimension}D images; choose a ${dimension}D model`, { file: folder });
  return new LearnedFeaturizer(model, path.basename(folder));
}
