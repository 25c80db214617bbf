// The image channels. Loading reads through the IO layer, keeps the image in the session's
// store for later registrations, and hands the renderer its own copy of the pixels.
// `owner` is the client connection: it may load only the uploads it sent.

import type { Handlers } from '../../../shared/rpc/server';
import type { LoadableImageSource } from '../../engine/io/index';
import { describeImageFile, listDicomSeries, loadImageSource } from '../../engine/io/index';
import type { EngineSession } from '../engine-session';
import { resolveSampleSource } from '../../engine/samples/sample-library';

export function imageHandlers(session: EngineSession, owner: object): Handlers {
  return {
    'image.load': async ({ source, role, volumeIndex }, context) => {
      const load = (loadable: LoadableImageSource) => loadImageSource(loadable, { role, volumeIndex }, context);
      if (source.kind === 'upload') {
        const { image, info } = await session.uploads.consume(source.uploadId, owner, (upload) => load({ kind: 'staged', upload, seriesUid: source.seriesUid }));
        const stored = session.images.add(info, image);
        return { info: stored.info, pixels: image.pixels };
      }
      const onDisk = source.kind === 'sample' ? await resolveSampleSource(source, session.directories.cache, context, () => session.backend()) : source;
      const { image, info } = await load(onDisk);
      if (source.kind === 'path') await session.recentFiles.add(source.path).catch(() => undefined);
      // How the command line names it again (an upload has no name there).
      const origin = onDisk.kind === 'path' ? { path: onDisk.path, volume: volumeIndex } : { path: onDisk.folder, series: onDisk.seriesUid, volume: volumeIndex };
      const stored = session.images.add(info, image, origin);
      return { info: stored.info, pixels: image.pixels };
    },
    'image.describe': async ({ path }) => ({ info: await describeImageFile(path) }),
    'image.listDicomSeries': async ({ folder }, context) => ({ folder, series: await listDicomSeries(folder, context) }),
    'image.fetch': async ({ id }) => {
      const { info, image } = session.images.get(id);
      return { info, pixels: image.pixels };
    },
    'image.release': async ({ id }) => {
      session.images.release(id);
      session.features.release(id);
      return {};
    },
  };
}
