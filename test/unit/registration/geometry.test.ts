// Physical space is law: registering images stored on different grids (flipped axes,
// anisotropic spacing, an oblique direction, another origin) must give the same map in world
// space as registering them on one grid. The images are a 2D slice and a known smooth warp of
// it, each also resampled onto other grids covering the same anatomy. A grid mistake (an axis
// flipped twice, LPS/RAS mixed up, spacing applied in the wrong frame) moves points by
// centimetres; what remains here is the resolution lost by resampling onto coarser grids.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { gridCenter, indexToWorld } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { imageToTensor, readToHost } from '../../../main/engine/registration/grid-tensors';
import { registerImages } from '../../../main/engine/registration/register-images';
import type { RegistrationResult } from '../../../main/engine/registration/result';
import { resampleTensor } from '../../../main/engine/registration/working-space';
import { generateSyntheticPair } from '../../../main/engine/synthetic/synthetic-pair';
import type { SyntheticPair } from '../../../main/engine/synthetic/synthetic-pair';
import { foregroundPoints, readItkSlice, transformDistance } from './fixtures';

const affineOnly = { attention: { levels: [] }, optimization: { levels: [] } } as const;

/** A grid over the same world region as `grid`, with another spacing, rotation and axis flip. */
function otherGrid(grid: ImageGrid, spacing: [number, number], degrees: number, flipX: boolean): ImageGrid {
  const a = (degrees * Math.PI) / 180;
  const sx = flipX ? -1 : 1;
  // Columns: the axis directions.
  const direction = [sx * Math.cos(a), -Math.sin(a), sx * Math.sin(a), Math.cos(a)];
  const extent = grid.size.map((n, i) => n * grid.spacing[i]);
  const diagonal = Math.hypot(extent[0], extent[1]);
  // Cover the rotated field of view: a square of the original's diagonal, centred on it.
  const size = spacing.map((s) => Math.ceil(diagonal / s));
  const centre = gridCenter(grid);
  const halfIndex = size.map((n) => (n - 1) / 2);
  const offset = [0, 1].map((r) => direction[r * 2] * spacing[0] * halfIndex[0] + direction[r * 2 + 1] * spacing[1] * halfIndex[1]);
  return { size, spacing, origin: centre.map((c, r) => c - offset[r]), direction };
}

async function onGrid(image: ScalarImage, grid: ImageGrid): Promise<ScalarImage> {
  const source = imageToTensor(image);
  const pixels = await readToHost(() => resampleTensor(source, image.grid, grid));
  source.dispose();
  return { grid, pixels };
}

describe('registration across grids', () => {
  let fixed: ScalarImage;
  let pair: SyntheticPair;
  let reference: RegistrationResult;
  let referenceAffine: RegistrationResult;
  let points: number[][];

  beforeAll(async () => {
    await selectComputeBackend('auto');
    fixed = await readItkSlice('BrainProtonDensitySliceBorder20.png');
    pair = await generateSyntheticPair(fixed, undefined, { seed: 3, meanDisplacementMm: 2.5, maxDisplacementMm: 8 });
    reference = await registerImages({ fixed, moving: pair.moving });
    referenceAffine = await registerImages({ fixed, moving: pair.moving }, affineOnly);
    // Brain points away from the field of view's edge, where both grids see the anatomy.
    points = foregroundPoints(fixed, 60, 3).filter((p) => {
      const c = gridCenter(fixed.grid);
      return Math.abs(p[0] - c[0]) < 80 && Math.abs(p[1] - c[1]) < 95;
    });
  });

  it('recovers the warp on the common grid', () => {
    const error = transformDistance(reference.transform, pair.truth, points);
    expect(error.mean).toBeLessThan(0.8);
  });

  const variants: [string, ImageGrid | undefined, ImageGrid | undefined][] = [];
  beforeAll(() => {
    variants.push(
      ['moving on an oblique, anisotropic, x-flipped grid', undefined, otherGrid(fixed.grid, [0.8, 1.3], 25, true)],
      ['both on different oblique grids', otherGrid(fixed.grid, [1.1, 0.9], -20, false), otherGrid(fixed.grid, [0.8, 1.3], 25, true)],
    );
  });

  for (const [name, index] of [
    ['moving on an oblique, anisotropic, x-flipped grid', 0],
    ['both on different oblique grids', 1],
  ] as const) {
    it(`gives the same map in world space with ${name}`, async () => {
      const [, fixedGrid, movingGrid] = variants[index];
      const before = tf.memory().numTensors;
      const f = fixedGrid ? await onGrid(fixed, fixedGrid) : fixed;
      const m = await onGrid(pair.moving, movingGrid!);
      const affine = await registerImages({ fixed: f, moving: m }, affineOnly);
      const result = await registerImages({ fixed: f, moving: m });
      expect(result.deformable.grid).toEqual(f.grid);
      const affineDifference = transformDistance(affine.affine, referenceAffine.affine, points);
      const difference = transformDistance(result.transform, reference.transform, points);
      const error = transformDistance(result.transform, pair.truth, points);
      console.log(
        `${name}: affine ${affineDifference.mean.toFixed(3)} mm from the common-grid affine; full map ${difference.mean.toFixed(3)} mm from the common-grid map, ${error.mean.toFixed(3)} mm from the truth`,
      );
      expect(affineDifference.mean).toBeLessThan(0.3);
      expect(difference.mean).toBeLessThan(1);
      expect(error.mean).toBeLessThan(1.2);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('places the grids as intended (sanity check of the test itself)', () => {
    const g = variants[0][2]!;
    const centre = indexToWorld(g, g.size.map((n) => (n - 1) / 2));
    const expected = gridCenter(fixed.grid);
    expect(Math.hypot(centre[0] - expected[0], centre[1] - expected[1])).toBeLessThan(1e-6);
  });
});
