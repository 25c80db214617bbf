// What the CLI's main thread and its job thread say to each other. The main thread only
// parses, prints and listens for signals; the job thread loads, computes and writes. Cancel
// travels as a flag in shared memory, which the job's loops read whatever its event loop is
// doing (the same mechanism as the engine worker's cancel board).

import type { Progress } from '../../../shared/contract/common-schemas';
import type { SerializedError } from '../../../shared/contract/errors';
import type { CliJobName, CliJobs } from './cli-jobs';

/** What the job thread is started with, before its job is known. */
export interface JobThreadData {
  /** One Int32: 1 once the main thread asks the job to stop. */
  readonly cancelFlag: SharedArrayBuffer;
}

/** The one message the job thread receives: its job. */
export interface JobRequest<J extends CliJobName = CliJobName> {
  readonly job: J;
  readonly input: Parameters<CliJobs[J]>[0];
}

export type JobThreadMessage =
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'done'; readonly output: unknown }
  | { readonly kind: 'failed'; readonly error: SerializedError };
