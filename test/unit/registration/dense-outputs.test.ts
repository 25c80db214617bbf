// The full-resolution outputs computed on the kernel threads, straight into the outputs, against
// the tensor kernels slab by slab: the same loops, so the same bits, on any thread count. On
// grids that are oblique, anisotropic and flipped, with an affine and fields of their own
// control grid, labels of an integer type, and a float64 moving image far outside float32's
// range (warped scaled down, then back up).

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import type { PixelArray, ScalarImage } from '../../../shared/image/voxel-image';
import type { AffineTransform } from '../../../shared/transforms/transform';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { kernelPool, setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import type { DenseOutputInput, DenseOutputs } from '../../../main/engine/registration/outputs/dense-outputs';
import { computeDenseOutputs } from '../../../main/engine/registration/outputs/dense-outputs';
import { seededRandom } from '../../../main/engine/registration/random';

afterAll(() => setKernelThreads(0));

/** Three kernel threads, the two workers started and loaded (a first call starts them). */
async function threeThreadsReady(first: () => Promise<unknown>): Promise<void> {
  setKernelThreads(3);
  await first();
  const started = Date.now();
  while (kernelPool().readyThreads < 3) {
    if (Date.now() - started > 30_000) throw new Error('the kernel threads did not start');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const rotation = (degrees: number): number[] => {
  const c = Math.cos((degrees * Math.PI) / 180), s = Math.sin((degrees * Math.PI) / 180);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
};

/** An oblique 3D grid, or its 2D corner; flipped on the first axis. */
function obliqueGrid(size: number[], spacing: number[], origin: number[], degrees: number): ImageGrid {
  const r = rotation(degrees);
  const direction = size.length === 3 ? [-r[0], r[1], r[2], -r[3], r[4], r[5], -r[6], r[7], r[8]] : [-r[0], r[1], -r[3], r[4]];
  return { size, spacing, origin, direction };
}

function randomImage(grid: ImageGrid, make: (n: number) => PixelArray, value: (random: () => number) => number, seed: number): ScalarImage {
  const random = seededRandom(seed);
  const pixels = make(voxelCount(grid));
  for (let i = 0; i < pixels.length; i++) pixels[i] = value(random);
  return { grid, pixels };
}

function input(d: 2 | 3, movingPixels: 'float32' | 'huge'): DenseOutputInput {
  const fixedGrid = d === 3 ? obliqueGrid([37, 29, 23], [1.2, 0.9, 2.5], [30, -12, 5], 12) : obliqueGrid([521, 389], [0.4, 0.5], [95, -84], -9);
  const movingGrid = d === 3 ? obliqueGrid([31, 33, 19], [1.1, 1.0, 2.9], [28, -10, 7], -7) : obliqueGrid([255, 252], [0.9, 0.8], [92, -86], 6);
  const moving =
    movingPixels === 'float32'
      ? randomImage(movingGrid, (n) => new Float32Array(n), (r) => 100 * r(), 3)
      : randomImage(movingGrid, (n) => new Float64Array(n), (r) => 1e300 * (r() - 0.25), 3);
  const labels = randomImage(movingGrid, (n) => new Int16Array(n), (r) => Math.floor(r() * 40) - 3, 4);
  const affine: AffineTransform = {
    kind: 'affine',
    matrix: d === 3 ? [1.02, 0.03, -0.01, 1.5, -0.02, 0.97, 0.04, -2, 0.01, -0.03, 1.05, 0.7, 0, 0, 0, 1] : [1.03, -0.05, 1.2, 0.04, 0.96, -0.8, 0, 0, 1],
  };
  // The fields live on a coarser control grid of the fixed frame, and move points by millimetres.
  const control: ImageGrid = { ...fixedGrid, size: fixedGrid.size.map((n) => Math.ceil(n / 3)), spacing: fixedGrid.spacing.map((s) => 3 * s) };
  const fieldShape = [...[...control.size].reverse(), d];
  return {
    fixedGrid,
    moving,
    labels: [labels],
    affine,
    forward: { grid: control, tensor: tf.randomNormal(fieldShape, 0, 1.5, 'float32', 5) },
    backward: { grid: control, tensor: tf.randomNormal(fieldShape, 0, 1.5, 'float32', 6) },
  };
}

const bytes = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function expectSame(a: DenseOutputs, b: DenseOutputs): void {
  expect(bytes(a.displacement).equals(bytes(b.displacement))).toBe(true);
  expect(bytes(a.inverse).equals(bytes(b.inverse))).toBe(true);
  expect(a.warpedMoving.constructor).toBe(b.warpedMoving.constructor);
  expect(bytes(a.warpedMoving).equals(bytes(b.warpedMoving))).toBe(true);
  expect(bytes(a.jacobianDeterminant).equals(bytes(b.jacobianDeterminant))).toBe(true);
  expect(a.warpedLabels[0]).toBeInstanceOf(Int16Array);
  expect(bytes(a.warpedLabels[0]).equals(bytes(b.warpedLabels[0]))).toBe(true);
}

describe('the dense outputs on the kernel threads', () => {
  for (const backend of ['wasm', 'cpu'] as const)
    for (const d of [3, 2] as const)
      it(`equal the tensor kernels' to the bit on ${backend} in ${d}D, on 1 and 3 threads`, async () => {
        await selectComputeBackend(backend);
        const pair = input(d, 'float32');
        setKernelThreads(1);
        const reference = await computeDenseOutputs(pair, () => {}, { onTensors: true });
        const one = await computeDenseOutputs(pair, () => {});
        await threeThreadsReady(() => computeDenseOutputs(pair, () => {}));
        // Written into spare arrays that hold other values: every value is written.
        const spare: Float32Array[] = [0, 1].map(() => new Float32Array(new SharedArrayBuffer(4 * voxelCount(pair.fixedGrid))).fill(7));
        const three = await computeDenseOutputs({ ...pair, spare }, () => {});
        expect([three.jacobianDeterminant, three.warpedMoving].every((a) => spare.includes(a as Float32Array))).toBe(true);
        expectSame(one, reference);
        expectSame(three, reference);
        // On three threads the outputs are shared memory, written by every thread.
        expect(three.displacement.buffer).toBeInstanceOf(SharedArrayBuffer);
        // And the map moved things: the warp is not the moving image's own values in place.
        const moved = reference.jacobianDeterminant.some((j) => Math.abs(j - 1) > 0.05);
        expect(moved).toBe(true);
        expect(reference.warpedMoving.some((v) => v !== 0)).toBe(true);
        tf.dispose([pair.forward.tensor, pair.backward.tensor]);
      });

  it('warp a float64 image beyond float32 the same way, in double precision', async () => {
    await selectComputeBackend('wasm');
    const pair = input(3, 'huge');
    const reference = await computeDenseOutputs(pair, () => {}, { onTensors: true });
    await threeThreadsReady(() => computeDenseOutputs(pair, () => {}));
    const three = await computeDenseOutputs(pair, () => {});
    expect(three.warpedMoving).toBeInstanceOf(Float64Array);
    expectSame(three, reference);
    const peak = Math.max(...Array.from(three.warpedMoving, Math.abs));
    expect(peak).toBeGreaterThan(1e299);
    expect(Number.isFinite(peak)).toBe(true);
    tf.dispose([pair.forward.tensor, pair.backward.tensor]);
  });
});
