// The ITK example slices whose transforms are known. The files' own names say "(13, 17)"; the
// precise truths used here are the ones ITK's Software Guide reports for these pairs (and
// elastix 5.0.1 reproduces to 0.01 px):
//   Shifted13x17y: a translation of (13, 17) mm, T(x) = x + (13, 17) (ImageRegistration1);
//   R10X13Y17: a rotation of 10° about the centre (110, 128) of BrainProtonDensitySliceBorder20,
//     followed by a translation of (13.09, 15.92) mm (ImageRegistration5; ImageRegistration6
//     reports the same map as rotation matrix and offset (36.98, −1.23));
//   DirectionPlus30: the Shifted13x17y pixels under a direction matrix rotated by 30° (both
//     images, origin 0), so the shift of (13, 17) voxels is R30·(13, 17) in world space.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { applyAffineToPoint, pointMap } from '../../../shared/transforms/transform';
import { registerImages } from '../../../main/engine/registration/register-images';
import { readItkSlice, rotationDegrees } from './fixtures';

const affineOnly = { attention: { levels: [] }, optimization: { levels: [] } } as const;

function rotate(angleDegrees: number, v: number[]): number[] {
  const a = (angleDegrees * Math.PI) / 180;
  return [Math.cos(a) * v[0] - Math.sin(a) * v[1], Math.sin(a) * v[0] + Math.cos(a) * v[1]];
}

interface Case {
  fixed: string;
  moving: string;
  angle: number;
  /** A world point and where the true transform sends it. */
  point: number[];
  expected: number[];
}

const cases: Record<string, Case> = {
  'translation (13, 17)': {
    fixed: 'BrainProtonDensitySliceBorder20.png',
    moving: 'BrainProtonDensitySliceShifted13x17y.png',
    angle: 0,
    point: [110, 128],
    expected: [123, 145],
  },
  'rotation 10° and translation': {
    fixed: 'BrainProtonDensitySliceBorder20.png',
    moving: 'BrainProtonDensitySliceR10X13Y17.png',
    angle: 10,
    point: [110, 128],
    expected: [110 + 13.09, 128 + 15.92],
  },
  'oblique direction +30°': {
    fixed: 'BrainProtonDensitySliceBorder20DirectionPlus30.nhdr',
    moving: 'BrainProtonDensitySliceShifted13x17yDirectionPlus30.nhdr',
    angle: 0,
    point: rotate(30, [110, 128]),
    expected: rotate(30, [123, 145]),
  },
};

describe('known 2D transforms of the ITK example slices', () => {
  const images = new Map<string, ScalarImage>();
  beforeAll(async () => {
    for (const c of Object.values(cases)) for (const name of [c.fixed, c.moving]) if (!images.has(name)) images.set(name, await readItkSlice(name));
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`recovers the ${name} within 0.5 px and 0.5°`, async () => {
      const before = tf.memory().numTensors;
      const result = await registerImages({ fixed: images.get(c.fixed)!, moving: images.get(c.moving)! }, affineOnly);
      const mapped = applyAffineToPoint(result.affine.matrix, c.point);
      const error = Math.hypot(mapped[0] - c.expected[0], mapped[1] - c.expected[1]);
      expect(error).toBeLessThan(0.5);
      expect(Math.abs(rotationDegrees(result.affine.matrix) - c.angle)).toBeLessThan(0.5);
      expect(result.metrics.nccAffine).toBeGreaterThan(0.98);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('keeps the rigid answer when the full pipeline (attention and optimization) runs', async () => {
    const c = cases['rotation 10° and translation'];
    const fixed = images.get(c.fixed)!;
    const result = await registerImages({ fixed, moving: images.get(c.moving)! });
    const mapped = applyAffineToPoint(result.affine.matrix, c.point);
    expect(Math.hypot(mapped[0] - c.expected[0], mapped[1] - c.expected[1])).toBeLessThan(0.5);
    // The pair is rigid: the deformable part u stays at interpolation-noise level in the brain.
    const u = result.deformable.vectors;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < fixed.pixels.length; i++) {
      if (fixed.pixels[i] < 50) continue;
      sum += Math.hypot(u[2 * i], u[2 * i + 1]);
      count++;
    }
    expect(sum / count).toBeLessThan(0.5);
    const full = pointMap(result.transform)(c.point);
    expect(Math.hypot(full[0] - c.expected[0], full[1] - c.expected[1])).toBeLessThan(1);
    expect(result.metrics.nccAfter).toBeGreaterThan(0.98);
    expect(result.metrics.foldPercent).toBeLessThan(0.05);
  });
});
