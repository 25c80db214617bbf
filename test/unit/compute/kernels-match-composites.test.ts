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

describe('block means', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    it(`one loop equals mirror padding and an average pool on ${backend}`, async () => {
      await selectComputeBackend(backend);
      const { downsampleByAveraging } = await import('../../../main/engine/registration/filters');
      // Odd sizes (a partial last block), unequal factors, several channels, and a block wider
      // than its axis (mirrored more than once).
      const cases: [number[], number | number[]][] = [
        [[13, 11, 2], [2, 3]],
        [[9, 8, 7, 3], 2],
        [[9, 8, 7, 1], [3, 2, 4]],
        [[2, 3, 5, 1], [4, 5, 7]],
      ];
      for (const [shape, factor] of cases) {
        const image = tf.randomUniform(shape, -1, 1, 'float32', 4);
        const a = downsampleByAveraging(image, factor);
        const b = downsampleByAveraging(image, factor, { implementation: 'composite' });
        expect(a.shape).toEqual(b.shape);
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
        tf.dispose([image, a, b]);
      }
    });
});

describe('the working space', () => {
  const image3d = (seed: number) => {
    let s = seed;
    const size = [11, 9, 7];
    const pixels = new Int16Array(11 * 9 * 7).map(() => ((s = (s * 1664525 + 1013904223) >>> 0) % 4000) - 1000);
    return { grid: { size, spacing: [1, 1.5, 1], origin: [3, -2, 1], direction: [0, 1, 0, -1, 0, 0, 0, 0, 1] }, pixels };
  };

  for (const backend of ['cpu', 'wasm'] as const)
    it(`the working image is the normalized image's block means, resampled, on ${backend}`, async () => {
      await selectComputeBackend(backend);
      const { downsampleByAveraging, downsampledGrid } = await import('../../../main/engine/registration/filters');
      const { normalizedImageValues, resampleTensor, workingImage } = await import('../../../main/engine/registration/working-space');
      const { tensorShapeOf } = await import('../../../main/engine/registration/grid-tensors');
      const image = image3d(7);
      const range: [number, number] = [-500, 2500];
      for (const spacing of [2, 2.5, 3]) {
        const got = workingImage(image, range, spacing);
        const factors = image.grid.spacing.map((s) => Math.max(1, Math.floor(spacing / s + 1e-6)));
        const normalized = tf.tensor(normalizedImageValues(image, range), tensorShapeOf(image.grid, 1));
        const pooled = downsampleByAveraging(normalized, factors, { implementation: 'composite' });
        const expected = resampleTensor(pooled, downsampledGrid(image.grid, factors), got.grid);
        expect(got.tensor.shape).toEqual(expected.shape);
        expect(tf.max(tf.abs(tf.sub(got.tensor, expected))).dataSync()[0]).toBeLessThan(1e-6);
        tf.dispose([got.tensor, normalized, pooled, expected]);
      }
    });

  // tfjs's wasm MaxPool3D starts its maximum at the smallest positive float (1.2e-38), not at
  // −∞: an all-zero window came out as 1.2e-38, so every background voxel was "in" the region
  // and the optimizer sampled the whole grid. The region is now a box sum's support.
  for (const backend of ['cpu', 'wasm'] as const)
    for (const d of [2, 3])
      it(`the sampling region is the bright voxels grown by a cube, exactly 0 or 1, on ${backend} in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { samplingRegion } = await import('../../../main/engine/registration/working-space');
        const { smoothNormalized } = await import('../../../main/engine/registration/filters');
        const size = d === 2 ? [31, 27] : [19, 17, 15];
        const shape = [...size].reverse().concat(1);
        const count = size.reduce((a, b) => a * b, 1);
        // Two bright blobs in a dark background, one touching the edge.
        const values = new Float32Array(count);
        const at = (i: number) => size.map((_, a) => Math.floor(i / size.slice(0, a).reduce((x, y) => x * y, 1)) % size[a]);
        for (let i = 0; i < count; i++) {
          const p = at(i);
          const r1 = Math.hypot(...p.map((v, a) => v - size[a] / 2));
          const r2 = Math.hypot(...p.map((v) => v - 1));
          values[i] = r1 < 4 || r2 < 2.5 ? 0.8 : 0;
        }
        const image = tf.tensor(values, shape);
        const region = samplingRegion(image).dataSync();
        const bright = smoothNormalized(image, 1).dataSync();
        for (let i = 0; i < count; i++) {
          const p = at(i);
          let grown = false;
          for (let j = 0; j < count && !grown; j++) grown = bright[j] > 0.05 && at(j).every((v, a) => Math.abs(v - p[a]) <= 2);
          expect(region[i]).toBe(grown ? 1 : 0);
        }
        tf.dispose(image);
      });
});

describe('resampling rows on host arrays', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const d of [2, 3])
      it(`resampleRowsOnThreads equals resampleSlab's kernel on a slab's rows on ${backend} in ${d}D`, async () => {
        await selectComputeBackend(backend);
        const { resampleSlab } = await import('../../../main/engine/compute/slab-resampling');
        const { resampleRowsOnThreads } = await import('../../../main/engine/compute/rows-on-threads');
        const { slabRows } = await import('../../../main/engine/compute/row-resampling-loops');
        const source = d === 2 ? [9, 8] : [7, 6, 5];
        const target = d === 2 ? [11, 10] : [8, 7, 6];
        const slab = { size: target, first: 2, last: target[d - 1] - 1 };
        const image = tf.randomNormal([...source].reverse().concat(2), 0, 1, 'float32', 4);
        const map = d === 2 ? [0.7, 0.2, 0.53, -0.1, 0.8, 0.31, 0, 0, 1] : [0.7, 0.1, 0, 0.43, -0.1, 0.8, 0.05, 0.17, 0, 0.1, 0.6, 0.31, 0, 0, 0, 1];
        const expected = resampleSlab(image, slab, map);
        const actual = new Float32Array(expected.size);
        const values = { shape: image.shape, values: (await image.data()) as Float32Array };
        resampleRowsOnThreads(values, { size: target, map, vectorMap: [] }, slabRows(target, slab.first, slab.last), actual);
        expect(Array.from(actual)).toEqual(Array.from(await expected.data()));
        tf.dispose([image, expected]);
      });
});
