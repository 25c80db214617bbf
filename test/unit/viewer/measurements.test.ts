// Measurements in world millimetres: a region's voxel count, volume and statistics on oblique,
// anisotropic and flipped grids, in 2D and 3D, against what geometry says they must be.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, voxelCount } from '../../../shared/geometry/grid';
import { describeMeasurement, distanceMm, regionStatistics, voxelSize } from '../../../renderer/src/viewer/measurements';
import type { Vec3 } from '../../../renderer/src/viewer/view-types';

const c = Math.cos(Math.PI / 6);
const s = Math.sin(Math.PI / 6);
/** Rotated 30° about z, axis y flipped; spacing 0.8 × 1.5 × 2.5 mm. */
const oblique3D: ImageGrid = { size: [90, 60, 40], spacing: [0.8, 1.5, 2.5], origin: [-20, 35, -40], direction: [c, s, 0, s, -c, 0, 0, 0, 1] };
/** A 2D slice, rotated and anisotropic: 0.5 × 2 mm. */
const oblique2D: ImageGrid = { size: [200, 60], spacing: [0.5, 2], origin: [10, -30], direction: [c, -s, s, c] };

/** An image whose value at each voxel is a function of its world point. */
function imageOf(grid: ImageGrid, value: (world: number[]) => number) {
  const pixels = new Float32Array(voxelCount(grid));
  const d = grid.size.length;
  const index = new Array<number>(d).fill(0);
  for (let n = 0; n < pixels.length; n++) {
    let rest = n;
    for (let a = 0; a < d; a++) {
      index[a] = rest % grid.size[a];
      rest = Math.floor(rest / grid.size[a]);
    }
    pixels[n] = value(indexToWorld(grid, index));
  }
  return { id: 'base', name: 'base', grid, pixels };
}

const centreOf = (grid: ImageGrid): Vec3 => {
  const w = indexToWorld(grid, grid.size.map((n) => (n - 1) / 2));
  return [w[0], w[1], w[2] ?? 0];
};

describe('voxel size', () => {
  it('is the product of the spacings whatever the direction (rotated, flipped)', () => {
    expect(voxelSize(oblique3D)).toBeCloseTo(0.8 * 1.5 * 2.5, 10);
    expect(voxelSize(oblique2D)).toBeCloseTo(0.5 * 2, 10);
  });
});

describe('region statistics', () => {
  it('a ball in an oblique, anisotropic, flipped volume holds its volume in voxels', () => {
    const image = imageOf(oblique3D, () => 7);
    const r = 12;
    const stats = regionStatistics(image, centreOf(oblique3D), r)!;
    const ball = (4 / 3) * Math.PI * r ** 3;
    // Counting voxel centres: within a few percent for a ball of thousands of voxels.
    expect(Math.abs(stats.sizeMm - ball) / ball).toBeLessThan(0.03);
    expect(stats.sizeDimension).toBe(3);
    expect(stats.voxels).toBe(Math.round(stats.sizeMm / voxelSize(oblique3D)));
    expect(stats).toMatchObject({ mean: 7, sd: 0, min: 7, max: 7 });
  });

  it('its mean of a linear ramp is the ramp at the centre, and its SD is the ramp over the ball', () => {
    // v = 2x + 100: the ball's mean is v(centre) by symmetry; SD = 2 · r / √5 for a ball.
    const image = imageOf(oblique3D, (w) => 2 * w[0] + 100);
    const centre = centreOf(oblique3D);
    const r = 15;
    const stats = regionStatistics(image, centre, r)!;
    expect(stats.mean).toBeCloseTo(2 * centre[0] + 100, 0);
    expect(stats.sd).toBeCloseTo((2 * r) / Math.sqrt(5), 0);
  });

  it('a disc on a rotated anisotropic 2D slice holds its area', () => {
    const image = imageOf(oblique2D, (w) => w[1]);
    const centre = centreOf(oblique2D);
    const r = 10;
    const stats = regionStatistics(image, centre, r)!;
    expect(stats.sizeDimension).toBe(2);
    expect(Math.abs(stats.sizeMm - Math.PI * r * r) / (Math.PI * r * r)).toBeLessThan(0.03);
    expect(stats.mean).toBeCloseTo(centre[1], 0);
    expect(describeMeasurement({ kind: 'region', orientation: 'axial', center: centre, rim: [centre[0] + r, centre[1], 0] }, stats)).toMatch(/^mean -?[\d.]+ ± [\d.]+ · \d+ mm² \(\d+ voxels\) · r 10\.0 mm$/);
  });

  it('only the voxels inside count: a ball over the edge, and one outside the image', () => {
    const image = imageOf(oblique3D, () => 1);
    const corner = indexToWorld(oblique3D, [0, 0, 0]) as Vec3;
    const edge = regionStatistics(image, corner, 6)!;
    // A corner voxel's ball is cut by three faces: about an eighth of it is inside.
    const ball = (4 / 3) * Math.PI * 6 ** 3;
    expect(edge.sizeMm).toBeGreaterThan(ball / 8 / 2);
    expect(edge.sizeMm).toBeLessThan(ball / 8 * 2);
    expect(regionStatistics(image, [1000, 1000, 1000], 5)).toBeNull();
  });
});

describe('rulers', () => {
  it('measure world distance, shown to a tenth of a mm', () => {
    expect(distanceMm([0, 0, 0], [3, 4, 12])).toBe(13);
    expect(describeMeasurement({ kind: 'ruler', orientation: 'coronal', from: [0, 0, 0], to: [3, 4, 12] }, null)).toBe('13.0 mm');
  });
});
