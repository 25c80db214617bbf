// The kernel threads change the time, never the map: every point's sample is computed alone,
// whichever thread takes it. A registration on 1 thread and on 3 (as many as the cores, at
// most) must agree to the last bit, in 2D and in 3D, through the whole pipeline (alignment,
// attention, optimization, and the full-resolution outputs: warped image and labels, fields,
// Jacobian). The optimizer's step runs on the host on any thread count (velocity-objective.ts),
// its two samples of the images split over the threads.

import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { registerImages } from '../../../main/engine/registration/register-images';
import type { RegistrationResult } from '../../../main/engine/registration/result';
import { headPhantom } from '../../../main/engine/samples/head-phantom';
import { generateSyntheticPair } from '../../../main/engine/synthetic/synthetic-pair';
import { readItkSlice } from './fixtures';

afterAll(() => setKernelThreads(0));

/** Fewer iterations than the defaults: the point is equality, not accuracy. */
const quick = {
  backend: 'wasm',
  optimization: {
    // The last level as the defaults' (a spline of a coarser grid's coefficients), whose sums
    // of scattered parts run on the threads too.
    levels: [
      { controlDownsample: 8, iterations: 15 },
      { controlDownsample: 2, coefficientDownsample: 4, iterations: 15 },
    ],
  },
} as const;

async function atThreads(fixed: ScalarImage, moving: ScalarImage, threads: number, labels?: [ScalarImage, ScalarImage]): Promise<RegistrationResult> {
  return registerImages({ fixed, moving, fixedLabels: labels?.[0], movingLabels: labels?.[1] }, { ...quick, threads });
}

const bytes = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The map and every full-resolution output, byte for byte. */
function expectSameMap(a: RegistrationResult, b: RegistrationResult): void {
  expect(b.affine.matrix).toEqual(a.affine.matrix);
  expect(bytes(b.deformable.vectors).equals(bytes(a.deformable.vectors))).toBe(true);
  expect(bytes(b.inverseDeformable.vectors).equals(bytes(a.inverseDeformable.vectors))).toBe(true);
  expect(bytes(b.warpedMoving.pixels).equals(bytes(a.warpedMoving.pixels))).toBe(true);
  expect(bytes(b.jacobianDeterminant.pixels).equals(bytes(a.jacobianDeterminant.pixels))).toBe(true);
  if (a.warpedMovingLabels) expect(bytes(b.warpedMovingLabels!.pixels).equals(bytes(a.warpedMovingLabels.pixels))).toBe(true);
}

describe('the kernel thread count', () => {
  it('gives the same registration on 1 and 3 threads in 3D', async () => {
    const { image, labels } = headPhantom(3);
    const pair = await generateSyntheticPair(image, labels, { seed: 4 });
    const one = await atThreads(image, pair.moving, 1, [labels, pair.movingLabels!]);
    const three = await atThreads(image, pair.moving, 3, [labels, pair.movingLabels!]);
    expect(one.warpedMovingLabels).toBeDefined();
    expect(one.kernelThreads).toBe(1);
    // Never more threads than cores (the CI machines have two).
    expect(three.kernelThreads).toBe(Math.min(3, os.availableParallelism()));
    expectSameMap(one, three);
    // And it registered: the map moves points by millimetres.
    expect(one.deformable.vectors.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(1);
  });

  it('gives the same registration on 1 and 3 threads in 2D', async () => {
    const fixed = await readItkSlice('BrainProtonDensitySliceBorder20.png');
    const moving = await readItkSlice('BrainProtonDensitySliceR10X13Y17.png');
    expectSameMap(await atThreads(fixed, moving, 1), await atThreads(fixed, moving, 3));
  });
});
