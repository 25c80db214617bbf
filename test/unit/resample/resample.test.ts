// Bulk transform application, resampling and Jacobians against the point-wise reference
// (shared pointMap) and against cases whose answers are known exactly.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, voxelCount } from '../../../shared/geometry/grid';
import type { Transform } from '../../../shared/transforms/transform';
import { affineFromLinearAndTranslation, composeTransforms, pointMap } from '../../../shared/transforms/transform';
import { mapPointsInPlace } from '../../../main/engine/resample/map-points';
import { resampleImage } from '../../../main/engine/resample/resample-image';
import { transformJacobianDeterminant } from '../../../main/engine/resample/transform-jacobian';

const c = Math.cos(0.4);
const s = Math.sin(0.4);
const oblique: ImageGrid = { size: [12, 10, 8], spacing: [1.5, 1, 2], origin: [-5, 3, 1], direction: [c, -s, 0, s, c, 0, 0, 0, -1] };
const affine = affineFromLinearAndTranslation([1.1, 0.05, 0, -0.1, 0.95, 0.02, 0, 0.03, 1.02], [2, -1, 0.5]);

function smoothField(grid: ImageGrid): Extract<Transform, { kind: 'displacement' }> {
  const vectors = new Float32Array(voxelCount(grid) * 3);
  let i = 0;
  for (let z = 0; z < grid.size[2]; z++)
    for (let y = 0; y < grid.size[1]; y++)
      for (let x = 0; x < grid.size[0]; x++, i++) {
        vectors[3 * i] = Math.sin(x / 3);
        vectors[3 * i + 1] = 0.5 * Math.cos(y / 2);
        vectors[3 * i + 2] = 0.2 * z;
      }
  return { kind: 'displacement', grid, vectors };
}

describe('mapPointsInPlace', () => {
  it('agrees with the point-wise reference for affine, field and composite transforms', () => {
    const field = smoothField(oblique);
    for (const t of [affine, field, composeTransforms(field, affine)] as Transform[]) {
      const reference = pointMap(t);
      const points = new Float64Array(3 * 50);
      for (let i = 0; i < 50; i++) indexToWorld(oblique, [(i * 7) % 13 - 0.7, (i * 3) % 11 - 0.4, (i * 5) % 9 - 0.3]).forEach((v, a) => (points[3 * i + a] = v));
      const expected = Array.from({ length: 50 }, (_, i) => reference(Array.from(points.subarray(3 * i, 3 * i + 3))));
      mapPointsInPlace(t, points);
      expected.forEach((p, i) => p.forEach((v, a) => expect(points[3 * i + a]).toBeCloseTo(v, 4)));
    }
  });
});

describe('resampleImage', () => {
  const grid: ImageGrid = { size: [6, 5, 4], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const pixels = new Uint8Array(voxelCount(grid)).map((_, i) => i % 251);
  const image = { grid, pixels };

  it('is the identity through the identity transform, and keeps label types with nearest', () => {
    const identity = affineFromLinearAndTranslation([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0]);
    const linear = resampleImage(image, grid, identity, 'linear');
    expect(linear.pixels).toBeInstanceOf(Float32Array);
    expect([...linear.pixels]).toEqual([...pixels]);
    const nearest = resampleImage(image, grid, identity, 'nearest');
    expect(nearest.pixels).toBeInstanceOf(Uint8Array);
  });

  it('samples image(T(x)): a shift of one voxel in x moves values by one voxel', () => {
    const shift = affineFromLinearAndTranslation([1, 0, 0, 0, 1, 0, 0, 0, 1], [2, 0, 0]);
    const out = resampleImage(image, grid, shift, 'nearest');
    expect(out.pixels[0]).toBe(pixels[1]);
    // The last column maps outside the image: zero.
    expect(out.pixels[5]).toBe(0);
  });
});

describe('transformJacobianDeterminant', () => {
  it('is det A for an affine and 1 + α for u(x) = α x', () => {
    const jac = transformJacobianDeterminant(affine, oblique);
    const m = affine.matrix;
    const det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
    for (const v of [jac.pixels[0], jac.pixels[100], jac.pixels[500]]) expect(v).toBeCloseTo(det, 5);
    const grid: ImageGrid = { size: [10, 10, 10], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const vectors = new Float32Array(3000);
    for (let i = 0; i < 1000; i++) vectors[3 * i] = 0.3 * (i % 10);
    const stretch = transformJacobianDeterminant({ kind: 'displacement', grid, vectors }, grid);
    expect(stretch.pixels[5 * 100 + 5 * 10 + 5]).toBeCloseTo(1.3, 5);
  });
});
