// Resampling onto a target grid row by row, without materializing its points: the maps that
// take a target voxel to the source are affine in its index, so each row's points are made
// inside the loop (a 1 mm brain's outputs are 7 M voxels: as a point array, 85 MB of
// coordinates per quantity). Plain loops over arrays, with no tfjs, so that the kernel threads
// run them too (kernel-pool/pool-tasks.ts): every row is computed alone, so any split of the
// rows gives the same numbers.
//
// Rows are numbered over the whole target grid, x lines in memory order: row r is (y, z) =
// (r mod ny, ⌊r / ny⌋) in 3D and y = r in 2D. A slab of slices [first, last) of the slowest
// axis is the rows slabRows gives.

import { determinantsAt } from './jacobian-determinant-loops';
import type { GridShape, Interpolation, Padding } from './grid-sampling-loops';
import { sampleGrid } from './grid-sampling-loops';

/** How a target grid's voxels map into a source's index space. */
export interface RowMap {
  /** Target grid size, x fastest. */
  readonly size: readonly number[];
  /** (D+1)² homogeneous: target index → source index (after the displacement, if any). */
  readonly map: readonly number[];
  /** D×D: displacement vector (mm) → source index units; empty without a displacement. */
  readonly vectorMap: readonly number[];
}

/** The rows [first, last) of the slices [first, last) of the slowest target axis. */
export function slabRows(size: readonly number[], first: number, last: number): [number, number] {
  const perSlice = size.length === 3 ? size[1] : 1;
  return [first * perSlice, last * perSlice];
}

/** Rows in a target grid of `size`. */
export function rowCount(size: readonly number[]): number {
  return size.length === 3 ? size[1] * size[2] : size[1];
}

/**
 * Calls `visit(rowPoints, offset)` for the rows [firstRow, lastRow) with each row's points
 * mapped by `map` (homogeneous) plus `vectorMap` · displacement when given. `offset` is the row's
 * first voxel counted from the first row's; `displacement` holds D values per voxel from the
 * first row's first voxel on.
 */
export function forEachRow(
  a: Pick<RowMap, 'size' | 'map'> & { readonly vectorMap?: readonly number[] },
  firstRow: number,
  lastRow: number,
  displacement: Float32Array | undefined,
  visit: (points: Float32Array, offset: number) => void,
): void {
  const d = a.size.length;
  const n = d + 1;
  const nx = a.size[0];
  const ny = a.size[1];
  const m = a.map;
  const v = a.vectorMap ?? [];
  const row = new Float32Array(nx * d);
  // Written for 3 components; a 2D map is padded to 3D with z = 0 (its third row and column
  // are zero, so the third coordinate is computed and dropped).
  const m3 = (r: number, c: number) => (r < d && c < d ? m[r * n + c] : 0);
  const t3 = (r: number) => (r < d ? m[r * n + d] : 0);
  const v3 = (r: number, c: number) => (displacement && r < d && c < d ? v[r * d + c] : 0);
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = [m3(0, 0), m3(0, 1), m3(0, 2), m3(1, 0), m3(1, 1), m3(1, 2), m3(2, 0), m3(2, 1), m3(2, 2)];
  const [b00, b01, b02, b10, b11, b12, b20, b21, b22] = [v3(0, 0), v3(0, 1), v3(0, 2), v3(1, 0), v3(1, 1), v3(1, 2), v3(2, 0), v3(2, 1), v3(2, 2)];
  const u = displacement ?? new Float32Array(0);
  let offset = 0;
  for (let r = firstRow; r < lastRow; r++) {
    const y = d === 3 ? r % ny : r;
    const z = d === 3 ? Math.floor(r / ny) : 0;
    // The row's first point, then one step of column 0 per x: the map is affine.
    let p0 = t3(0) + a01 * y + a02 * z;
    let p1 = t3(1) + a11 * y + a12 * z;
    let p2 = t3(2) + a21 * y + a22 * z;
    for (let x = 0, o = offset * d, w = 0; x < nx; x++, o += d) {
      let q0 = p0, q1 = p1, q2 = p2;
      if (displacement) {
        const u0 = u[o], u1 = u[o + 1], u2 = d === 3 ? u[o + 2] : 0;
        q0 += b00 * u0 + b01 * u1 + b02 * u2;
        q1 += b10 * u0 + b11 * u1 + b12 * u2;
        q2 += b20 * u0 + b21 * u1 + b22 * u2;
      }
      row[w++] = q0;
      row[w++] = q1;
      if (d === 3) row[w++] = q2;
      p0 += a00;
      p1 += a10;
      p2 += a20;
    }
    visit(row, offset);
    offset += nx;
  }
}

/**
 * `image` (shape `shape`, C channels) sampled at the target voxels of rows [firstRow, lastRow),
 * into `out` ([voxels, C], from the first row's first voxel). `displacement`, when given, is
 * per voxel from the same first voxel.
 */
export function resampleRows(
  image: Float32Array,
  shape: GridShape,
  a: RowMap,
  firstRow: number,
  lastRow: number,
  displacement: Float32Array | undefined,
  out: Float32Array,
  padding: Padding,
  interpolation: Interpolation,
): void {
  const c = shape.channels;
  const nx = a.size[0];
  forEachRow(a, firstRow, lastRow, displacement, (points, offset) => sampleGrid(image, shape, points, out.subarray(offset * c, (offset + nx) * c), padding, interpolation));
}

/**
 * det(I + ∇u · W) of a displacement field u (tensor shape `fieldShape`) at the target voxels
 * of rows [firstRow, lastRow), each times `scale` in float32 (as tfjs multiplies), into `out`:
 * `map` takes target indices to the field's, `worldToIndex` (W) world vectors to its index units.
 */
export function determinantRows(
  field: Float32Array,
  fieldShape: readonly number[],
  a: Pick<RowMap, 'size' | 'map'>,
  worldToIndex: readonly number[],
  scale: number,
  firstRow: number,
  lastRow: number,
  out: Float32Array,
): void {
  const nx = a.size[0];
  // The product of two float32 values is exact in double precision: one rounding, as the
  // Float32Array stores it, gives float32 multiplication's bits.
  const s = Math.fround(scale);
  forEachRow(a, firstRow, lastRow, undefined, (points, offset) => {
    const row = out.subarray(offset, offset + nx);
    determinantsAt(field, fieldShape, points, worldToIndex, row);
    if (s !== 1) for (let i = 0; i < nx; i++) row[i] *= s;
  });
}
