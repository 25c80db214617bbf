// World coordinates of a grid's voxels, a slab of z-planes at a time so that memory stays
// bounded on large grids.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorldMatrix } from '../../../shared/geometry/grid';

/** Planes per slab: about a million points. */
export function slabDepth(grid: ImageGrid): number {
  const plane = grid.size[0] * grid.size[1];
  return Math.max(1, Math.floor(1_000_000 / plane));
}

/** World points of voxels with z in [zStart, zEnd) (2D grids: the whole grid), x fastest. */
export function slabWorldPoints(grid: ImageGrid, zStart: number, zEnd: number): Float64Array {
  const d = grid.size.length;
  const m = indexToWorldMatrix(grid);
  const n = d + 1;
  const [nx, ny] = grid.size;
  const nz = d === 3 ? zEnd - zStart : 1;
  const out = new Float64Array(nx * ny * nz * d);
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const index = d === 3 ? [x, y, z + zStart] : [x, y];
        for (let r = 0; r < d; r++) {
          let s = m[r * n + d];
          for (let c = 0; c < d; c++) s += m[r * n + c] * index[c];
          out[o++] = s;
        }
      }
  return out;
}

export function slabRanges(grid: ImageGrid): [number, number][] {
  if (grid.size.length === 2) return [[0, 1]];
  const depth = slabDepth(grid);
  const ranges: [number, number][] = [];
  for (let z = 0; z < grid.size[2]; z += depth) ranges.push([z, Math.min(grid.size[2], z + depth)]);
  return ranges;
}
