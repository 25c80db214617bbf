import { describe, expect, it } from 'vitest';
import {
  indexToWorld,
  indexToWorldMatrix,
  regridToSpacing,
  worldToIndex,
  gridCenter,
  type ImageGrid,
} from '../../../shared/geometry/grid';
import { applyAffineToPoint } from '../../../shared/transforms/transform';

const oblique3d: ImageGrid = {
  size: [40, 50, 30],
  spacing: [0.8, 1.2, 2.5],
  origin: [12.5, -40, 7],
  // A rotation of 30° about z followed by a flip of the third axis: oblique and left-handed.
  direction: [Math.cos(Math.PI / 6), -Math.sin(Math.PI / 6), 0, Math.sin(Math.PI / 6), Math.cos(Math.PI / 6), 0, 0, 0, -1],
};

describe('grid geometry', () => {
  it('maps index to world as origin + D · diag(spacing) · index', () => {
    const p = indexToWorld(oblique3d, [3, 4, 5]);
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(p[0]).toBeCloseTo(12.5 + c * 3 * 0.8 - s * 4 * 1.2, 10);
    expect(p[1]).toBeCloseTo(-40 + s * 3 * 0.8 + c * 4 * 1.2, 10);
    expect(p[2]).toBeCloseTo(7 - 5 * 2.5, 10);
  });

  it('round-trips world → index → world in 2D and 3D', () => {
    const oblique2d: ImageGrid = { size: [10, 20], spacing: [0.5, 3], origin: [-1, 2], direction: [0.6, -0.8, 0.8, 0.6] };
    for (const grid of [oblique3d, oblique2d]) {
      const d = grid.size.length;
      const index = [1.25, 7.5, 3.75].slice(0, d);
      const back = worldToIndex(grid, indexToWorld(grid, index));
      back.forEach((v, a) => expect(v).toBeCloseTo(index[a], 10));
      const viaMatrix = applyAffineToPoint(indexToWorldMatrix(grid), index);
      viaMatrix.forEach((v, a) => expect(v).toBeCloseTo(indexToWorld(grid, index)[a], 10));
    }
  });

  it('regrids to a new spacing keeping the field of view and the centre', () => {
    const coarse = regridToSpacing(oblique3d, [2, 2, 2]);
    expect(coarse.size).toEqual([16, 30, 38]);
    gridCenter(coarse).forEach((v, a) => expect(v).toBeCloseTo(gridCenter(oblique3d)[a], 6));
  });
});
