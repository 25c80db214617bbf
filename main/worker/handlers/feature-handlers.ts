// The feature views' channels: principal components of an image's features as colours.

import type { Handlers } from '../../../shared/rpc/server';
import { pcaBasis, pcaSlice } from '../../engine/inspection/feature-pca';
import type { EngineSession } from '../engine-session';

export function featureHandlers(session: EngineSession): Handlers {
  return {
    'features.pcaSlice': async ({ imageId, model, axis, index }) => {
      const stored = session.images.get(imageId);
      const { map, derive } = await session.features.get(imageId, stored.image, model);
      const basis = derive('pca', () => pcaBasis(map));
      const along = axis === 'axial' || map.grid.size.length === 2 ? 2 : axis === 'coronal' ? 1 : 0;
      const slices = map.grid.size[along] ?? 1;
      const chosen = Math.min(index ?? Math.floor(slices / 2), slices - 1);
      const slice = pcaSlice(map, basis, axis, chosen);
      return { ...slice, index: chosen, slices, featurizer: map.featurizer };
    },
  };
}
