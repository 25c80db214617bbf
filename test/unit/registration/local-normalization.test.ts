// The local normalization of the LNCC similarity, computed in JavaScript arrays, against its
// definition in tensor ops (what the optimizer compared before it moved off the wasm heap):
// the same float32 values on both typed-array backends, in 2D and 3D, with the box passes on
// one kernel thread or split over three.

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { boxFilter } from '../../../main/engine/registration/filters';
import { locallyNormalizeInPlace } from '../../../main/engine/registration/optimization/local-normalization';

function byTensorOps(image: tf.Tensor, radius: number): tf.Tensor {
  return tf.tidy(() => {
    const mean = boxFilter(image, radius);
    const meanOfSquares = boxFilter(tf.square(image), radius);
    const deviation = tf.sqrt(tf.add(tf.relu(tf.sub(meanOfSquares, tf.square(mean))), 0.05 ** 2));
    return tf.div(tf.sub(image, mean), deviation);
  });
}

afterAll(() => setKernelThreads(0));

for (const backend of ['cpu', 'wasm'] as const)
  describe(`local normalization on ${backend}`, () => {
    // The last size is large enough that every box pass is split over the threads (each needs
    // some 64 K values a thread); the small ones run on the calling thread alone.
    for (const size of [[23, 17], [13, 11, 9], [96, 64, 48]])
      for (const threads of [1, 3])
      it(`equals the tensor ops exactly in ${size.length}D on ${threads} thread(s)`, async () => {
        await selectComputeBackend(backend);
        setKernelThreads(threads);
        // Steps and flat patches as well as noise: the deviation floor must matter somewhere.
        const n = size.reduce((a, b) => a * b, 1);
        const values = Float32Array.from({ length: n }, (_, i) => (i % 7 < 3 ? 0.2 : Math.abs(Math.sin(i * 0.731))));
        const image = tf.tensor(values, [...size].reverse().concat(1));
        const expected = await byTensorOps(image, 2).data();
        const actual = locallyNormalizeInPlace(Float32Array.from(values), size, 2);
        const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
        expect(Buffer.compare(bytes(actual), bytes(expected as Float32Array))).toBe(0);
        image.dispose();
      });
  });
