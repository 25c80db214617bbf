// Starting the CLI's job thread. A job thread spends about 0.3 s loading tfjs, itk-wasm and the
// engine before it can work, and the main thread as long loading the command line's own
// modules; started as soon as the command is known (cli.ts), the two loads overlap instead of
// following each other. The job itself is sent later, once the command line is parsed.
//
// `register` gets a second thread for its transform.h5: the HDF5 thread. Loading h5wasm (4 MB
// of JavaScript with its WebAssembly inside, then HDF5's start) held the job thread for some
// 0.2 s when the result was ready, a tenth of a 2D slice's whole command. The HDF5 thread loads
// it at the start instead, once the main thread has loaded its modules and leaves its core idle
// (cli.ts), while the job thread loads and reads the images; the job thread then posts it the
// file to write, or ends it once the fixed image shows a field too large to post (hdf5-thread-
// client.ts). It ends with the job thread at the latest.

import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/** The commands whose work runs on a job thread: worth starting one before parsing anything else. */
export const jobThreadCommands: ReadonlySet<string> = new Set(['info', 'register', 'warp', 'jacobian', 'train', 'points', 'match', 'models', 'evaluate-model']);

/** The `--outputs` words that include a .h5 (register's default set has transform.h5). */
const hdf5Outputs = new Set(['default', 'all', 'transform', 'inverse-transform']);

/** Whether the command line will write a .h5: `register`, unless --outputs leaves them out. */
export function writesHdf5(argv: readonly string[]): boolean {
  if (argv[0] !== 'register') return false;
  const at = argv.findIndex((a) => a === '--outputs' || a.startsWith('--outputs='));
  if (at < 0) return true;
  const value = argv[at].startsWith('--outputs=') ? argv[at].slice('--outputs='.length) : (argv[at + 1] ?? '');
  return value.split(',').some((word) => hdf5Outputs.has(word.trim()));
}

/** A worker whose output is read and dropped (shown on stderr with XIMORPH_DEBUG=1): libraries print. */
function quietWorker(url: URL, workerData: unknown, transferList: MessagePort[]): Worker {
  const worker = new Worker(url, { workerData, transferList, stdout: true, stderr: true });
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
  /** The HDF5 thread's end of its channel to the job thread, until that thread starts. */
  #hdf5Port: MessagePort | undefined;
  #hdf5Thread: Worker | undefined;
  #failed = false;

  /** `hdf5`: give the job thread a channel to an HDF5 thread, started by startHdf5Thread. */
  constructor(options: { hdf5?: boolean } = {}) {
    const channel = options.hdf5 ? new MessageChannel() : undefined;
    this.#hdf5Port = channel?.port1;
    const hdf5Port = channel?.port2;
    this.worker = quietWorker(new URL('./cli-job.js', import.meta.url), { cancelFlag: this.cancelFlag, hdf5Port }, hdf5Port ? [hdf5Port] : []);
    // Until a job takes the thread, nobody else listens: a thread that failed to start is
    // remembered (and replaced by a fresh one), never an unhandled 'error'.
    const failed = () => (this.#failed = true);
    this.worker.once('error', failed);
    this.worker.once('exit', failed);
    this.worker.once('exit', () => void this.#hdf5Thread?.terminate());
  }

  /** Whether the thread is still alive and waiting for its job. */
  get usable(): boolean {
    return !this.#failed;
  }

  /** Starts the HDF5 thread, where the job thread was given a channel to one. */
  startHdf5Thread(): void {
    const port = this.#hdf5Port;
    if (!port || this.#failed) return;
    this.#hdf5Port = undefined;
    const thread = quietWorker(new URL('./cli-hdf5.js', import.meta.url), { port }, [port]);
    // A thread that fails closes its port; the job thread then writes the file itself.
    thread.on('error', () => undefined);
    this.#hdf5Thread = thread;
  }

  /** The threads to end before the process exits: the job thread and its HDF5 thread. */
  get threads(): Worker[] {
    return this.#hdf5Thread ? [this.worker, this.#hdf5Thread] : [this.worker];
  }
}
