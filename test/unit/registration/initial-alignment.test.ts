// The initial alignment recovers large offsets (origins centimetres apart) and rotations up to
// 30°, in 3D: ch2bet against itself moved by a known rigid transform into another field of view.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { gridCenter } from '../../../shared/geometry/grid';
import { invertMatrix, multiplyMatrices } from '../../../shared/math/matrix';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { AffineTransform } from '../../../shared/transforms/transform';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { rotationMatrix } from '../../../main/engine/registration/alignment/rotations';
import { imageToTensor, readToHost } from '../../../main/engine/registration/grid-tensors';
import { registerImages } from '../../../main/engine/registration/register-images';
import { resampleTensor } from '../../../main/engine/registration/working-space';
import { foregroundPoints, itkData, mricron, readImage, transformDistance } from './fixtures';

const degrees = Math.PI / 180;

/** y = R(x − c) + c + t as a homogeneous 4×4 matrix. */
function rigid(angles: number[], center: number[], translation: number[]): AffineTransform {
  const r = rotationMatrix(angles.map((a) => a * degrees));
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let i = 0; i < 3; i++) {
    let rc = 0;
    for (let j = 0; j < 3; j++) {
      m[i * 4 + j] = r[i * 3 + j];
      rc += r[i * 3 + j] * center[j];
    }
    m[i * 4 + 3] = center[i] + translation[i] - rc;
  }
  return { kind: 'affine', matrix: m };
}

/** The fixed anatomy as seen through `truth` (fixed → moving world), on a shifted grid. */
async function movedCopy(fixed: ScalarImage, truth: AffineTransform, shift: number[]): Promise<ScalarImage> {
  const grid: ImageGrid = { ...fixed.grid, origin: fixed.grid.origin.map((o, i) => o + shift[i]) };
  const source = imageToTensor(fixed);
  const pixels = await readToHost(() => resampleTensor(source, fixed.grid, grid, invertMatrix(truth.matrix)));
  source.dispose();
  return { grid, pixels };
}

describe('initial alignment of a brain moved far and rotated', () => {
  let fixed: ScalarImage;
  let points: number[][];
  beforeAll(async () => {
    await selectComputeBackend('auto');
    fixed = await readImage(mricron + 'ch2bet.nii.gz');
    points = foregroundPoints(fixed, 20, 6);
  });

  for (const [name, angles, translation] of [
    ['30° about the superior axis, 4 cm away', [0, 0, 30], [40, -25, 15]],
    ['20° and 25° about two axes, 6 cm away', [20, 0, -25], [-30, 45, 25]],
  ] as const) {
    it(`recovers ${name}`, async () => {
      const before = tf.memory().numTensors;
      const truth = rigid([...angles], gridCenter(fixed.grid), [...translation]);
      const moving = await movedCopy(fixed, truth, [...translation]);
      const result = await registerImages({ fixed, moving }, { attention: { levels: [] }, optimization: { levels: [] } });
      const error = transformDistance(result.affine, truth, points);
      console.log(`${name}: affine error ${error.mean.toFixed(2)} mm mean, ${error.max.toFixed(2)} mm max; NCC ${result.metrics.nccAffine.toFixed(3)}`);
      expect(error.mean).toBeLessThan(1);
      expect(error.max).toBeLessThan(2.5);
      // The residual rotation: the antisymmetric part of found · true⁻¹ (insensitive to the
      // tiny scale and shear an affine fit may add).
      const r = multiplyMatrices(result.affine.matrix, invertMatrix(truth.matrix));
      const axis = [(r[9] - r[6]) / 2, (r[2] - r[8]) / 2, (r[4] - r[1]) / 2];
      expect(Math.asin(Math.min(1, Math.hypot(...axis))) / degrees).toBeLessThan(0.5);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

/** y = R(x − c) + c + t in 2D, as a homogeneous 3×3 matrix. */
function rigid2D(degreesAboutZ: number, center: number[], translation: number[]): AffineTransform {
  const [c, s] = [Math.cos(degreesAboutZ * degrees), Math.sin(degreesAboutZ * degrees)];
  const r = [c, -s, s, c];
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let i = 0; i < 2; i++) {
    m[i * 3] = r[i * 2];
    m[i * 3 + 1] = r[i * 2 + 1];
    m[i * 3 + 2] = center[i] + translation[i] - (r[i * 2] * center[0] + r[i * 2 + 1] * center[1]);
  }
  return { kind: 'affine', matrix: m };
}

/** The rows of [L | t] of a homogeneous matrix: what alignment.initialTransform takes. */
const rowsOf = (t: AffineTransform) => t.matrix.slice(0, t.matrix.length - Math.sqrt(t.matrix.length));

describe('a manual starting alignment (alignment.initialTransform)', () => {
  let fixed: ScalarImage;
  let points: number[][];
  beforeAll(async () => {
    await selectComputeBackend('auto');
    fixed = await readImage(`${itkData}BrainProtonDensitySliceBorder20.png`);
    points = foregroundPoints(fixed, 30, 4);
  });

  it('recovers a 120° turn the rotation search cannot reach, from a start 10° and 8 mm off', async () => {
    const center = gridCenter(fixed.grid);
    const truth = rigid2D(120, center, [12, -6]);
    const moving = await movedCopy(fixed, truth, [12, -6]);
    const affineOnly = { attention: { levels: [] }, optimization: { levels: [] } };
    const automatic = await registerImages({ fixed, moving }, affineOnly);
    const unaided = transformDistance(automatic.affine, truth, points).mean;
    // What a user sets by eye with the manual alignment: near, not exact.
    const start = rigid2D(110, center, [6, -1]);
    const guided = await registerImages({ fixed, moving }, { ...affineOnly, alignment: { initialTransform: rowsOf(start) } });
    const error = transformDistance(guided.affine, truth, points);
    console.log(`120° turn: automatic ${unaided.toFixed(1)} mm, from a manual start ${error.mean.toFixed(2)} mm mean (${transformDistance(start, truth, points).mean.toFixed(1)} mm at the start)`);
    expect(unaided).toBeGreaterThan(10);
    expect(error.mean).toBeLessThan(0.5);
  });

  it('refuses a start of the wrong dimension, naming the parameter', async () => {
    const moving = fixed;
    await expect(registerImages({ fixed, moving }, { alignment: { initialTransform: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] } })).rejects.toThrow(/alignment\.initialTransform: holds 12 numbers; a 2D registration needs 6/);
  });
});
