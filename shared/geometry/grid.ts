// An image grid in ITK's sense: world = origin + D · diag(spacing) · index, with world in
// LPS millimetres and D the direction matrix whose columns are the axis directions.
// Every image, field and output in XiMorph carries one of these.

import { invertMatrix, multiplyMatrixVector } from '../math/matrix';

export type Dimension = 2 | 3;

export interface ImageGrid {
  /** Voxels along each axis, fastest-varying axis first (ITK/NIfTI order). */
  readonly size: readonly number[];
  /** Millimetres between voxel centres along each axis. */
  readonly spacing: readonly number[];
  /** LPS world coordinate (mm) of the centre of voxel index 0. */
  readonly origin: readonly number[];
  /** Direction cosines, row-major D×D; column j is the world direction of axis j. */
  readonly direction: readonly number[];
}

export function gridDimension(grid: ImageGrid): Dimension {
  const d = grid.size.length;
  if (d !== 2 && d !== 3) throw new Error(`unsupported dimension ${d}`);
  return d;
}

export function voxelCount(grid: ImageGrid): number {
  return grid.size.reduce((a, b) => a * b, 1);
}

/** Homogeneous (D+1)×(D+1) row-major matrix taking continuous index to world. */
export function indexToWorldMatrix(grid: ImageGrid): number[] {
  const d = grid.size.length;
  const n = d + 1;
  const m = new Array<number>(n * n).fill(0);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) m[r * n + c] = grid.direction[r * d + c] * grid.spacing[c];
    m[r * n + d] = grid.origin[r];
  }
  m[n * n - 1] = 1;
  return m;
}

export function worldToIndexMatrix(grid: ImageGrid): number[] {
  return invertMatrix(indexToWorldMatrix(grid));
}

export function indexToWorld(grid: ImageGrid, index: ArrayLike<number>, out: number[] = []): number[] {
  const d = grid.size.length;
  for (let r = 0; r < d; r++) {
    let s = grid.origin[r];
    for (let c = 0; c < d; c++) s += grid.direction[r * d + c] * grid.spacing[c] * index[c];
    out[r] = s;
  }
  out.length = d;
  return out;
}

export function worldToIndex(grid: ImageGrid, world: ArrayLike<number>, out: number[] = []): number[] {
  const d = grid.size.length;
  const rel: number[] = [];
  for (let r = 0; r < d; r++) rel[r] = world[r] - grid.origin[r];
  // D is orthonormal for well-formed images, but not always exactly: invert rather than transpose.
  const dInv = invertMatrix(grid.direction);
  multiplyMatrixVector(dInv, rel, out);
  for (let c = 0; c < d; c++) out[c] /= grid.spacing[c];
  return out;
}

/** Whether a world point lies within the grid: within half a voxel of the outer voxel centres (ITK's rule). */
export function containsWorldPoint(grid: ImageGrid, world: ArrayLike<number>): boolean {
  return worldToIndex(grid, world).every((c, a) => c >= -0.5 && c <= grid.size[a] - 0.5);
}

/** Linear index of an integer voxel index, x fastest. */
export function linearIndex(size: readonly number[], index: ArrayLike<number>): number {
  let li = 0;
  for (let a = size.length - 1; a >= 0; a--) li = li * size[a] + index[a];
  return li;
}

/** World-space centre of the grid's field of view. */
export function gridCenter(grid: ImageGrid): number[] {
  return indexToWorld(
    grid,
    grid.size.map((n) => (n - 1) / 2),
  );
}

/** World coordinates of the 2^D corner voxel centres. */
export function gridCorners(grid: ImageGrid): number[][] {
  const d = grid.size.length;
  const corners: number[][] = [];
  for (let bits = 0; bits < 1 << d; bits++) {
    const idx = grid.size.map((n, a) => ((bits >> a) & 1 ? n - 1 : 0));
    corners.push(indexToWorld(grid, idx));
  }
  return corners;
}

/** Largest deviation of D from orthonormality; readers warn past a tolerance. */
export function directionNonOrthogonality(direction: readonly number[]): number {
  const d = Math.round(Math.sqrt(direction.length));
  let worst = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += direction[r * d + i] * direction[r * d + j];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  return worst;
}

export function sameGrid(a: ImageGrid, b: ImageGrid, tolerance = 1e-4): boolean {
  if (a.size.length !== b.size.length) return false;
  const close = (x: readonly number[], y: readonly number[]) => x.every((v, i) => Math.abs(v - y[i]) <= tolerance);
  return a.size.every((n, i) => n === b.size[i]) && close(a.spacing, b.spacing) && close(a.origin, b.origin) && close(a.direction, b.direction);
}

/**
 * A grid covering the same field of view in the same orientation at a new spacing, centred
 * where the old one was: what "resample at 2 mm" means to a user. The size is rounded, so
 * the extent may differ from the old one by up to one new voxel, shared evenly by both ends.
 */
export function regridToSpacing(grid: ImageGrid, spacing: readonly number[]): ImageGrid {
  const d = grid.size.length;
  const size = grid.size.map((n, a) => Math.max(1, Math.round((n * grid.spacing[a]) / spacing[a])));
  const centre = gridCenter(grid);
  const partial: ImageGrid = { size, spacing: spacing.slice(0, d), origin: new Array(d).fill(0), direction: grid.direction.slice() };
  const offset = indexToWorld(partial, size.map((n) => (n - 1) / 2));
  return { ...partial, origin: centre.map((c, a) => c - offset[a]) };
}

export function describeGrid(grid: ImageGrid): string {
  const f = (v: readonly number[], digits = 3) => v.map((x) => +x.toFixed(digits)).join(' × ');
  return `${grid.size.join(' × ')} voxels at ${f(grid.spacing)} mm`;
}
