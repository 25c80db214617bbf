// The kernel pool hands work only to threads that have started: a call made while its workers
// still load runs on the threads that are ready (here the caller alone), with the same numbers,
// and the workers take part once they are up.

import { afterEach, describe, expect, it } from 'vitest';
import { KernelPool, threadsWithinCores } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import type { PoolTask } from '../../../main/engine/compute/kernel-pool/pool-tasks';

const length = 1 << 18; // four times the least a sum is split for
const chunks = 3;
const parts = new Float32Array(new SharedArrayBuffer(4 * chunks * length));
parts.forEach((_, i) => (parts[i] = (i % 1000) * 0.25));
// The middle part counts only in the middle half of the values, as a scatter's extent says.
const extents = new Int32Array(new SharedArrayBuffer(4 * 2 * chunks));
extents.set([0, length, length / 4, (3 * length) / 4, 0, length]);
const inMiddle = (i: number) => i >= length / 4 && i < (3 * length) / 4;
const expected = Float32Array.from({ length }, (_, i) => parts[i] + (inMiddle(i) ? parts[length + i] : 0) + parts[2 * length + i]);
const sumTask = (out: Float32Array): PoolTask => ({ task: 'sumChunks', parts, chunks, length, extents, out });

let pool: KernelPool | undefined;
afterEach(async () => {
  await pool?.close();
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the kernel thread did not start');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('kernel pool', () => {
  it('runs a call on the threads that are ready while the others start, and the same numbers on all', async () => {
    pool = new KernelPool(2);
    const first = new Float32Array(new SharedArrayBuffer(4 * length));
    pool.run(sumTask(first), length);
    // The call above started the worker; it could not have loaded in the meantime.
    expect(pool.readyThreads).toBe(1);
    expect(first).toEqual(expected);

    await until(() => pool!.readyThreads === 2);
    const second = new Float32Array(new SharedArrayBuffer(4 * length));
    pool.run(sumTask(second), length);
    expect(second).toEqual(expected);
    expect(pool.readyThreads).toBe(2);
  });
});

describe('kernel pool handshake', () => {
  // Calls just big enough to split, thousands in a row: a worker often wakes after the caller has
  // taken every chunk, and its post is taken back; or it claims the next post with a stale one on
  // its port. Every call must still add up right, and none may hang.
  it.each([2, 3])('gives every one of 3000 small calls its right sum on %i threads', async (threads) => {
    pool = new KernelPool(threads);
    pool.start();
    await until(() => pool!.readyThreads === threads);
    const out = new Float32Array(new SharedArrayBuffer(4 * length));
    let wrong = 0;
    for (let call = 0; call < 3000; call++) {
      out.fill(-1);
      pool.run(sumTask(out), length);
      if (out[call % length] !== expected[call % length] || out[length - 1] !== expected[length - 1]) wrong++;
    }
    expect(wrong).toBe(0);
    expect(out).toEqual(expected);
  });
});

describe('threadsWithinCores', () => {
  it('gives every core for 0, and never more threads than cores', () => {
    expect(threadsWithinCores(0, 16)).toBe(16);
    expect(threadsWithinCores(3, 16)).toBe(3);
    expect(threadsWithinCores(1000, 2)).toBe(2);
    expect(threadsWithinCores(1, 2)).toBe(1);
  });
});
