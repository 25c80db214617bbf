// Jacobian determinant, displacement magnitude, the deformed grid, and the compare regions.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, voxelCount } from '../../../shared/geometry/grid';
import type { VectorImage } from '../../../shared/image/voxel-image';
import { countFolds, displacementMagnitude, jacobianDeterminant } from '../../../renderer/src/viewer/deformation';
import { deformedGridLines } from '../../../renderer/src/viewer/deformed-grid';
import { checkerboardShowsMoving, checkerboardTiles, curtainRegion } from '../../../renderer/src/viewer/compare-regions';
import { sliceBasis } from '../../../renderer/src/viewer/orientation';
import { determinant } from '../../../shared/math/matrix';

const c = Math.cos(0.4);
const s = Math.sin(0.4);
const oblique: ImageGrid = { size: [9, 8, 7], spacing: [1.5, 2, 0.8], origin: [3, -2, 5], direction: [c, -s, 0, s, c, 0, 0, 0, 1] };

/** u(x) = A·x + b sampled on a grid: its Jacobian is I + A everywhere. */
function linearField(grid: ImageGrid, a: number[], b: number[]): VectorImage {
  const d = grid.size.length;
  const pixels = new Float32Array(voxelCount(grid) * d);
  const index = new Array<number>(d).fill(0);
  for (let li = 0; li < voxelCount(grid); li++) {
    const x = indexToWorld(grid, index);
    for (let r = 0; r < d; r++) pixels[li * d + r] = b[r] + a.slice(r * d, r * d + d).reduce((sum, v, k) => sum + v * x[k], 0);
    for (let k = 0; k < d; k++) {
      if (++index[k] < grid.size[k]) break;
      index[k] = 0;
    }
  }
  return { grid, components: d, pixels };
}

describe('Jacobian determinant', () => {
  it('is det(I + A) for u = A·x on an oblique, anisotropic grid', () => {
    const a = [0.1, 0.05, -0.02, 0.03, -0.2, 0.04, 0.01, 0.02, 0.3];
    const det = jacobianDeterminant(linearField(oblique, a, [1, 2, 3]));
    const want = determinant([1 + a[0], a[1], a[2], a[3], 1 + a[4], a[5], a[6], a[7], 1 + a[8]]);
    for (const v of det.pixels) expect(v).toBeCloseTo(want, 4);
  });

  it('works in 2D and finds folds where the map reverses orientation', () => {
    const g: ImageGrid = { size: [6, 5], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
    const flip = jacobianDeterminant(linearField(g, [-2, 0, 0, 0], [0, 0]));
    for (const v of flip.pixels) expect(v).toBeCloseTo(-1, 6);
    expect(countFolds(flip.pixels)).toBe(30);
    expect(countFolds(jacobianDeterminant(linearField(g, [0, 0, 0, 0], [4, 4])).pixels)).toBe(0);
  });

  it('measures |u| in mm', () => {
    const m = displacementMagnitude(linearField(oblique, new Array(9).fill(0), [3, 4, 12]));
    for (const v of m.pixels) expect(v).toBeCloseTo(13, 5);
  });
});

describe('deformed grid', () => {
  const grid: ImageGrid = { size: [21, 21, 5], spacing: [1, 1, 1], origin: [-10, -10, -2], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const axial = sliceBasis('axial');

  it('draws straight lines at multiples of the spacing for the identity', () => {
    const lines = deformedGridLines(linearField(grid, new Array(9).fill(0), [0, 0, 0]), axial, [0, 0, 0], { spacingMm: 5 });
    expect(lines.length).toBe(10); // 5 vertical and 5 horizontal lines across [-10.5, 10.5]
    for (const line of lines) {
      const xs = new Set(line.map((p) => p[0]));
      const ys = new Set(line.map((p) => p[1]));
      const fixed = xs.size === 1 ? [...xs][0] : [...ys][0];
      expect(xs.size === 1 || ys.size === 1).toBe(true);
      expect(Math.abs(fixed / 5 - Math.round(fixed / 5))).toBeLessThan(1e-9);
    }
  });

  it('moves every point by its displacement', () => {
    const lines = deformedGridLines(linearField(grid, new Array(9).fill(0), [1.5, -2, 0]), axial, [0, 0, 0], { spacingMm: 5 });
    const vertical = lines.find((l) => l.every((p) => Math.abs(p[0] - 1.5) < 1e-6));
    expect(vertical).toBeDefined(); // the line x = 0, drawn at x = 1.5
    expect(lines.every((l) => l.every((p) => Math.abs(p[2]) < 1e-6))).toBe(true);
  });
});

describe('compare regions', () => {
  const box = { min: [-20, -20, -20] as [number, number, number], max: [20, 20, 20] as [number, number, number] };
  const axial = sliceBasis('axial');

  it('tiles half the plane with the moving image, alternating, on the slice plane', () => {
    const tiles = checkerboardTiles(axial, [0, 0, 7], box, 10);
    const area = tiles.reduce((sum, q) => sum + Math.abs((q[1][0] - q[0][0]) * (q[2][1] - q[1][1])), 0);
    expect(area).toBeCloseTo(0.5 * 40 * 40, 6);
    for (const q of tiles) {
      expect(q.every((p) => p[2] === 7)).toBe(true);
      const centre = [0, 1, 2].map((k) => (q[0][k] + q[2][k]) / 2);
      expect(checkerboardShowsMoving(axial, centre, 10)).toBe(true);
    }
  });

  it('limits the curtain to the right of the split', () => {
    const [quad] = curtainRegion(axial, [0, 0, 0], box, 5);
    expect(Math.min(...quad.map((p) => p[0]))).toBe(5);
    expect(Math.max(...quad.map((p) => p[0]))).toBe(20);
    expect(curtainRegion(axial, [0, 0, 0], box, 25)).toEqual([]);
  });
});
