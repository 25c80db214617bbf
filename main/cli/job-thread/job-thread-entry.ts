// The CLI's job thread: loads the engine, waits for its one job (from run-job-thread.ts), runs
// it from cli-jobs.ts and reports back. Built as its own entry (dist/main/cli-job.js) and
// started by job-thread-start.ts, as early as the command is known.

import { parentPort, workerData } from 'node:worker_threads';
import { cancelledError, EngineError, serializeError } from '../../../shared/contract/errors';
import type { CancellationToken } from '../../../shared/rpc/cancellation';
import type { JobContext } from '../../engine/job-context';
import { cliJobs } from './cli-jobs';
import type { JobRequest, JobThreadData, JobThreadMessage } from './job-messages';

if (!parentPort) throw new Error('the CLI job thread must run as a worker thread');
const port = parentPort;
const data = workerData as JobThreadData;
const flag = new Int32Array(data.cancelFlag);

const token: CancellationToken = {
  get isCancellationRequested() {
    return Atomics.load(flag, 0) === 1;
  },
  onCancellationRequested: () => () => {},
};
const post = (message: JobThreadMessage) => port.postMessage(message);
const context: JobContext = { token, progress: (progress) => post({ kind: 'progress', progress }) };

port.once('message', (request: JobRequest) => {
  const run = cliJobs[request.job] as (input: unknown, context: JobContext) => Promise<unknown>;
  run(request.input, context).then(
    (output) => post({ kind: 'done', output }),
    (error: unknown) => {
      // Whatever a cancelled job was doing when it noticed, it stopped because it was asked to.
      const reported = token.isCancellationRequested ? cancelledError() : error;
      if (!(reported instanceof EngineError)) console.error('ximorph job:', error);
      post({ kind: 'failed', error: serializeError(reported) });
    },
  );
});
