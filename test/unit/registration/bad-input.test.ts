// Bad input fails fast with EngineError('BAD_INPUT') and one line that names the image and the
// reason; nothing is left allocated.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/contract/errors';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { registerImages } from '../../../main/engine/registration/register-images';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { checkRegistrationMemory } from '../../../main/engine/registration/memory-plan';
import { readItkSlice } from './fixtures';

function grid(size: number[], origin?: number[]): ImageGrid {
  const d = size.length;
  return { size, spacing: size.map(() => 1), origin: origin ?? size.map(() => 0), direction: Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)) };
}

async function expectBadInput(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe('BAD_INPUT');
  expect((error as EngineError).message).toMatch(pattern);
  expect((error as EngineError).message.split('\n')).toHaveLength(1);
  expect(tf.memory().numTensors).toBe(before);
}

describe('registerImages rejects bad input with one clear line', () => {
  let slice: ScalarImage;
  beforeAll(async () => {
    await selectComputeBackend('auto');
    slice = await readItkSlice('BrainProtonDensitySliceBorder20.png');
  });

  it('2D against 3D', async () => {
    const volume: ScalarImage = { grid: grid([20, 20, 20]), pixels: new Float32Array(8000).map((_, i) => i % 7) };
    await expectBadInput(() => registerImages({ fixed: volume, moving: slice }), /moving image: is 2D but the fixed image is 3D/);
  });

  it('images that do not overlap after initialization', async () => {
    const far: ScalarImage = { grid: { ...slice.grid, origin: [5000, -3000] }, pixels: slice.pixels };
    await expectBadInput(() => registerImages({ fixed: slice, moving: far }, { alignment: { transform: 'none' } }), /does not overlap the fixed image after initialization/);
  });

  it('an image containing NaN', async () => {
    const pixels = Float32Array.from(slice.pixels);
    pixels[1234] = NaN;
    pixels[999] = Infinity;
    await expectBadInput(() => registerImages({ fixed: slice, moving: { grid: slice.grid, pixels } }), /moving image: contains 2 NaN or infinite values/);
  });

  for (const voxels of [1, 2, 4]) {
    it(`an image of ${voxels} voxel${voxels === 1 ? '' : 's'}`, async () => {
      const tiny: ScalarImage = { grid: grid([voxels, 1]), pixels: new Float32Array(voxels).map((_, i) => i) };
      await expectBadInput(() => registerImages({ fixed: slice, moving: tiny }), new RegExp(`moving image: has only ${voxels} voxel`));
    });
  }

  it('a constant image', async () => {
    await expectBadInput(() => registerImages({ fixed: { grid: slice.grid, pixels: new Uint8Array(slice.pixels.length).fill(7) }, moving: slice }), /fixed image: is constant/);
  });

  it('a NaN origin or a zero spacing handed over directly', async () => {
    await expectBadInput(() => registerImages({ fixed: slice, moving: { grid: { ...slice.grid, origin: [0, NaN] }, pixels: slice.pixels } }), /moving image: its origin is not finite along axis 2/);
    await expectBadInput(() => registerImages({ fixed: { grid: { ...slice.grid, spacing: [1, 0] }, pixels: slice.pixels }, moving: slice }), /fixed image: its voxel spacing \(1, 0 mm\) is not positive along axis 2/);
  });

  it('a working resolution of 0.001 mm, refused before anything is allocated', async () => {
    await expectBadInput(
      () => registerImages({ fixed: slice, moving: slice }, { resolutionMm: 0.001 }),
      /^registration: the working grid \(the fixed image at 0\.001 mm\) would be 221000 × 257000 voxels, more than the 134 million a working grid may hold; choose a coarser working resolution/,
    );
  });

  it('a 0.1 mm fixed image against a 10 mm moving one: the moving image in its own frame at 0.1 mm is refused', async () => {
    const fine: ScalarImage = { grid: { ...slice.grid, spacing: [0.1, 0.1] }, pixels: slice.pixels };
    const coarse: ScalarImage = { grid: { ...slice.grid, spacing: [10, 10] }, pixels: slice.pixels };
    await expectBadInput(() => registerImages({ fixed: fine, moving: coarse }), /^registration: the moving image at 0\.1 mm in its own frame would be 22100 × 25700 voxels/);
  });

  it('a pair that needs more than half the memory available', () => {
    const brain: ScalarImage = { grid: grid([181, 217, 181]), pixels: new Uint8Array(0) };
    expect(() => checkRegistrationMemory({ fixed: brain, moving: brain }, 2.5, 8 * 1024 ** 3)).not.toThrow();
    expect(() => checkRegistrationMemory({ fixed: brain, moving: brain }, 0.5, 8 * 1024 ** 3)).toThrow(
      /^registration: needs about 17\.\d GiB, more than the 4\.0 GiB \(half of the memory available now\) it may use: the working grid \(the fixed image at 0\.5 mm\) is 362 × 434 × 362 voxels/,
    );
  });

  it('a pixel array that does not fit its grid', async () => {
    await expectBadInput(() => registerImages({ fixed: slice, moving: { grid: slice.grid, pixels: new Uint8Array(10) } }), /moving image: pixel array holds 10 values/);
  });
});
