// Grids as the viewer sees them: every grid is shown as 3D (a 2D image is a slab one voxel
// thick), with a world bounding box, and a slice step along any view normal.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, worldToIndex } from '../../../shared/geometry/grid';
import type { Vec3, WorldBox } from './view-types';
import { addScaled } from './vec3';

/** The 3D grid a 2D grid is drawn as: one slice at z = 0, its axes in the z = 0 plane. */
export function embedGrid3D(grid: ImageGrid): ImageGrid {
  if (grid.size.length === 3) return grid;
  const [a, b, c, d] = grid.direction;
  return {
    size: [grid.size[0], grid.size[1], 1],
    spacing: [grid.spacing[0], grid.spacing[1], 1],
    origin: [grid.origin[0], grid.origin[1], 0],
    direction: [a, b, 0, c, d, 0, 0, 0, 1],
  };
}

/** World direction of grid axis `axis` (column `axis` of D). */
export function axisDirection(grid: ImageGrid, axis: number): Vec3 {
  const d = grid.size.length;
  return [0, 1, 2].map((r) => (r < d && axis < d ? grid.direction[r * d + axis] : r === axis ? 1 : 0)) as Vec3;
}

/** Axis-aligned world box around the voxels' outer faces (index -0.5 .. n - 0.5). */
export function worldBoundingBox(grid: ImageGrid): WorldBox {
  const g = embedGrid3D(grid);
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let bits = 0; bits < 8; bits++) {
    const index = [0, 1, 2].map((a) => ((bits >> a) & 1 ? g.size[a] - 0.5 : -0.5));
    const p = indexToWorld(g, index);
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], p[a]);
      max[a] = Math.max(max[a], p[a]);
    }
  }
  return { min, max };
}

export function unionBoxes(boxes: readonly WorldBox[]): WorldBox | null {
  if (boxes.length === 0) return null;
  const min = [...boxes[0].min] as Vec3;
  const max = [...boxes[0].max] as Vec3;
  for (const b of boxes)
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], b.min[a]);
      max[a] = Math.max(max[a], b.max[a]);
    }
  return { min, max };
}

/** The grid axis most nearly along a world direction, and how nearly (|cos|). */
export function alignedAxis(grid: ImageGrid, direction: readonly number[]): { axis: number; cosine: number } {
  const g = embedGrid3D(grid);
  let axis = 0;
  let cosine = -1;
  for (let a = 0; a < 3; a++) {
    const d = axisDirection(g, a);
    const c = Math.abs(d[0] * direction[0] + d[1] * direction[1] + d[2] * direction[2]);
    if (c > cosine) {
      axis = a;
      cosine = c;
    }
  }
  return { axis, cosine };
}

/** One paging step along a view normal: the spacing of the grid axis closest to it. */
export function sliceStep(grid: ImageGrid, normal: readonly number[]): number {
  const g = embedGrid3D(grid);
  return g.spacing[alignedAxis(g, normal).axis];
}

/** Views whose normal is within this of a grid axis page from voxel centre to voxel centre. */
const ALIGNED_COSINE = 0.9999;

/**
 * Moves `point` by `steps` slices along `normal`. When the view is aligned with a grid axis the
 * result lands on a voxel centre along it (so slices show voxels, not blends of two) and stays
 * inside the grid; oblique grids page by the plain step.
 */
export function stepSlice(grid: ImageGrid, point: readonly number[], normal: readonly number[], steps: number): Vec3 {
  const g = embedGrid3D(grid);
  const { axis, cosine } = alignedAxis(g, normal);
  const moved = addScaled(point, normal, steps * g.spacing[axis]);
  if (cosine < ALIGNED_COSINE) return moved;
  const ci = worldToIndex(g, moved);
  const target = Math.min(g.size[axis] - 1, Math.max(0, Math.round(ci[axis])));
  // Moving t mm along the normal changes index `axis` by t·(d_axis·n)/spacing.
  const d = axisDirection(g, axis);
  const rate = (d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2]) / g.spacing[axis];
  return addScaled(moved, normal, (target - ci[axis]) / rate);
}

/** World point of the voxel nearest the grid's centre: where the crosshair starts. */
export function centralVoxelWorld(grid: ImageGrid): Vec3 {
  const g = embedGrid3D(grid);
  return indexToWorld(
    g,
    g.size.map((n) => Math.floor((n - 1) / 2)),
  ) as Vec3;
}

/** The voxel containing a world point (nearest centre), or null outside the grid. */
export function voxelAt(grid: ImageGrid, world: readonly number[]): number[] | null {
  const ci = worldToIndex(grid, world.slice(0, grid.size.length));
  const index = ci.map(Math.round);
  for (let a = 0; a < grid.size.length; a++) if (index[a] < 0 || index[a] >= grid.size[a]) return null;
  // A 2D image is one voxel thick around z = 0.
  if (grid.size.length === 2 && Math.abs(world[2] ?? 0) > 0.5) return null;
  return index;
}
