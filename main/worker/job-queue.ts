// Compute jobs run one at a time: tfjs's backend is a single engine, and two registrations
// sharing it would only both go slower. A queued job says so in its progress, and can be
// cancelled before it starts (it then gives up its turn without running).

import { cancelledError } from '../../shared/contract/errors';
import type { JobContext } from '../engine/job-context';

export class JobQueue {
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;

  get length(): number {
    return this.#queued;
  }

  run<T>(context: JobContext, job: (context: JobContext) => Promise<T>): Promise<T> {
    const ahead = this.#queued;
    this.#queued++;
    if (ahead > 0) context.progress({ stage: 'queued', fraction: 0, message: `waiting for ${ahead} job${ahead > 1 ? 's' : ''} to finish` });
    return new Promise<T>((resolve, reject) => {
      const stopListening = context.token.onCancellationRequested(() => reject(cancelledError()));
      // The next job waits for this turn to end, whether it ran, failed or was skipped.
      this.#tail = this.#tail.then(async () => {
        stopListening();
        try {
          if (context.token.isCancellationRequested) throw cancelledError();
          resolve(await job(context));
        } catch (error) {
          reject(error);
        } finally {
          this.#queued--;
        }
      });
    });
  }
}
