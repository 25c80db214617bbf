// A pool of kernel threads for the loops that read large images at many points: every core on
// the same call, synchronously. A kernel is called from inside a tfjs op or a step of the
// optimizer, which cannot wait for a promise, so the calling thread wakes the workers, works on
// the task itself, then blocks (Atomics.wait) until the others are done: microseconds of
// overhead, against milliseconds of work per call.
//
// The work is dealt in chunks, taken one at a time from a shared counter by whichever thread is
// free, not split into equal parts up front. Cores are not equally fast: on this project's
// 2-core virtual machines a random-read loop pinned to one core or the other took 1.16 against
// 2.2 s, and an hour later 1.2 against 1.4 s, the slow one now the other core (the host's other
// load, presumably; a compute-only loop ran alike on both). A loaded workstation or a laptop's
// efficiency cores do the same. With equal parts the fast thread waits for the slow one; with
// chunks it takes more of them. Points are independent, so which thread computes a chunk changes
// no value.
//
// Handshake, per worker, through one Int32 flag on a SharedArrayBuffer: the caller posts the
// task on the worker's port, numbered, sets the flag to BUSY and wakes it; the worker claims it
// (BUSY → WORKING), takes the post of that number off its port synchronously
// (receiveMessageOnPort), takes chunks until none is left, and sets the flag back to IDLE, or to
// FAILED with the message on its port. A caller that has taken every chunk before the worker
// claimed the task takes the post back (BUSY → IDLE); the worker, woken, finds its claim
// refused, and drops the stale message at its next post. The images and outputs are
// SharedArrayBuffers, so posting a task copies no pixels.
//
// A worker's flag starts at STARTING and the worker sets it to IDLE once it has loaded; only
// IDLE workers are given a task. A Node thread takes some 60–90 ms to start: the first split
// call waited that long for a worker that then found every chunk taken (a 2D slice's second
// attention level took 0.09–0.10 s on two threads against 0.04 s on one). Now the calls made
// while the workers start run on the threads that are ready, and the others join later calls.

import os from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { PoolTask } from './pool-tasks';
import { minimumPerThread, runChunks, runTaskRange } from './pool-tasks';
import { SharedScratch, sharedFloats } from './shared-scratch';

/** A worker's flag: waiting for work, working, or failed (its message on its port). */
export const IDLE = 0;
export const BUSY = 1;
export const FAILED = 2;
export const STARTING = 3;
/** Took the posted task (from BUSY): the caller now waits for it to finish. */
export const WORKING = 4;
/**
 * Below this many points per thread, handing out work costs more than it saves. A 3D sample
 * reads eight corners, mostly cache misses in a volume of tens of megabytes; a 2D one reads four,
 * from an image that stays in cache, some ten times faster. Measured on the bench's 2D slice pair
 * (30 000 points a sample): split over two threads, the whole `register` took 0.3 s longer.
 */
const MIN_POINTS_PER_THREAD_2D = 65_536;
const MIN_POINTS_PER_THREAD_3D = 2048;
/** A worker silent this long has died (a range takes milliseconds). */
const ANSWER_TIMEOUT_MS = 60_000;

/** How many chunks each thread's share is cut into: enough to even out a 2:1 speed gap. */
const CHUNKS_PER_THREAD = 8;

/** A task to run on its chunks, or the word to stop. */
export interface WorkerMessage {
  /** Which post this is (KernelWorkerData's `posts`): a post taken back leaves a stale message. */
  readonly post: number;
  readonly task?: PoolTask;
  readonly deal?: ChunkDeal;
  readonly stop?: true;
}

/** Units [0, count) in chunks of `chunk`, the next one's number at `next[0]`. */
export interface ChunkDeal {
  readonly count: number;
  readonly chunk: number;
  readonly next: Int32Array;
}

export interface KernelWorkerData {
  readonly port: MessagePort;
  readonly flags: Int32Array;
  /** Each worker's latest post's number, set before its flag turns BUSY. */
  readonly posts: Int32Array;
  readonly index: number;
}

/** The built entry beside the bundle; from the sources (tests, scripts), the TypeScript file through tsx. */
function workerSource(): { url: URL; execArgv: string[] } {
  const fromSources = import.meta.url.endsWith('.ts');
  return fromSources
    ? { url: new URL('./kernel-pool-worker.ts', import.meta.url), execArgv: ['--import', 'tsx'] }
    : { url: new URL('./kernel-worker.js', import.meta.url), execArgv: [] };
}

export class KernelPool {
  readonly #workers: { worker: Worker; port: MessagePort }[] = [];
  readonly #flags: Int32Array;
  readonly #posts: Int32Array;
  /** The next chunk's number in the current run (one run at a time). */
  readonly #next = new Int32Array(new SharedArrayBuffer(4));

  /** `threads` counts the calling thread: 1 runs everything inline. */
  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`the kernel pool needs a whole number of threads ≥ 1, got ${threads}`);
    this.#flags = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads - 1)));
    this.#posts = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads - 1)));
  }

  /**
   * The worker threads, started by the first task that is split at all: a registration whose
   * work is all too small to split never pays for starting them (a 2D slice starts them at its
   * second attention level, and runs on without them until they are up).
   */
  #started(): { worker: Worker; port: MessagePort }[] {
    if (this.#workers.length > 0 || this.threads === 1) return this.#workers;
    const source = workerSource();
    for (let index = 0; index < this.threads - 1; index++) {
      Atomics.store(this.#flags, index, STARTING);
      const { port1, port2 } = new MessageChannel();
      const workerData: KernelWorkerData = { port: port2, flags: this.#flags, posts: this.#posts, index };
      const worker = new Worker(source.url, { workerData, transferList: [port2], execArgv: source.execArgv, name: `ximorph-kernel-${index + 1}` });
      // Idle workers block in Atomics.wait; they must not keep the process alive.
      worker.unref();
      this.#workers.push({ worker, port: port1 });
    }
    return this.#workers;
  }

  /** Starts the worker threads now rather than at the first call that splits. */
  start(): void {
    this.#started();
  }

  /** Runs `task` on points (or chunks) [0, count), split over the threads; returns when all are done. */
  run(task: PoolTask, count: number): void {
    const minimum = minimumPerThread(task, MIN_POINTS_PER_THREAD_3D, MIN_POINTS_PER_THREAD_2D);
    const wanted = Math.min(this.threads, Math.max(1, Math.floor(count / minimum)));
    const helpers = wanted > 1 ? this.#ready(wanted - 1) : [];
    const parts = 1 + helpers.length;
    const chunk = parts === 1 ? count : Math.max(Math.ceil(count / (parts * CHUNKS_PER_THREAD)), Math.ceil(minimum / CHUNKS_PER_THREAD));
    const deal: ChunkDeal = { count, chunk, next: this.#next };
    Atomics.store(this.#next, 0, 0);
    for (const index of helpers) {
      this.#post(index, { task, deal });
    }
    let failure: unknown;
    try {
      runChunks(task, deal);
    } catch (error) {
      failure = error;
      // The workers take what is left and stop sooner.
      Atomics.store(this.#next, 0, Math.ceil(count / chunk));
    }
    // Every chunk is taken. A worker that has not woken yet would only wake to find none left:
    // its post is taken back (BUSY → IDLE) rather than waited for. On this project's 2-core
    // machines a worker asleep took 0.1–0.7 ms to wake, and in about one call in six of the 1 mm
    // brain's (565–650 of 3 500, two runs) the caller had taken every chunk first. Every worker that did take
    // the task is waited for, even after a failure here: none may still write the output.
    for (const index of helpers) {
      if (Atomics.compareExchange(this.#flags, index, BUSY, IDLE) === BUSY) continue;
      const problem = this.#await(index);
      failure ??= problem;
    }
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  }

  /** The threads a split run would use now: this one, and the workers that have started. */
  get readyThreads(): number {
    return 1 + this.#workers.filter((_, index) => Atomics.load(this.#flags, index) === IDLE).length;
  }

  /** Up to `most` workers that have started and wait for work (the workers are started if need be). */
  #ready(most: number): number[] {
    const workers = this.#started();
    const ready: number[] = [];
    for (let index = 0; index < workers.length && ready.length < most; index++) if (Atomics.load(this.#flags, index) === IDLE) ready.push(index);
    return ready;
  }

  /** Posts `message` to worker `index`, numbered, and wakes it. */
  #post(index: number, message: Omit<WorkerMessage, 'post'>): void {
    const post = Atomics.add(this.#posts, index, 1) + 1;
    this.#workers[index].port.postMessage({ ...message, post } satisfies WorkerMessage);
    Atomics.store(this.#flags, index, BUSY);
    Atomics.notify(this.#flags, index);
  }

  #await(index: number): Error | undefined {
    for (let flag = Atomics.load(this.#flags, index); flag === BUSY || flag === WORKING; flag = Atomics.load(this.#flags, index))
      if (Atomics.wait(this.#flags, index, flag, ANSWER_TIMEOUT_MS) === 'timed-out') return new Error(`kernel thread ${index + 1} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
    if (Atomics.load(this.#flags, index) !== FAILED) return undefined;
    Atomics.store(this.#flags, index, IDLE);
    const message = receiveMessageOnPort(this.#workers[index].port)?.message;
    return new Error(`kernel thread ${index + 1}: ${typeof message === 'string' ? message : 'failed'}`);
  }

  /** Asks every worker to stop (between runs: none is busy), then ends its thread. */
  async close(): Promise<void> {
    this.#workers.forEach((_, index) => this.#post(index, { stop: true }));
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
    this.#workers.length = 0;
  }
}

let configuredThreads = 0;
let pool: KernelPool | undefined;

/** Every core unless told otherwise. */
export function defaultKernelThreads(): number {
  return os.availableParallelism();
}

/**
 * The kernel threads for a registration that asked for `asked` (0: every core): never more than
 * the cores. Threads beyond them only take turns, and each is a V8 isolate of its own: on this
 * project's 2-core machines `--threads 32` took 10.0 s and 672 MB against 5.2 s and 268 MB for
 * a 3 mm brain, and `--threads 1000` grew to 12 GB and took 14 s to stop.
 */
export function threadsWithinCores(asked: number, cores = defaultKernelThreads()): number {
  return asked === 0 ? cores : Math.min(asked, cores);
}

/** The threads the kernels run on: the configured count, or every core. */
export function kernelThreadCount(): number {
  return configuredThreads || defaultKernelThreads();
}

/** Sets the kernel threads for what follows (0: every core). Results do not depend on it. */
export function setKernelThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`threads must be a whole number ≥ 0 (0: every core), got ${threads}`);
  configuredThreads = threads;
  if (pool && pool.threads !== kernelThreadCount()) {
    void pool.close();
    pool = undefined;
  }
}

/**
 * Ends the kernel threads; the next kernel call starts them again. A thread that only waits and
 * computes hardly ever collects garbage, so the shared images it was sent stay alive in it:
 * ending it when a stage is done with them frees them (the optimizer's signals are 56 MB on the
 * 1 mm brain, otherwise held through the outputs).
 */
export async function closeKernelPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  for (const scratch of poolScratches) scratch.release();
  await closing?.close();
}

const poolScratches = new Set<SharedScratch>();

/**
 * Shared memory that a kernel reuses from call to call while the pool lives, and lets go when
 * it closes, with the threads' references to it (MIND-SSC's arrays: the fixed and the moving
 * image's features use the same ones, and the registration's optimizer does not hold them).
 */
export function poolScratch(): SharedScratch {
  const scratch = new SharedScratch();
  poolScratches.add(scratch);
  return scratch;
}

/**
 * Starts the kernel threads, where there are to be any, ahead of the work on an image of `size`:
 * a thread takes some 60–90 ms to load, and the calls made meanwhile run without it. (On the
 * 1 mm brain and two threads, the first call that split was the second attention level's: it
 * took 0.10–0.25 s over seven runs, 0.11–0.14 s over three with the threads started with the
 * registration.) A 2D image under two threads' least share of points has no call that splits,
 * and a thread loading on the other core slowed the bench's slice (221 × 257) by 0.1 s in
 * stages that do not split: its threads are not started.
 */
export function startKernelThreads(size: readonly number[]): void {
  const points = size.reduce((product, n) => product * n, 1);
  const splits = size.length === 3 || points >= 2 * MIN_POINTS_PER_THREAD_2D;
  if (kernelThreadCount() > 1 && splits) kernelPool().start();
}

/** An array the kernel threads can work on: in shared memory where there are threads. */
export function poolFloats(length: number): Float32Array {
  return kernelThreadCount() > 1 ? sharedFloats(length) : new Float32Array(length);
}

/** A copy of `values` the kernel threads can work on (poolFloats). */
export function pooledCopy(values: ArrayLike<number>): Float32Array {
  const copy = poolFloats(values.length);
  copy.set(values);
  return copy;
}

/**
 * Runs `task` on [0, count): split over the kernel threads where there are some and every one
 * of `arrays` (those it reads or writes) is in shared memory, else here. A plain array posted to
 * a thread arrives as a copy, and what the thread wrote into it would be lost.
 */
export function runWhereShared(task: PoolTask, count: number, arrays: readonly (Float32Array | Float64Array | undefined)[]): void {
  const shared = arrays.every((a) => a === undefined || a.buffer instanceof SharedArrayBuffer);
  if (shared && kernelThreadCount() > 1) kernelPool().run(task, count);
  else runTaskRange(task, 0, count);
}

/** The process's pool, started on first use with the configured thread count. */
export function kernelPool(): KernelPool {
  pool ??= new KernelPool(kernelThreadCount());
  return pool;
}
