import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { gridSample } from '../../../main/engine/compute/grid-sample';
import { kernelPool, setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { sampleSharedImage, sharedImage } from '../../../main/engine/compute/shared-image';

function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

/** An image and enough points to split over three threads (2D splits later), some past the edges. */
function randomCase(size: number[], channels: number, seed: number) {
  const rand = seeded(seed);
  const count = size.length === 2 ? 200_000 : 20_000;
  const data = Float32Array.from({ length: size.reduce((a, b) => a * b, 1) * channels }, () => rand() * 2 - 1);
  const points = Float32Array.from({ length: count * size.length }, (_, i) => rand() * (size[i % size.length] + 1) - 1);
  return { data, points, count, shape: [...size].reverse().concat(channels) };
}

afterAll(() => setKernelThreads(0));

/** Bit for bit: toEqual walks 400 000 elements one matcher call at a time, for seconds. */
function expectSameBits(got: Float32Array, expected: Float32Array): void {
  expect(got.length).toBe(expected.length);
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  expect(Buffer.compare(bytes(got), bytes(expected))).toBe(0);
}

describe('sampling a shared image on the kernel threads', () => {
  for (const size of [[41, 37], [23, 19, 17]])
    for (const padding of ['zeros', 'border'] as const)
      it(`gives gridSample's values and gradients whatever the thread count (${size.length}D, ${padding})`, async () => {
        await selectComputeBackend('wasm');
        const { data, points, count, shape } = randomCase(size, 2, size.length * 10 + (padding === 'zeros' ? 1 : 2));
        const image = tf.tensor(data, shape);
        const pts = tf.tensor2d(points, [count, size.length]);
        const weights = tf.randomUniform([count, 2], -1, 1, 'float32', 5);
        const expected = tf.valueAndGrad((p: tf.Tensor) => tf.sum(tf.mul(gridSample(image, p, { padding, constantImage: true }), weights)) as tf.Scalar)(pts);
        const plain = gridSample(image, pts, { padding }).dataSync();
        const shared = sharedImage(data, shape);
        for (const threads of [1, 2, 3]) {
          setKernelThreads(threads);
          expect(kernelPool().threads).toBe(threads);
          expectSameBits(sampleSharedImage(shared, pts, padding).dataSync() as Float32Array, plain as Float32Array);
          const got = tf.valueAndGrad((p: tf.Tensor) => tf.sum(tf.mul(sampleSharedImage(shared, p as tf.Tensor2D, padding), weights)) as tf.Scalar)(pts);
          expectSameBits(got.value.dataSync() as Float32Array, expected.value.dataSync() as Float32Array);
          expectSameBits(got.grad.dataSync() as Float32Array, expected.grad.dataSync() as Float32Array);
          tf.dispose([got.value, got.grad]);
        }
        tf.dispose([image, pts, weights, expected.value, expected.grad]);
      });

  it('reports a thread count it cannot use', () => {
    expect(() => setKernelThreads(-1)).toThrow(/whole number/);
    expect(() => setKernelThreads(1.5)).toThrow(/whole number/);
  });
});
