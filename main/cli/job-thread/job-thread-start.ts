// Starting the CLI's job thread. A job thread spends about 0.3 s loading tfjs, itk-wasm and the
// engine before it can work, and the main thread as long loading the command line's own
// modules; started as soon as the command is known (cli.ts), the two loads overlap instead of
// following each other. The job itself is sent later, once the command line is parsed.

import { Worker } from 'node:worker_threads';

/** The commands whose work runs on a job thread: worth starting one before parsing anything else. */
export const jobThreadCommands: ReadonlySet<string> = new Set(['info', 'register', 'warp', 'jacobian', 'train', 'points', 'match', 'models', 'evaluate-model']);

/** A worker whose output is read and dropped (shown on stderr with XIMORPH_DEBUG=1): libraries print. */
function quietWorker(url: URL, workerData: unknown): Worker {
  const worker = new Worker(url, { workerData, stdout: true, stderr: true });
  const debug = Boolean(process.env.XIMORPH_DEBUG);
  for (const stream of [worker.stdout, worker.stderr]) {
    if (debug) stream.pipe(process.stderr);
    else stream.resume();
  }
  return worker;
}

export class JobThread {
  readonly worker: Worker;
  /** One Int32: 1 once the main thread asks the job to stop. */
  readonly cancelFlag = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  #failed = false;

  constructor() {
    this.worker = quietWorker(new URL('./cli-job.js', import.meta.url), { cancelFlag: this.cancelFlag });
    // Until a job takes the thread, nobody else listens: a thread that failed to start is
    // remembered (and replaced by a fresh one), never an unhandled 'error'.
    const failed = () => (this.#failed = true);
    this.worker.once('error', failed);
    this.worker.once('exit', failed);
  }

  /** Whether the thread is still alive and waiting for its job. */
  get usable(): boolean {
    return !this.#failed;
  }
}
