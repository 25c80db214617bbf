// A kernel thread (kernel-pool.ts): waits on its flag, takes a task off its port, runs its
// chunks while any are left and says so. Built as its own entry (dist/main/kernel-worker.js).

import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { KernelWorkerData, WorkerMessage } from './kernel-pool';
import { BUSY, FAILED, IDLE, WORKING } from './kernel-pool';
import { runChunks } from './pool-tasks';

const { port, flags, posts, index } = workerData as KernelWorkerData;

// Loaded: from now on the pool hands this thread tasks (its flag was STARTING).
Atomics.store(flags, index, IDLE);

/**
 * The message of post number `post`, dropping older ones (posts taken back). It was sent before
 * the flag turned BUSY, so it is on the port by now; the wait only guards that assumption.
 */
function message(post: number): WorkerMessage {
  for (const end = performance.now() + 1000; performance.now() < end; ) {
    const received = receiveMessageOnPort(port)?.message as WorkerMessage | undefined;
    if (received?.post === post) return received;
  }
  throw new Error(`post ${post} did not arrive`);
}

for (;;) {
  Atomics.wait(flags, index, IDLE);
  // Claimed, or taken back by a caller that ran every chunk itself: then wait for the next post.
  if (Atomics.compareExchange(flags, index, BUSY, WORKING) !== BUSY) continue;
  try {
    const { task, deal, stop } = message(Atomics.load(posts, index));
    if (stop) break;
    runChunks(task!, deal!);
    Atomics.store(flags, index, IDLE);
  } catch (error) {
    port.postMessage(error instanceof Error ? error.message : String(error));
    Atomics.store(flags, index, FAILED);
  }
  Atomics.notify(flags, index);
}
