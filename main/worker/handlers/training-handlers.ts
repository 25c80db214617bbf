// The training channels: the defaults the Train panel starts from, a training run (one at a
// time, beside the registration queue: its gradients are computed on threads of their own),
// pausing and resuming it, and the model registry.

import path from 'node:path';
import type { ModelEntryData } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import type { Handlers } from '../../../shared/rpc/server';
import { userModels } from '../../engine/registration/features/create-featurizer';
import type { ModelEntry } from '../../engine/training/model-registry';
import { PauseGate } from '../../engine/training/pause-gate';
import { defaultTrainingRequest } from '../../engine/training/training-defaults';
import { runTrainingJob } from '../../engine/training/training-job';
import type { EngineSession } from '../engine-session';

const entryData = (e: ModelEntry): ModelEntryData => ({ ...e, card: e.card as unknown as Record<string, unknown> | undefined });

export function trainingHandlers(session: EngineSession): Handlers {
  const registry = userModels();
  /** The pause switch of the run going on, if one is. */
  let running: PauseGate | null = null;
  return {
    'training.defaults': async ({ dimension }) => ({ request: { ...defaultTrainingRequest(dimension), out: path.join(registry.userFolder, `model-${dimension}d`) } }),

    'training.run': async (request, context) => {
      if (running) throw new EngineError('FAILED', 'a training run is already going on; cancel it or wait for it to end');
      const pause = (running = new PauseGate());
      try {
        const backend = await session.backend();
        const result = await runTrainingJob(request, { cacheFolder: session.directories.cache, workerUrl: new URL('./training-worker.js', import.meta.url), backend: backend.name, pause }, context);
        return { folder: result.folder, model: result.model, skipped: result.skipped };
      } finally {
        running = null;
      }
    },

    'training.pause': async ({ paused }) => {
      if (!running) throw new EngineError('FAILED', 'no training run is going on');
      running.set(paused);
      return { paused };
    },

    'models.list': async () => ({ models: (await registry.list()).map(entryData) }),
    'models.import': async ({ folder, name }) => ({ model: entryData(await registry.import(folder, name)) }),
    'models.delete': async ({ name }) => {
      await registry.delete(name);
      return {};
    },
  };
}
