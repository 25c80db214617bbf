// The spline level's velocity v = B c (spline-upsampling.ts): a cubic B-spline of coefficients
// on a coarser grid. B on the host and as tfjs ops give the same field; Bᵀ is its adjoint and
// equals tfjs's tape gradient; constant fields are reproduced; the prefilter puts the spline
// through given values at the coarse nodes. On oblique, anisotropic and flipped grids, 2D and 3D.

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { kernelPool, poolFloats, pooledCopy, setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { cubicBSplineWeights, SplineUpsampling } from '../../../main/engine/registration/optimization/spline-upsampling';
import { seededRandom } from '../../../main/engine/registration/random';

const grids: Record<string, ImageGrid> = {
  '3D oblique, anisotropic, flipped': { size: [37, 29, 23], spacing: [2.5, 1.5, 3], origin: [1, -2, 3], direction: [-0.8, -0.6, 0, -0.6, 0.8, 0, 0, 0, 1] },
  '2D flipped': { size: [41, 30], spacing: [1, 1.25], origin: [0, 5], direction: [-1, 0, 0, 1] },
};

const randomValues = (n: number, seed: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() - 0.5);
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

beforeAll(async () => {
  await selectComputeBackend('cpu');
});

describe('cubic B-spline weights', () => {
  it('sum to one and are symmetric', () => {
    for (const t of [0, 0.25, 0.5, 0.9]) {
      const w = cubicBSplineWeights(t);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      cubicBSplineWeights(1 - t).forEach((x, k) => expect(x).toBeCloseTo(w[3 - k], 12));
    }
    expect(cubicBSplineWeights(0)).toEqual([1 / 6, 4 / 6, 1 / 6, 0]);
  });
});

describe.each(Object.entries(grids))('the spline level on a %s grid', (_, working) => {
  const d = working.size.length;
  for (const [coarse, fine] of [[4, 2], [8, 2], [4, 3]]) {
    it(`coefficients at ${coarse}×, velocity at ${fine}×`, () => {
      const spline = new SplineUpsampling(working, coarse, fine);
      const n = voxelCount(spline.fine) * d;
      const c = randomValues(spline.coefficientCount, 1);
      const v = new Float32Array(n);
      spline.apply(c, v);

      // The same field from tfjs's ops, and their tape's gradient is Bᵀ.
      const shape = (g: ImageGrid) => [...[...g.size].reverse(), d];
      const fromTensor = tf.tidy(() => spline.applyTensor(tf.tensor(c, shape(spline.coarse))).dataSync());
      expect(maxDifference(fromTensor, v)).toBeLessThan(1e-5);
      const g = randomValues(n, 2);
      const back = new Float32Array(c.length);
      spline.adjoint(g, back);
      const tape = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(spline.applyTensor(x), tf.tensor(g, shape(spline.fine)))))(tf.tensor(c, shape(spline.coarse))).dataSync());
      expect(maxDifference(tape, back)).toBeLessThan(1e-5);
      expect(dot(v, g)).toBeCloseTo(dot(c, back), 3);

      // A constant field stays constant (the weights sum to one, the edges clamped).
      spline.apply(new Float32Array(c.length).fill(2.5), v);
      expect(maxDifference(v, new Float32Array(n).fill(2.5))).toBeLessThan(1e-5);

      // The prefilter: the spline passes through the given values at the coarse nodes (there,
      // the spline on a grid as coarse as its coefficients).
      const values = randomValues(c.length, 3);
      const atNodes = new Float32Array(c.length);
      new SplineUpsampling(working, coarse, coarse).apply(spline.coefficientsThrough(values), atNodes);
      expect(maxDifference(atNodes, values)).toBeLessThan(0.01);

      // A linear field (which the spline reproduces) read back at the coarse nodes is itself.
      const ramp = new Float32Array(c.length);
      const [cx, cy] = spline.coarse.size;
      for (let i = 0; i < ramp.length; i++) {
        const node = Math.floor(i / d);
        ramp[i] = 0.3 * (node % cx) - 0.2 * (Math.floor(node / cx) % cy) + 0.1 * Math.floor(node / (cx * cy)) + (i % d);
      }
      const interior = (i: number) => {
        const node = Math.floor(i / d);
        const x = node % cx, y = Math.floor(node / cx) % cy, z = Math.floor(node / (cx * cy));
        const cz = spline.coarse.size[2] ?? 1;
        // Two nodes from the edges, where the clamped spline is no longer linear.
        return x > 1 && x < cx - 2 && y > 1 && y < cy - 2 && (d === 2 || (z > 1 && z < cz - 2));
      };
      spline.apply(ramp, v);
      const read = spline.valuesAtCoarseNodes(v);
      const inside = [...ramp.keys()].filter(interior);
      // (The 8× grids here are too small to have such nodes.)
      if (coarse === 8) expect(inside.length).toBe(0);
      else expect(inside.length).toBeGreaterThan(0);
      expect(maxDifference(inside.map((i) => read[i]), inside.map((i) => ramp[i]))).toBeLessThan(1e-4);
    });
  }
});

describe('the spline level on the kernel threads', () => {
  afterAll(() => setKernelThreads(0));
  it('gives the bits of one thread on three, for B and Bᵀ', async () => {
    // The defaults' level on a 1 mm brain's working grid: 4× coefficients, a 2× velocity.
    const working: ImageGrid = { size: [72, 87, 72], spacing: [2.5, 2.5, 2.5], origin: [88.75, 124.5, -69.75], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const run = (threads: number) => {
      setKernelThreads(threads);
      const spline = new SplineUpsampling(working, 4, 2);
      const v = poolFloats(voxelCount(spline.fine) * 3);
      spline.apply(pooledCopy(randomValues(spline.coefficientCount, 4)), v);
      const back = poolFloats(spline.coefficientCount);
      spline.adjoint(pooledCopy(randomValues(v.length, 5)), back);
      return [v, back];
    };
    const one = run(1);
    setKernelThreads(3);
    run(3); // starts the workers
    for (let wait = 0; kernelPool().readyThreads < 3 && wait < 3000; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    const three = run(3);
    expect(three[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const k of [0, 1]) expect(Buffer.from(three[k].buffer, 0, three[k].byteLength).equals(Buffer.from(one[k].buffer, 0, one[k].byteLength))).toBe(true);
  });
});
