// Where the moving image shows in the region-based compare modes. Both are regions of the
// slice plane, so they work for images on any grids and cost nothing per voxel:
//   checkerboard  tiles of the plane, world-anchored, alternate fixed and moving;
//   curtain       the moving image shows right of a vertical split line.

import type { SliceBasis } from './orientation';
import { projectedHalfExtents } from './slice-camera';
import type { Vec3, WorldBox } from './view-types';
import { addScaled, dot } from './vec3';

/** A convex quadrilateral in the plane, counter-clockwise as seen by the viewer. */
export type Quad = readonly [Vec3, Vec3, Vec3, Vec3];

/** At most this many tiles along a side; smaller tiles are widened to keep it so. */
const MAX_TILES_PER_SIDE = 256;

function planeFrame(basis: SliceBasis, planePoint: readonly number[], box: WorldBox) {
  const anchor = addScaled([0, 0, 0], basis.normal, dot(planePoint, basis.normal));
  const center = [0, 1, 2].map((a) => (box.min[a] + box.max[a]) / 2);
  const [halfU, halfV] = projectedHalfExtents(box, basis);
  const cu = dot(center, basis.right);
  const cv = dot(center, basis.up);
  const at = (u: number, v: number): Vec3 => addScaled(addScaled(anchor, basis.right, u), basis.up, v);
  const quad = (u0: number, u1: number, v0: number, v1: number): Quad => [at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)];
  return { u0: cu - halfU, u1: cu + halfU, v0: cv - halfV, v1: cv + halfV, quad };
}

/**
 * The tiles of the plane (within `box`) where the moving image shows: tile (i, j) covers
 * u ∈ [i·t, (i+1)·t), v ∈ [j·t, (j+1)·t) and shows the moving image when i + j is odd.
 */
export function checkerboardTiles(basis: SliceBasis, planePoint: readonly number[], box: WorldBox, tileMm: number): Quad[] {
  const f = planeFrame(basis, planePoint, box);
  const tile = Math.max(tileMm, (f.u1 - f.u0) / MAX_TILES_PER_SIDE, (f.v1 - f.v0) / MAX_TILES_PER_SIDE, 1e-3);
  const quads: Quad[] = [];
  for (let i = Math.floor(f.u0 / tile); i * tile < f.u1; i++)
    for (let j = Math.floor(f.v0 / tile); j * tile < f.v1; j++) {
      if (((i + j) & 1) === 0) continue;
      quads.push(f.quad(Math.max(f.u0, i * tile), Math.min(f.u1, (i + 1) * tile), Math.max(f.v0, j * tile), Math.min(f.v1, (j + 1) * tile)));
    }
  return quads;
}

/** Which image a plane point shows in checkerboard mode; the same rule as the tiles. */
export function checkerboardShowsMoving(basis: SliceBasis, p: readonly number[], tileMm: number): boolean {
  const i = Math.floor(dot(p, basis.right) / tileMm);
  const j = Math.floor(dot(p, basis.up) / tileMm);
  return ((i + j) & 1) === 1;
}

/** The part of the plane (within `box`) right of the curtain at screen-right coordinate `splitU` mm. */
export function curtainRegion(basis: SliceBasis, planePoint: readonly number[], box: WorldBox, splitU: number): Quad[] {
  const f = planeFrame(basis, planePoint, box);
  if (splitU >= f.u1) return [];
  return [f.quad(Math.max(f.u0, splitU), f.u1, f.v0, f.v1)];
}
