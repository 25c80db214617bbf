// Measurements drawn on a slice view, in world millimetres: a ruler (the distance between two
// points), and a round region (a disc on the slice's image for 2D images, a ball for volumes)
// with the statistics of the voxels whose centres lie inside it. Every number is physical:
// oblique and anisotropic grids measure what the anatomy measures, not what the screen shows.

import { embedGrid3D } from './grid-view';
import type { SampledImage } from './readout';
import type { SliceOrientation, Vec3 } from './view-types';
import { indexToWorld, worldToIndex, type ImageGrid } from '../../../shared/geometry/grid';
import { determinant } from '../../../shared/math/matrix';

export type MeasureTool = 'navigate' | 'ruler' | 'region';

export interface Ruler {
  readonly id: number;
  readonly kind: 'ruler';
  /** The view it was drawn in: it shows on that view's plane. */
  readonly orientation: SliceOrientation;
  readonly from: Vec3;
  readonly to: Vec3;
}

export interface Region {
  readonly id: number;
  readonly kind: 'region';
  readonly orientation: SliceOrientation;
  readonly center: Vec3;
  /** A point on its rim: the radius is the distance to it. */
  readonly rim: Vec3;
}

export type Measurement = Ruler | Region;
/** A measurement as drawn, before the viewer numbers it. */
export type DrawnMeasurement = Omit<Ruler, 'id'> | Omit<Region, 'id'>;

export function distanceMm(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** A ruler's length, or a region's radius, mm. */
export function lengthMm(m: DrawnMeasurement): number {
  return m.kind === 'ruler' ? distanceMm(m.from, m.to) : distanceMm(m.center, m.rim);
}

export interface RegionStatistics {
  /** Voxels whose centres lie inside. */
  readonly voxels: number;
  readonly mean: number;
  /** The sample standard deviation (n − 1); 0 for fewer than two voxels. */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  /** Their volume, mm³ (area in mm² for a 2D image): voxels × the voxel's volume. */
  readonly sizeMm: number;
  /** 2 for an area (a 2D image), 3 for a volume. */
  readonly sizeDimension: 2 | 3;
}

/** What a measurement says, in one line: its length, or its region's statistics. */
export function describeMeasurement(m: DrawnMeasurement, statistics: RegionStatistics | null): string {
  const radius = lengthMm(m);
  if (m.kind === 'ruler') return `${radius.toFixed(1)} mm`;
  if (!statistics) return `r ${radius.toFixed(1)} mm · outside the image`;
  const unit = statistics.sizeDimension === 2 ? 'mm²' : 'mm³';
  return `mean ${formatStatistic(statistics.mean)} ± ${formatStatistic(statistics.sd)} · ${formatStatistic(statistics.sizeMm)} ${unit} (${statistics.voxels} voxels) · r ${radius.toFixed(1)} mm`;
}

function formatStatistic(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e5) ? v.toExponential(2) : a >= 100 ? v.toFixed(0) : v.toFixed(2);
}

/** The volume (area in 2D) of one voxel: |det(D · diag(spacing))|. */
export function voxelSize(grid: ImageGrid): number {
  const d = grid.size.length;
  const m: number[] = [];
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) m.push(grid.direction[r * d + c] * grid.spacing[c]);
  return Math.abs(determinant(m));
}

/**
 * Statistics of an image's voxels within `radiusMm` of `center` (world, LPS mm): a ball in a
 * volume, a disc on a 2D image's plane. Only the index box that can hold the ball is visited.
 */
export function regionStatistics(image: SampledImage, center: Vec3, radiusMm: number): RegionStatistics | null {
  const grid = image.grid;
  const d = grid.size.length;
  const g3 = embedGrid3D(grid);
  // The ball's bounding box in continuous index, from the eight corners of its world box.
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const world = [0, 1, 2].map((a) => center[a] + ((corner >> a) & 1 ? radiusMm : -radiusMm));
    const ci = worldToIndex(g3, world);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], ci[a]);
      hi[a] = Math.max(hi[a], ci[a]);
    }
  }
  const first = lo.map((v) => Math.max(0, Math.ceil(v - 1e-9)));
  const last = hi.map((v, a) => Math.min(g3.size[a] - 1, Math.floor(v + 1e-9)));
  const r2 = radiusMm * radiusMm;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  const world: number[] = [];
  const index = [0, 0, 0];
  const [nx, ny] = g3.size;
  for (let k = first[2]; k <= last[2]; k++)
    for (let j = first[1]; j <= last[1]; j++)
      for (let i = first[0]; i <= last[0]; i++) {
        index[0] = i;
        index[1] = j;
        index[2] = k;
        indexToWorld(g3, index, world);
        const dx = world[0] - center[0];
        const dy = world[1] - center[1];
        const dz = world[2] - center[2];
        if (dx * dx + dy * dy + dz * dz > r2) continue;
        const v = image.pixels[i + nx * (j + ny * k)];
        n++;
        sum += v;
        sumSq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
  if (n === 0) return null;
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  return { voxels: n, mean, sd: Math.sqrt(variance), min, max, sizeMm: n * voxelSize(grid), sizeDimension: d === 2 ? 2 : 3 };
}
