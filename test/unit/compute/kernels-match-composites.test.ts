// The typed-array kernels against their definitions in tensor ops: MIND-SSC, the diffusion
// energy, 1 − NCC and affine maps of rows (with their gradients), the Jacobian and slab resampling.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { diffusionEnergy } from '../../../main/engine/compute/diffusion-energy';
import { MindSscFeaturizer } from '../../../main/engine/registration/features/mind-ssc';

const grid = (size: number[]) => ({ size, spacing: size.map(() => 1), origin: size.map(() => 0), direction: size.length === 2 ? [1, 0, 0, 1] : [1, 0, 0, 0, 1, 0, 0, 0, 1] });

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`kernels on ${backend}`, () => {
    for (const size of [[23, 17], [13, 11, 9]]) {
      it(`MIND-SSC kernel equals the composite in ${size.length}D`, async () => {
        await selectComputeBackend(backend);
        const image = tf.randomUniform([...size].reverse().concat(1), 0, 1, 'float32', 3);
        const kernel = new MindSscFeaturizer(size.length, 1, 2).featurize(image, grid(size));
        const composite = new MindSscFeaturizer(size.length, 1, 2, 'composite').featurize(image, grid(size));
        expect(kernel.shape).toEqual(composite.shape);
        expect(kernel.shape[size.length]).toBe(size.length === 2 ? 4 : 12);
        expect(tf.max(tf.abs(tf.sub(kernel, composite))).dataSync()[0]).toBeLessThan(1e-4);
        tf.dispose([image, kernel, composite]);
      });

      it(`diffusion energy kernel equals the composite, with its gradient, in ${size.length}D`, async () => {
        await selectComputeBackend(backend);
        const field = tf.randomNormal([...size].reverse().concat(size.length), 0, 1, 'float32', 5);
        const spacing = size.map((_, i) => 1 + i);
        const f = (impl: 'auto' | 'composite') => (x: tf.Tensor) => diffusionEnergy(x, spacing, { implementation: impl });
        expect(f('auto')(field).dataSync()[0]).toBeCloseTo(f('composite')(field).dataSync()[0], 4);
        const g1 = tf.grad(f('auto'))(field);
        const g2 = tf.grad(f('composite'))(field);
        expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-5);
        tf.dispose([field, g1, g2]);
      });
    }
  });
}

describe('affine maps of rows', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const d of [2, 3])
      it(`kernel equals the composite, with its gradient, on ${backend} in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { affineRows } = await import('../../../main/engine/compute/affine-rows');
        // A field-shaped input ([y, x, D]) as the squaring steps pass, and a skew matrix whose
        // transpose differs from it, so that a gradient through M instead of Mᵀ would show.
        const rows = tf.randomNormal([5, 7, d], 0, 10, 'float32', 4);
        const m = d === 2 ? [0.5, 2, -0.25, 1.5] : [0.5, 2, 0, -0.25, 1, 0.3, 3, 0.1, 2];
        const t = d === 2 ? [1, -2] : [1, -2, 0.5];
        const weights = tf.randomNormal([5, 7, d], 0, 1, 'float32', 6);
        const f = (impl: 'auto' | 'composite') => (x: tf.Tensor) => tf.sum(tf.mul(affineRows(x, m, t, { implementation: impl }), weights));
        for (const offset of [t, undefined]) {
          const a = affineRows(rows, m, offset);
          const b = affineRows(rows, m, offset, { implementation: 'composite' });
          expect(a.shape).toEqual([5, 7, d]);
          expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
          tf.dispose([a, b]);
        }
        const g1 = tf.grad(f('auto'))(rows);
        const g2 = tf.grad(f('composite'))(rows);
        expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-5);
        tf.dispose([rows, weights, g1, g2]);
      });
});

describe('1 − NCC', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    it(`kernel equals the composite, with its gradients in both inputs, on ${backend}`, async () => {
      await selectComputeBackend(backend);
      const { nccLoss } = await import('../../../main/engine/compute/ncc-loss');
      const a = tf.randomNormal([3000, 1], 5, 2, 'float32', 11);
      const b = tf.add(tf.mul(a, 0.7), tf.randomNormal([3000, 1], 1, 1.5, 'float32', 12));
      for (const [x, y] of [[a, b], [b, a], [a, a]]) {
        const kernel = nccLoss(x, y);
        const composite = nccLoss(x, y, { implementation: 'composite' });
        expect(Math.abs(kernel.dataSync()[0] - composite.dataSync()[0])).toBeLessThan(1e-5);
        tf.dispose([kernel, composite]);
      }
      // Scaled by 3, so that a gradient ignoring dy would show.
      const grads = (impl: 'auto' | 'composite') => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.mul(nccLoss(x, y, { implementation: impl }), 3))([a, b]);
      const [ga1, gb1] = grads('auto');
      const [ga2, gb2] = grads('composite');
      const scale = tf.max(tf.abs(gb2)).dataSync()[0];
      expect(scale).toBeGreaterThan(0);
      expect(tf.max(tf.abs(tf.sub(ga1, ga2))).dataSync()[0] / scale).toBeLessThan(1e-3);
      expect(tf.max(tf.abs(tf.sub(gb1, gb2))).dataSync()[0] / scale).toBeLessThan(1e-3);
      tf.dispose([a, b, ga1, gb1, ga2, gb2]);
    });
});

describe('displacement Jacobian determinant', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const d of [2, 3])
      it(`kernel equals the composite on ${backend} in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { displacementJacobianDeterminant } = await import('../../../main/engine/compute/displacement-jacobian');
        const size = d === 2 ? [9, 8] : [7, 6, 5];
        const field = tf.randomNormal([...size].reverse().concat(d), 0, 0.3, 'float32', 8);
        const points = tf.mul(tf.randomUniform([200, d], 0, 1, 'float32', 9), tf.tensor1d(size.map((n) => n - 1)));
        const w = d === 2 ? [0.5, 0.1, -0.2, 1] : [0.5, 0.1, 0, -0.2, 1, 0.3, 0, 0.1, 2];
        const a = displacementJacobianDeterminant(field, points as tf.Tensor2D, w);
        const b = displacementJacobianDeterminant(field, points as tf.Tensor2D, w, { implementation: 'composite' });
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
        tf.dispose([field, points, a, b]);
      });
});

describe('slab resampling', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const d of [2, 3])
      it(`equals gridSample at the slab's mapped points on ${backend} in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { resampleSlab, jacobianDeterminantSlab } = await import('../../../main/engine/compute/slab-resampling');
        const { gridSample } = await import('../../../main/engine/compute/grid-sample');
        const { displacementJacobianDeterminant } = await import('../../../main/engine/compute/displacement-jacobian');
        const source = d === 2 ? [9, 8] : [7, 6, 5];
        const target = d === 2 ? [11, 10] : [8, 7, 6];
        const slab = { size: target, first: 2, last: d === 2 ? 7 : 5 };
        const image = tf.randomNormal([...source].reverse().concat(2), 0, 1, 'float32', 4);
        // An oblique affine from target to source index (offsets chosen so that no point falls
        // exactly on the field's edge, where a one-sided derivative is a matter of rounding), and
        // a vector map for displacements.
        const map = d === 2 ? [0.7, 0.2, 0.53, -0.1, 0.8, 0.31, 0, 0, 1] : [0.7, 0.1, 0, 0.43, -0.1, 0.8, 0.05, 0.17, 0, 0.1, 0.6, 0.31, 0, 0, 0, 1];
        const vectorMap = d === 2 ? [0.5, 0.1, -0.2, 0.9] : [0.5, 0.1, 0, -0.2, 0.9, 0.1, 0, 0.1, 0.7];
        const perSlice = target.slice(0, d - 1).reduce((a, b) => a * b, 1);
        const count = perSlice * (slab.last - slab.first);
        const u = tf.randomNormal([count, d], 0, 0.5, 'float32', 6);
        // The same points, built explicitly.
        const points: number[] = [];
        for (let i = 0; i < count; i++) {
          const index = d === 2 ? [i % target[0], slab.first + Math.floor(i / target[0])] : [i % target[0], Math.floor(i / target[0]) % target[1], slab.first + Math.floor(i / perSlice)];
          for (let r = 0; r < d; r++) {
            let p = map[r * (d + 1) + d];
            for (let c = 0; c < d; c++) p += map[r * (d + 1) + c] * index[c];
            points.push(p);
          }
        }
        const explicit = tf.tensor2d(points, [count, d]);
        const moved = tf.add(explicit, tf.matMul(u, tf.tensor2d(vectorMap, [d, d]), false, true)) as tf.Tensor2D;
        const a = resampleSlab(image, slab, map, { displacement: u, vectorMap });
        const b = gridSample(image, moved);
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
        const field = tf.randomNormal([...source].reverse().concat(d), 0, 0.3, 'float32', 7);
        const j1 = jacobianDeterminantSlab(field, slab, map, vectorMap);
        const j2 = displacementJacobianDeterminant(field, explicit, vectorMap);
        expect(tf.max(tf.abs(tf.sub(j1, j2))).dataSync()[0]).toBeLessThan(1e-4);
        tf.dispose([image, u, explicit, moved, a, b, field, j1, j2]);
      });
});

describe('box filter', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    it(`running sums equal the convolution on ${backend}`, async () => {
      await selectComputeBackend(backend);
      const { boxFilter } = await import('../../../main/engine/registration/filters');
      for (const shape of [[13, 11, 2], [9, 8, 7, 3]]) {
        const image = tf.randomUniform(shape, 0, 1, 'float32', 2);
        const a = boxFilter(image, 2);
        const b = boxFilter(image, 2, { implementation: 'composite' });
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
        tf.dispose([image, a, b]);
      }
    });
});

describe('slab resampling on host arrays', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const d of [2, 3])
      it(`resampleSlabValues equals resampleSlab's kernel on ${backend} in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { resampleSlab, resampleSlabValues } = await import('../../../main/engine/compute/slab-resampling');
        const source = d === 2 ? [9, 8] : [7, 6, 5];
        const target = d === 2 ? [11, 10] : [8, 7, 6];
        const slab = { size: target, first: 0, last: target[d - 1] };
        const image = tf.randomNormal([...source].reverse().concat(1), 0, 1, 'float32', 4);
        const map = d === 2 ? [0.7, 0.2, 0.53, -0.1, 0.8, 0.31, 0, 0, 1] : [0.7, 0.1, 0, 0.43, -0.1, 0.8, 0.05, 0.17, 0, 0.1, 0.6, 0.31, 0, 0, 0, 1];
        const expected = resampleSlab(image, slab, map);
        const actual = resampleSlabValues((await image.data()) as Float32Array, image.shape, slab, map);
        expect(Array.from(actual)).toEqual(Array.from(await expected.data()));
        tf.dispose([image, expected]);
      });
});
