// The upload channels: files dropped on the UI, received chunk by chunk into the session's
// staging folders. `owner` is the client connection that sends them; its uploads go with it.

import type { Handlers } from '../../../shared/rpc/server';
import type { EngineSession } from '../engine-session';

export function uploadHandlers(session: EngineSession, owner: object): Handlers {
  return {
    'upload.begin': async ({ files }) => ({ uploadId: await session.uploads.begin(files, owner) }),
    'upload.chunk': async ({ uploadId, file, offset, bytes }) => {
      await session.uploads.write(uploadId, owner, file, offset, bytes);
      return {};
    },
    'upload.discard': async ({ uploadId }) => {
      await session.uploads.discard(uploadId, owner);
      return {};
    },
  };
}
