// The image channels. Loading reads through the IO layer, keeps the image in the session's
// store for later registrations, and hands the renderer its own copy of the pixels.

import type { Handlers } from '../../../shared/rpc/server';
import { describeImageFile, listDicomSeries, loadImageSource } from '../../engine/io/index';
import type { EngineSession } from '../engine-session';
import { resolveSampleSource } from '../../engine/samples/sample-library';

export function imageHandlers(session: EngineSession): Handlers {
  return {
    'image.load': async ({ source, role, volumeIndex }, context) => {
      const loadable =
        source.kind === 'sample' ? await resolveSampleSource(source, session.directories.cache, context, () => session.backend()) : source;
      const { image, info } = await loadImageSource(loadable, { role, volumeIndex }, context);
      if (source.kind === 'path') await session.recentFiles.add(source.path).catch(() => undefined);
      const origin =
        loadable.kind === 'path' ? { path: loadable.path, volume: volumeIndex } : loadable.kind === 'dicomSeries' ? { path: loadable.folder, series: loadable.seriesUid, volume: volumeIndex } : undefined;
      const stored = session.images.add(info, image, origin);
      return { info: stored.info, pixels: image.pixels };
    },
    'image.describe': async ({ path }) => ({ info: await describeImageFile(path) }),
    'image.listDicomSeries': async ({ folder }, context) => ({ folder, series: await listDicomSeries(folder, context) }),
    'image.release': async ({ id }) => {
      session.images.release(id);
      return {};
    },
  };
}
