// What the CLI's main thread and its job thread say to each other. The main thread only
// parses, prints and listens for signals; the job thread loads, computes and writes. Cancel
// travels as a flag in shared memory, which the job's loops read whatever its event loop is
// doing (the same mechanism as the engine worker's cancel board).

import type { MessagePort } from 'node:worker_threads';
import type { Transform as ItkTransform } from 'itk-wasm';
import type { Progress } from '../../../shared/contract/common-schemas';
import type { SerializedError } from '../../../shared/contract/errors';
import type { CliJobName, CliJobs } from './cli-jobs';

/** What the job thread is started with, before its job is known. */
export interface JobThreadData {
  /** One Int32: 1 once the main thread asks the job to stop. */
  readonly cancelFlag: SharedArrayBuffer;
  /** Where the job's .h5 files go: the HDF5 thread (job-thread-start.ts), when one is started. */
  readonly hdf5Port?: MessagePort;
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

/** What the HDF5 thread is started with: its end of the job thread's channel. */
export interface Hdf5ThreadData {
  readonly port: MessagePort;
}

/** A .h5 file for the HDF5 thread to write, and its answer (an error's message, if it failed). */
export interface Hdf5WriteRequest {
  readonly id: number;
  readonly list: readonly ItkTransform[];
  readonly target: string;
}

export interface Hdf5WriteReply {
  readonly id: number;
  readonly error?: string;
}
