// The session record: the UI's state kept in the engine across reloads and tabs. Restoring
// drops what the engine no longer holds (a released image, an evicted result), so that the UI
// never reaches for pixels that are gone.

import type { Handlers } from '../../../shared/rpc/server';
import type { EngineSession } from '../engine-session';

export function sessionRecordHandlers(session: EngineSession): Handlers {
  return {
    'session.record': async ({ record }) => {
      session.record = record;
      return {};
    },
    'session.restore': async () => {
      const record = session.record;
      if (!record) return { record: null, heldJobIds: [] };
      const images = record.images.filter((image) => session.images.has(image.id));
      const heldJobIds = record.jobs.flatMap((job) => (job.jobId && session.registrations.has(job.jobId) ? [job.jobId] : []));
      return { record: { ...record, images }, heldJobIds };
    },
  };
}
