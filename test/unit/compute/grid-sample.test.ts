import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { gridSample } from '../../../main/engine/compute/grid-sample';
import { interpolateLinearAt, interpolateNearestAt } from '../../../shared/image/interpolate';

function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

function randomCase(size: number[], channels: number, count: number, seed = 1) {
  const rand = seeded(seed);
  const n = size.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n * channels }, () => rand() * 2 - 1);
  // Points spread past the edges, so the border rule is exercised too.
  const points = Float32Array.from({ length: count * size.length }, (_, i) => rand() * (size[i % size.length] + 1) - 1);
  const shape = [...size].reverse().concat(channels);
  return { data, points, shape };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`gridSample on ${backend}`, () => {
    for (const size of [[7, 5], [6, 5, 4]]) {
      const d = size.length;
      it(`matches the shared reference interpolation in ${d}D (linear and nearest)`, async () => {
        await selectComputeBackend(backend);
        const { data, points, shape } = randomCase(size, 3, 200);
        const image = tf.tensor(data, shape);
        const pts = tf.tensor2d(points, [200, d]);
        const linear = gridSample(image, pts).dataSync();
        const nearest = gridSample(image, pts, { interpolation: 'nearest' }).dataSync();
        const out: number[] = [];
        for (let p = 0; p < 200; p++) {
          const ci = Array.from(points.subarray(p * d, p * d + d));
          const inside = interpolateLinearAt(size, data, 3, ci, out);
          for (let c = 0; c < 3; c++) expect(linear[p * 3 + c]).toBeCloseTo(inside ? out[c] : 0, 5);
          const nn = interpolateNearestAt(size, Array.from({ length: data.length / 3 }, (_, i) => data[i * 3]), ci);
          expect(nearest[p * 3]).toBeCloseTo(nn ?? 0, 6);
        }
        tf.dispose([image, pts]);
      });

      it(`kernel and gather composite agree in value and gradient in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { data, points, shape } = randomCase(size, 2, 50, 7);
        const image = tf.tensor(data, shape);
        const pts = tf.tensor2d(points, [50, d]);
        for (const padding of ['zeros', 'border'] as const) {
          const weights = tf.randomUniform([50, 2], -1, 1, 'float32', 3);
          const loss = (impl: 'auto' | 'composite') => (im: tf.Tensor, p: tf.Tensor) =>
            tf.sum(tf.mul(gridSample(im, p, { padding, implementation: impl }), weights));
          const [gi1, gp1] = tf.grads(loss('auto'))([image, pts]);
          const [gi2, gp2] = tf.grads(loss('composite'))([image, pts]);
          expect(tf.max(tf.abs(tf.sub(gi1, gi2))).dataSync()[0]).toBeLessThan(1e-5);
          expect(tf.max(tf.abs(tf.sub(gp1, gp2))).dataSync()[0]).toBeLessThan(1e-4);
          tf.dispose([weights, gi1, gi2, gp1, gp2]);
        }
        tf.dispose([image, pts]);
      });
    }

    it('has the numerical gradient in the points and in the image', async () => {
      await selectComputeBackend(backend);
      const { data, points, shape } = randomCase([6, 5, 4], 2, 30, 11);
      // Keep points off voxel faces, where linear interpolation has a kink.
      for (let i = 0; i < points.length; i++) points[i] = Math.min(3.8, Math.max(0.2, Math.floor(points[i]) + 0.3 + 0.4 * (points[i] % 1)));
      const weights = tf.randomUniform([30, 2], -1, 1, 'float32', 5);
      const f = (im: tf.Tensor, p: tf.Tensor) => tf.sum(tf.mul(gridSample(im, p), weights));
      const image = tf.tensor(data, shape);
      const pts = tf.tensor2d(points, [30, 3]);
      const [gi, gp] = tf.grads(f)([image, pts]);
      const h = 1e-2;
      const giData = gi.dataSync();
      const gpData = gp.dataSync();
      for (const i of [0, 13, 45, 77]) {
        const plus = points.slice();
        plus[i] += h;
        const minus = points.slice();
        minus[i] -= h;
        const numeric = (f(image, tf.tensor2d(plus, [30, 3])).dataSync()[0] - f(image, tf.tensor2d(minus, [30, 3])).dataSync()[0]) / (2 * h);
        expect(gpData[i]).toBeCloseTo(numeric, 2);
      }
      for (const i of [3, 50, 100]) {
        const plus = data.slice();
        plus[i] += h;
        const numeric = (f(tf.tensor(plus, shape), pts).dataSync()[0] - f(image, pts).dataSync()[0]) / h;
        expect(giData[i]).toBeCloseTo(numeric, 3);
      }
      tf.dispose([weights, image, pts, gi, gp]);
    });
  });
}

describe('gridSample with a constant image', () => {
  it('gives the same point gradient without differentiating the image', async () => {
    await selectComputeBackend('wasm');
    const { data, points, shape } = randomCase([6, 5, 4], 3, 40, 21);
    const image = tf.tensor(data, shape);
    const pts = tf.tensor2d(points, [40, 3]);
    const weights = tf.randomUniform([40, 3], -1, 1, 'float32', 2);
    const g1 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(gridSample(image, p), weights)))(pts);
    const g2 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(gridSample(image, p, { constantImage: true }), weights)))(pts);
    expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([image, pts, weights, g1, g2]);
  });

  // Under a tape the constant image is read once: values and derivatives in one pass. The values
  // are the separate kernel's, bit for bit; each derivative is rounded to float32 once more on
  // its way to the backward pass (the separate kernel sums them in float64), so a gradient may
  // differ in its last bit.
  for (const backend of ['cpu', 'wasm'] as const)
    for (const size of [[7, 5], [6, 5, 4]])
      for (const padding of ['zeros', 'border'] as const)
        for (const channels of [1, 3])
          it(`keeps the values and point gradients exactly in one pass (${backend}, ${size.length}D, ${padding}, ${channels} channel${channels > 1 ? 's' : ''})`, async () => {
            await selectComputeBackend(backend);
            const d = size.length;
            const { data, points, shape } = randomCase(size, channels, 300, 7 + channels);
            // Points on the outer centres and on the half-voxel border, where the rules switch.
            points.set(size, 0);
            points.set(size.map((n) => n - 1), d);
            points.set(size.map(() => -0.5), 2 * d);
            points.set(size.map(() => 0), 3 * d);
            const image = tf.tensor(data, shape);
            const pts = tf.tensor2d(points, [300, d]);
            const weights = tf.randomUniform([300, channels], -1, 1, 'float32', 3);
            const separate = tf.valueAndGrad((p: tf.Tensor) => tf.sum(tf.mul(gridSample(image, p, { padding }), weights)) as tf.Scalar);
            const fused = tf.valueAndGrad((p: tf.Tensor) => tf.sum(tf.mul(gridSample(image, p, { padding, constantImage: true }), weights)) as tf.Scalar);
            const a = separate(pts);
            const b = fused(pts);
            const exact = a.grad.dataSync();
            b.grad.dataSync().forEach((g, i) => expect(Math.abs(g - exact[i])).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(exact[i]))));
            expect(b.value.dataSync()[0]).toBe(a.value.dataSync()[0]);
            expect(Array.from(gridSample(image, pts, { padding, constantImage: true }).dataSync())).toEqual(Array.from(gridSample(image, pts, { padding }).dataSync()));
            tf.dispose([image, pts, weights, a.value, a.grad, b.value, b.grad]);
          });
});

describe('a scatter within its extent', () => {
  for (const size of [[7, 5], [6, 5, 9]])
    for (const padding of ['zeros', 'border'] as const)
      it(`writes nothing outside scatterExtent, and clears only there, in ${size.length}D with ${padding} padding`, async () => {
        const { gridShapeOf, scatterExtent, scatterToGrid } = await import('../../../main/engine/compute/grid-sampling-loops');
        const d = size.length;
        const shape = gridShapeOf([...size].reverse().concat(2));
        const length = size.reduce((a, b) => a * b, 2);
        const rand = seeded(11);
        for (let run = 0; run < 20; run++) {
          // A band of the slowest axis (points in memory order write one), a few points past
          // the edges, and a NaN, which a scatter skips.
          const low = rand() * size[d - 1] - 1.5;
          const points = Float32Array.from({ length: 40 * d }, (_, i) => (i % d === d - 1 ? low + 2.5 * rand() : rand() * (size[i % d] + 1) - 1));
          points[d * 7] = NaN;
          const dy = Float32Array.from({ length: 80 }, () => rand() * 2 - 1);
          const whole = new Float32Array(length);
          scatterToGrid(shape, points, dy, whole, padding, 'linear');
          const [from, to] = scatterExtent(shape, points);
          whole.forEach((v, i) => {
            if (i < from || i >= to) expect(v).toBe(0);
          });
          // Cleared only within the extent, a part that held other values gives the same sums there.
          const part = new Float32Array(length).fill(7);
          scatterToGrid(shape, points, dy, part, padding, 'linear', [from, to]);
          expect(Array.from(part.subarray(from, to))).toEqual(Array.from(whole.subarray(from, to)));
          expect(part[from - 1] ?? 7).toBe(7);
        }
      });
});
