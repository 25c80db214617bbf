// The loops behind the slab kernels (slab-resampling.ts), apart from tfjs so that the kernel
// threads (kernel-pool/) run them too. A slab is the range [first, last) of the slowest target
// axis (z in 3D, y in 2D); its rows (x lines) are numbered from 0, y fastest in 3D, and any range
// of rows can be computed alone: each voxel's value depends on its own point only.

import { determinantsAt } from './jacobian-loops';
import type { Interpolation, Padding } from './grid-sampling-loops';
import { gridShapeOf, sampleGrid } from './grid-sampling-loops';

export interface SlabAttrs {
  size: number[];
  first: number;
  last: number;
  /** (D+1)² homogeneous: target index → source index (after the displacement, if any). */
  map: number[];
  /** D×D: displacement vector (mm) → source index units; empty without a displacement. */
  vectorMap: number[];
  padding: Padding;
  interpolation: Interpolation;
}

export function slabCount(a: { size: number[]; first: number; last: number }): number {
  const d = a.size.length;
  return a.size.slice(0, d - 1).reduce((x, y) => x * y, 1) * (a.last - a.first);
}

/** The slab's rows (x lines). */
export function slabRows(a: { size: number[]; first: number; last: number }): number {
  return slabCount(a) / a.size[0];
}

/**
 * Calls `visit(rowPoints, rowOffset)` for rows [rowFirst, rowLast) of the slab with the row's
 * points mapped by `map` (homogeneous) plus `vectorMap` · displacement when given;
 * `rowOffset` counts voxels from the slab's start.
 */
export function forEachRow(
  a: SlabAttrs,
  displacement: Float32Array | undefined,
  visit: (points: Float32Array, offset: number) => void,
  rowFirst = 0,
  rowLast = slabRows(a),
): void {
  const d = a.size.length;
  const n = d + 1;
  const nx = a.size[0];
  const m = a.map;
  const v = a.vectorMap;
  const row = new Float32Array(nx * d);
  // Rows of a 3D slab are (z, y) with y fastest; of a 2D slab, y.
  const ny = d === 3 ? a.size[1] : 1;
  // Written for 3 components; a 2D map is padded to 3D with z = 0 (its third row and column
  // are zero, so the third coordinate is computed and dropped).
  const m3 = (r: number, c: number) => (r < d && c < d ? m[r * n + c] : 0);
  const t3 = (r: number) => (r < d ? m[r * n + d] : 0);
  const v3 = (r: number, c: number) => (displacement && r < d && c < d ? v[r * d + c] : 0);
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = [m3(0, 0), m3(0, 1), m3(0, 2), m3(1, 0), m3(1, 1), m3(1, 2), m3(2, 0), m3(2, 1), m3(2, 2)];
  const [b00, b01, b02, b10, b11, b12, b20, b21, b22] = [v3(0, 0), v3(0, 1), v3(0, 2), v3(1, 0), v3(1, 1), v3(1, 2), v3(2, 0), v3(2, 1), v3(2, 2)];
  const zero = new Float32Array(0);
  const u = displacement ?? zero;
  for (let r = rowFirst; r < rowLast; r++) {
    const y = d === 3 ? r % ny : a.first + r;
    const z = d === 3 ? a.first + Math.floor(r / ny) : 0;
    const offset = r * nx;
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
  }
}

/** Rows [rowFirst, rowLast) of the slab's samples of `image` (tensor shape `imageShape`, [..., C]) into `out`, [count, C]. */
export function resampleRows(
  image: Float32Array,
  imageShape: readonly number[],
  displacement: Float32Array | undefined,
  out: Float32Array,
  a: SlabAttrs,
  rowFirst?: number,
  rowLast?: number,
): void {
  const shape = gridShapeOf(imageShape);
  const c = shape.channels;
  const nx = a.size[0];
  forEachRow(a, displacement, (points, offset) => sampleGrid(image, shape, points, out.subarray(offset * c, (offset + nx) * c), a.padding, a.interpolation), rowFirst, rowLast);
}

/** Rows [rowFirst, rowLast) of det(I + ∇u) over the slab, for the field `field` of tensor shape `fieldShape`. */
export function determinantRows(field: Float32Array, fieldShape: readonly number[], out: Float32Array, a: SlabAttrs, rowFirst?: number, rowLast?: number): void {
  const nx = a.size[0];
  forEachRow(a, undefined, (points, offset) => determinantsAt(field, fieldShape, points, a.vectorMap, out.subarray(offset, offset + nx)), rowFirst, rowLast);
}
