// Runs one CLI job on a worker thread, so that the main thread stays free to print progress
// and to answer Ctrl-C and SIGTERM at once, whatever the job is computing. A signal raises
// the job's cancel flag; a job that has not stopped by itself shortly after is terminated,
// its half-written files removed, and the command exits 130 — within a second in all.
//
// The job thread's own stdout and stderr are captured, not inherited (job-thread-start.ts):
// libraries that print (ITK's messages through itk-wasm, tfjs's notices) must not mix into our
// output, above all into --json. XIMORPH_DEBUG=1 shows them on stderr.

import type { Worker } from 'node:worker_threads';
import type { Progress } from '../../../shared/contract/common-schemas';
import { cancelledError, deserializeError, EngineError } from '../../../shared/contract/errors';
import type { CliJobName, CliJobs } from './cli-jobs';
import type { JobRequest, JobThreadMessage } from './job-messages';
import { JobThread } from './job-thread-start';

/** How long a cancelled job may take to stop by itself before it is terminated. */
const defaultGraceMs = 250;
/** How long termination may take before we stop waiting for it. */
const terminateMs = 300;

export interface JobThreadOptions {
  onProgress(progress: Progress): void;
  /** Removes what a stopped job may have left half-written (synchronous: we may be exiting). */
  cleanup(): void;
  /**
   * How long a cancelled job may take to stop by itself (default 250 ms). Training takes longer
   * on purpose: it finishes its step and saves a checkpoint; a second signal stops it at once.
   */
  graceMs?: number;
  /** Said once when the first signal arrives and the grace is long. */
  onStopping?(): void;
}

type Output<J extends CliJobName> = Awaited<ReturnType<CliJobs[J]>>;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

let startedEarly: JobThread | undefined;

/** Every job thread not yet known to have ended. */
const liveThreads = new Set<Worker>();

function tracked(thread: JobThread): JobThread {
  liveThreads.add(thread.worker);
  thread.worker.once('exit', () => liveThreads.delete(thread.worker));
  return thread;
}

/** Hands over the job thread cli.ts started before the command line was parsed: the next job runs on it. */
export function adoptJobThread(thread: JobThread): void {
  startedEarly = tracked(thread);
}

/** The thread started early if it is alive, else a new one. */
function takeJobThread(): JobThread {
  const early = startedEarly;
  startedEarly = undefined;
  if (early?.usable) return early;
  if (early) void early.worker.terminate();
  return tracked(new JobThread());
}

/** How long the command waits for its job threads to end before it exits anyway. */
const endWaitMs = 200;

/**
 * Ends the job threads and waits for them, briefly, before the process exits. Exiting while a
 * thread still starts up or runs races Node's teardown of what the threads share: now and then
 * the process then dies of SIGABRT or SIGSEGV instead of exiting with its status
 * (nodejs/node#25007). Seen once here: a command refused before any work (its job thread, started
 * at once, still loading) gave the test suite exit code null.
 */
export async function endJobThreads(): Promise<void> {
  await Promise.race([Promise.all([...liveThreads].map((worker) => worker.terminate())), delay(endWaitMs)]);
}

export function runInJobThread<J extends CliJobName>(job: J, input: Parameters<CliJobs[J]>[0], options: JobThreadOptions): Promise<Output<J>> {
  const { worker, cancelFlag } = takeJobThread();
  const flag = new Int32Array(cancelFlag);
  const request: JobRequest<J> = { job, input };
  worker.postMessage(request);

  return new Promise<Output<J>>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void worker.terminate();
      outcome();
    };
    let stopping = false;
    const stopNow = async () => {
      stopping = true;
      await Promise.race([worker.terminate(), delay(terminateMs)]);
      options.cleanup();
      finish(() => reject(cancelledError()));
    };
    function onSignal() {
      if (Atomics.load(flag, 0) === 1) return void stopNow(); // a second Ctrl-C: no more grace
      Atomics.store(flag, 0, 1);
      options.onStopping?.();
      setTimeout(() => void (settled || stopNow()), options.graceMs ?? defaultGraceMs).unref();
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    worker.on('message', (message: JobThreadMessage) => {
      if (message.kind === 'progress') options.onProgress(message.progress);
      else if (message.kind === 'done') finish(() => resolve(message.output as Output<J>));
      else
        finish(() => {
          if (message.error.code === 'CANCELLED') options.cleanup();
          reject(deserializeError(message.error));
        });
    });
    worker.on('error', (error) => {
      if (process.env.XIMORPH_DEBUG) console.error(error);
      finish(() => reject(new EngineError('FAILED', `internal error: ${error.message.split('\n')[0]}`)));
    });
    worker.on('exit', (code) => {
      if (stopping) return; // terminated on a signal: stopNow reports it
      finish(() => reject(new EngineError('FAILED', `the job stopped unexpectedly (exit code ${code})`)));
    });
  });
}
