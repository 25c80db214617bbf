// Values a registration cannot compute with must not come out as a success. A float64 image
// around 1e300 has no float32 values, yet it is an ordinary image: it registers exactly as
// its scaled-down self (it came out 75 % NaN with a random rotation). And a run whose numbers
// diverge fails, naming the stage, instead of writing an all-NaN or all-zero result.

import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/contract/errors';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { registerImages } from '../../../main/engine/registration/register-images';
import { readItkSlice } from './fixtures';

let fixed: ScalarImage;
let moving: ScalarImage;
beforeAll(async () => {
  await selectComputeBackend('auto');
  fixed = await readItkSlice('BrainProtonDensitySliceBorder20.png');
  moving = await readItkSlice('BrainProtonDensitySliceShifted13x17y.png');
});

const quick = { optimization: { levels: [{ controlDownsample: 4, iterations: 20 }] } };

describe('extreme but finite intensities', () => {
  it('a float64 moving image around 1e300 gives the same transform, and its warped image scaled by 1e300', async () => {
    const plain = await registerImages({ fixed, moving }, quick);
    const huge: ScalarImage = { grid: moving.grid, pixels: Float64Array.from(moving.pixels, (v) => v * 1e300) };
    const result = await registerImages({ fixed, moving: huge }, quick);
    expect(result.affine.matrix).toEqual(plain.affine.matrix);
    expect(Array.from(result.deformable.vectors)).toEqual(Array.from(plain.deformable.vectors));
    const warped = result.warpedMoving.pixels;
    expect(warped).toBeInstanceOf(Float64Array);
    let worst = 0;
    for (let i = 0; i < warped.length; i++) worst = Math.max(worst, Math.abs(warped[i] / 1e300 - plain.warpedMoving.pixels[i]));
    // Intensities up to 255, interpolated in float32 either way.
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('numbers that diverge', () => {
  it('an absurd learning rate fails the job with a reason, not a NaN result', async () => {
    const error = await registerImages({ fixed, moving }, { optimization: { learningRate: 1e38, levels: [{ controlDownsample: 4, iterations: 5 }] } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('FAILED');
    expect((error as EngineError).message).toMatch(/^registration failed during (optimization|outputs): the (deformation|displacement field|inverse field|Jacobian) holds NaN or infinite values, so there is no result to write$/);
  });
});
