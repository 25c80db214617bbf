// The manual alignment's geometry: the moved grid shows each voxel where M puts it, the
// registration's start is M⁻¹, and landmarks give back a known rigid motion, in 2D and 3D.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { gridCenter, indexToWorld } from '../../../shared/geometry/grid';
import { alignmentFromPairs, alignmentMatrix, initialTransformRows, isIdentity, movedGrid, noAlignment, type ManualAlignment } from '../../../renderer/src/state/manual-alignment';

const apply = (m: readonly number[], p: readonly number[]) => {
  const d = p.length;
  return [...Array(d).keys()].map((i) => p.reduce((s, v, k) => s + m[i * (d + 1) + k] * v, m[i * (d + 1) + d]));
};
const close = (a: readonly number[], b: readonly number[], digits = 6) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], digits));

const c = Math.cos(Math.PI / 6);
const s = Math.sin(Math.PI / 6);
const oblique3D: ImageGrid = { size: [40, 30, 20], spacing: [0.8, 1.5, 2.5], origin: [-20, 35, -40], direction: [c, s, 0, s, -c, 0, 0, 0, 1] };
const slice2D: ImageGrid = { size: [50, 30], spacing: [0.5, 2], origin: [10, -30], direction: [c, -s, s, c] };
const motion3D: ManualAlignment = { translationMm: [12, -7, 4], rotationDeg: [10, -25, 40] };
const motion2D: ManualAlignment = { translationMm: [-5, 9, 0], rotationDeg: [0, 0, 35] };

describe('manual alignment', () => {
  for (const [name, grid, motion] of [
    ['3D, oblique and flipped', oblique3D, motion3D],
    ['2D, rotated and anisotropic', slice2D, motion2D],
  ] as const) {
    it(`${name}: the moved grid puts every voxel at M(its old place); the start is M⁻¹`, () => {
      const center = gridCenter(grid);
      const m = alignmentMatrix(motion, center);
      const moved = movedGrid(grid, motion, center);
      for (const index of [grid.size.map(() => 0), grid.size.map((n) => n - 1), grid.size.map((n) => Math.floor(n / 3))]) close(indexToWorld(moved, index), apply(m, indexToWorld(grid, index)));
      // The centre turns in place: only the translation moves it.
      close(apply(m, center), center.map((v, i) => v + motion.translationMm[i]));
      const rows = initialTransformRows(motion, center);
      expect(rows).toHaveLength(grid.size.length * (grid.size.length + 1));
      const p = indexToWorld(grid, grid.size.map((n) => n / 4));
      close(apply(rows, apply(m, p)), p);
    });

    it(`${name}: landmark pairs give the motion back`, () => {
      const center = gridCenter(grid);
      const m = alignmentMatrix(motion, center);
      const d = grid.size.length;
      const moving = [[0, 0, 0], [30, 0, 5], [0, 25, -8], [-12, 9, 20]].map((p) => p.slice(0, d).map((v, i) => v + center[i]));
      const pairs = moving.map((p) => ({ moving: p, fixed: apply(m, p) }));
      const found = alignmentFromPairs(pairs, center)!;
      close(found.translationMm, motion.translationMm, 6);
      close(found.rotationDeg, motion.rotationDeg, 6);
    });
  }

  it('needs enough pairs off a line; no motion is the identity', () => {
    const center = [0, 0, 0];
    expect(alignmentFromPairs([{ fixed: [0, 0, 0], moving: [1, 1, 1] }], center)).toBeNull();
    const onALine = [0, 1, 2].map((k) => ({ fixed: [k, 0, 0], moving: [k, 0, 0] }));
    expect(alignmentFromPairs(onALine, center)).toBeNull();
    expect(isIdentity(noAlignment)).toBe(true);
    expect(isIdentity(motion2D)).toBe(false);
  });
});
