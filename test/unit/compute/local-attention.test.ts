import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { kernelPool, setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { compositeLocalAttention, localAttention } from '../../../main/engine/compute/local-attention';

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`localAttention on ${backend}`, () => {
    for (const spatial of [[9, 8], [5, 6, 7]]) {
      it(`matches the composite in value and gradient in ${spatial.length}D`, async () => {
        await selectComputeBackend(backend);
        const before = tf.memory().numTensors;
        const q = tf.randomNormal([...spatial, 4], 0, 1, 'float32', 1);
        const k = tf.randomNormal([...spatial, 4], 0, 1, 'float32', 2);
        const v = tf.randomNormal([...spatial, 3], 0, 1, 'float32', 3);
        const kernel = localAttention(q, k, v, 1);
        const composite = compositeLocalAttention(q, k, v, 1);
        expect(maxDifference(kernel.values, composite.values)).toBeLessThan(1e-4);
        expect(maxDifference(kernel.variance, composite.variance)).toBeLessThan(1e-4);
        const weights = tf.randomNormal([...spatial, 3], 0, 1, 'float32', 4);
        const loss = (impl: 'auto' | 'composite') => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          const r = localAttention(a, b, c, 1, { implementation: impl });
          return tf.add(tf.sum(tf.mul(r.values, weights)), tf.sum(r.variance));
        };
        const g1 = tf.grads(loss('auto'))([q, k, v]);
        const g2 = tf.grads(loss('composite'))([q, k, v]);
        g1.forEach((g, i) => expect(maxDifference(g, g2[i])).toBeLessThan(1e-3));
        tf.dispose([q, k, v, weights, kernel.values, kernel.variance, composite.values, composite.variance, ...g1, ...g2]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('sends each point to its match when the keys are a shifted copy of the queries', async () => {
      await selectComputeBackend(backend);
      // Random features shifted by one voxel in x: the attended coordinate is x + 1.
      const q = tf.mul(tf.randomNormal([12, 12, 6], 0, 1, 'float32', 9), 4);
      const k = tf.concat([tf.slice(q, [0, 1, 0], [12, 11, 6]), tf.zeros([12, 1, 6])], 1); // k(x) = q(x + 1)
      const xs = tf.tile(tf.reshape(tf.range(0, 12), [1, 12, 1]), [12, 1, 1]);
      const r = localAttention(k, q, xs, 2); // queries k at x match keys q at x + 1
      const inner = tf.slice(tf.sub(r.values, xs), [2, 2, 0], [8, 8, 1]);
      expect(tf.mean(tf.abs(tf.sub(inner, 1))).dataSync()[0]).toBeLessThan(0.02);
      tf.dispose([q, k, xs, r.values, r.variance, inner]);
    });
  });
}

describe('localAttention on the kernel threads', () => {
  afterAll(() => setKernelThreads(0));

  // Enough query voxels that the three threads each take a share (a 2D query reads fewer keys,
  // and a 2D image is split only from 65 536 queries a thread), and odd grids so that the shares
  // start mid-row and mid-slice.
  it.each([
    [13, 17, 19],
    [443, 449],
  ])('gives the same values and variances, to the bit, on 1 and 3 threads, masked or not (%i × %i …)', async (...spatial) => {
    await selectComputeBackend('wasm');
    const q = tf.randomNormal([...spatial, 5], 0, 1, 'float32', 11);
    const k = tf.randomNormal([...spatial, 5], 0, 1, 'float32', 12);
    const v = tf.randomNormal([...spatial, 3], 0, 1, 'float32', 13);
    const mask = tf.cast(tf.greater(tf.randomUniform(spatial, 0, 1, 'float32', 14), 0.3), 'float32');
    const at = async (threads: number, queryMask?: tf.Tensor) => {
      setKernelThreads(threads);
      // The workers loaded, or the call would run on the threads that are ready (this one alone).
      kernelPool().start();
      for (const started = Date.now(); kernelPool().readyThreads < threads; await new Promise((resolve) => setTimeout(resolve, 10)))
        if (Date.now() - started > 30_000) throw new Error('the kernel threads did not start');
      const r = localAttention(q, k, v, 2, { queryMask });
      const out = [r.values.dataSync().slice(), r.variance.dataSync().slice()];
      tf.dispose([r.values, r.variance]);
      return out;
    };
    for (const queryMask of [undefined, mask]) {
      const [values1, variance1] = await at(1, queryMask);
      const [values3, variance3] = await at(3, queryMask);
      expect(Buffer.from(values3.buffer).equals(Buffer.from(values1.buffer))).toBe(true);
      expect(Buffer.from(variance3.buffer).equals(Buffer.from(variance1.buffer))).toBe(true);
      expect(values1.some((x) => x !== 0)).toBe(true);
    }
    tf.dispose([q, k, v, mask]);
  });
});
