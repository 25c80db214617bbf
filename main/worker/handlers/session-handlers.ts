// The session channels: what engine runs, what to open at startup, and files to browse.

import type { Handlers } from '../../../shared/rpc/server';
import { documentsFolder, listDirectory } from '../../engine/session/file-browser';
import { availableSamples } from '../../engine/samples/sample-library';
import type { EngineSession } from '../engine-session';

export function sessionHandlers(session: EngineSession): Handlers {
  return {
    'engine.describe': async () => ({
      version: session.version,
      backend: await session.backend(),
      samples: availableSamples(),
    }),
    'session.startup': async () => ({ sources: session.startupSources, documentsFolder: documentsFolder() }),
    'files.list': async ({ directory }) => listDirectory(directory),
    'files.recent': async () => ({ paths: await session.recentFiles.list() }),
  };
}
