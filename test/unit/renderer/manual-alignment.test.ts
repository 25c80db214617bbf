// The manual alignment's geometry: the moved grid shows each voxel where M puts it, the
// registration's start is M⁻¹, and landmarks give back a known rigid motion, in 2D and 3D.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { gridCenter, indexToWorld } from '../../../shared/geometry/grid';
import { alignmentFromPairs, alignmentMatrix, initialTransformRows, isIdentity, movedGrid, noAlignment, translated, turned, type ManualAlignment } from '../../../renderer/src/state/manual-alignment';

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

    it(`${name}: a drag's shift and turn move the image as shown by exactly that, about its centre there`, () => {
      const center = gridCenter(grid);
      const d = grid.size.length;
      const m = alignmentMatrix(motion, center);
      const shift = [3, -4, 2].slice(0, d);
      const shifted = alignmentMatrix(translated(motion, shift), center);
      const p = indexToWorld(grid, grid.size.map((n) => n / 3));
      close(apply(shifted, p), apply(m, p).map((v, i) => v + shift[i]));
      // A turn about an oblique axis (in 2D, about S) through the shown centre c + t.
      const axis = d === 3 ? [1, 2, 2].map((v) => v / 3) : [0, 0, 1];
      const degrees = 27;
      const after = alignmentMatrix(turned(motion, axis, degrees, d), center);
      const pivot = center.map((v, i) => v + motion.translationMm[i]);
      const [co, si] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
      const rodrigues = (v: number[]) => {
        // v cos θ + (axis × v) sin θ + axis (axis · v)(1 − cos θ), in 3D.
        const [x, y, z] = [...v, 0].slice(0, 3);
        const [a, b, c3] = axis;
        const dot = a * x + b * y + c3 * z;
        const cross = [b * z - c3 * y, c3 * x - a * z, a * y - b * x];
        return [x, y, z].map((vi, i) => vi * co + cross[i] * si + axis[i] * dot * (1 - co)).slice(0, d);
      };
      for (const q of [p, indexToWorld(grid, grid.size.map(() => 0))]) {
        const shown = apply(m, q).map((v, i) => v - pivot[i]);
        close(apply(after, q), rodrigues(shown).map((v, i) => v + pivot[i]));
      }
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

  it('a turn through 90° about L keeps its angles finite (β = ±90°, gimbal lock)', () => {
    const locked = turned({ translationMm: [0, 0, 0], rotationDeg: [30, 0, 0] }, [0, 1, 0], 90, 3);
    const back = alignmentMatrix(locked, [0, 0, 0]);
    const expected = alignmentMatrix(turned({ translationMm: [0, 0, 0], rotationDeg: [30, 0, 0] }, [0, 1, 0], 89.999999, 3), [0, 0, 0]);
    expect(locked.rotationDeg[1]).toBeCloseTo(90, 6);
    expect(locked.rotationDeg.every(Number.isFinite)).toBe(true);
    close(back, expected, 5);
  });

  it('needs enough pairs off a line; no motion is the identity', () => {
    const center = [0, 0, 0];
    expect(alignmentFromPairs([{ fixed: [0, 0, 0], moving: [1, 1, 1] }], center)).toBeNull();
    const onALine = [0, 1, 2].map((k) => ({ fixed: [k, 0, 0], moving: [k, 0, 0] }));
    expect(alignmentFromPairs(onALine, center)).toBeNull();
    expect(isIdentity(noAlignment)).toBe(true);
    expect(isIdentity(motion2D)).toBe(false);
  });
});
