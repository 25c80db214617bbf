// A kernel thread (kernel-pool.ts): waits on its flag, takes a task off its port, runs its
// chunks while any are left and says so. Built as its own entry (dist/main/kernel-worker.js).

import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { KernelWorkerData, WorkerMessage } from './kernel-pool';
import { FAILED, IDLE } from './kernel-pool';
import { runChunks } from './pool-tasks';

const { port, flags, index } = workerData as KernelWorkerData;

// Loaded: from now on the pool hands this thread tasks (its flag was STARTING).
Atomics.store(flags, index, IDLE);

for (;;) {
  Atomics.wait(flags, index, IDLE);
  const message = receiveMessageOnPort(port)?.message as WorkerMessage | undefined;
  if (!message || message.stop) break;
  try {
    runChunks(message.task!, message.deal!);
    Atomics.store(flags, index, IDLE);
  } catch (error) {
    port.postMessage(error instanceof Error ? error.message : String(error));
    Atomics.store(flags, index, FAILED);
  }
  Atomics.notify(flags, index);
}
