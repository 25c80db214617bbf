// MIND-SSC split over the kernel threads (by planes of its diagonal images, by voxels for its
// channels): the same features, to the bit, as on one thread, and the definition's.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { kernelPool, setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { MindSscFeaturizer } from '../../../main/engine/registration/features/mind-ssc';

describe('MIND-SSC on the kernel threads', () => {
  afterAll(() => setKernelThreads(0));

  it('gives the features of one thread, to the bit, on three, and the composite’s', async () => {
    await selectComputeBackend('wasm');
    // Odd sizes, and enough planes and voxels that each step splits three ways.
    const size = [41, 44, 37];
    const grid = { size, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const image = tf.randomUniform([...size].reverse().concat(1), 0, 1, 'float32', 7);
    const featuresOn = async (threads: number) => {
      setKernelThreads(threads);
      // The workers loaded, or the steps would run on the threads that are ready (this one alone).
      kernelPool().start();
      for (const started = Date.now(); kernelPool().readyThreads < threads; await new Promise((resolve) => setTimeout(resolve, 10)))
        if (Date.now() - started > 30_000) throw new Error('the kernel threads did not start');
      const features = new MindSscFeaturizer(3, 1, 2).featurize(image, grid);
      const values = features.dataSync().slice();
      features.dispose();
      return values;
    };
    const one = await featuresOn(1);
    const three = await featuresOn(3);
    expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    const composite = new MindSscFeaturizer(3, 1, 2, 'composite').featurize(image, grid);
    const definition = composite.dataSync();
    let worst = 0;
    for (let i = 0; i < definition.length; i++) worst = Math.max(worst, Math.abs(definition[i] - three[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(three.length).toBe(41 * 44 * 37 * 12);
    tf.dispose([image, composite]);
  });
});
