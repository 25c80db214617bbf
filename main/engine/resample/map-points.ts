// The function view of a transform, in bulk: many points at once, without allocating per
// point. Used wherever a transform read from a file is applied (ximorph warp, ximorph
// jacobian, resampling for display); shared/transforms/transform.ts's pointMap is the
// point-by-point reference these agree with.

import type { Transform } from '../../../shared/transforms/transform';
import { transformDimension } from '../../../shared/transforms/transform';
import { worldToIndexMatrix } from '../../../shared/geometry/grid';

/** Points as one flat array, D coordinates per point (world mm, LPS). */
export type PointArray = Float64Array;

function applyAffineInPlace(matrix: readonly number[], points: PointArray, d: number): void {
  const n = d + 1;
  const p = new Float64Array(d);
  for (let i = 0; i < points.length; i += d) {
    for (let a = 0; a < d; a++) p[a] = points[i + a];
    for (let r = 0; r < d; r++) {
      let s = matrix[r * n + d];
      for (let c = 0; c < d; c++) s += matrix[r * n + c] * p[c];
      points[i + r] = s;
    }
  }
}

/**
 * The continuous index of point `p` (at `offset` in `points`) through a homogeneous
 * world-to-index matrix, into `out`; false when it lies outside the grid by ITK's rule
 * (more than half a voxel past the outer voxel centres).
 */
export function continuousIndexOf(toIndex: readonly number[], size: readonly number[], points: Float64Array, offset: number, out: Float64Array): boolean {
  const d = size.length;
  const n = d + 1;
  let inside = true;
  for (let r = 0; r < d; r++) {
    let s = toIndex[r * n + d];
    for (let c = 0; c < d; c++) s += toIndex[r * n + c] * points[offset + c];
    out[r] = s;
    if (!(s >= -0.5 && s <= size[r] - 0.5)) inside = false;
  }
  return inside;
}

/** Adds the field's displacement, linearly interpolated (ITK's border rule; zero outside). */
function addDisplacementInPlace(t: Extract<Transform, { kind: 'displacement' }>, points: PointArray, d: number): void {
  const toIndex = worldToIndexMatrix(t.grid);
  const size = t.grid.size;
  const v = t.vectors;
  const ci = new Float64Array(d);
  const base = new Int32Array(d);
  const frac = new Float64Array(d);
  const strides = [1, size[0], size[0] * (size[1] ?? 1)];
  for (let i = 0; i < points.length; i += d) {
    if (!continuousIndexOf(toIndex, size, points, i, ci)) continue;
    for (let a = 0; a < d; a++) {
      const f = Math.floor(ci[a]);
      base[a] = f;
      frac[a] = ci[a] - f;
    }
    for (let corner = 0; corner < 1 << d; corner++) {
      let w = 1;
      let li = 0;
      for (let a = 0; a < d; a++) {
        const bit = (corner >> a) & 1;
        w *= bit ? frac[a] : 1 - frac[a];
        li += Math.min(size[a] - 1, Math.max(0, base[a] + bit)) * strides[a];
      }
      if (w === 0) continue;
      for (let a = 0; a < d; a++) points[i + a] += w * v[li * d + a];
    }
  }
}

/** Maps the points through the transform, in place. */
export function mapPointsInPlace(transform: Transform, points: PointArray): void {
  const d = transformDimension(transform);
  switch (transform.kind) {
    case 'affine':
      return applyAffineInPlace(transform.matrix, points, d);
    case 'displacement':
      return addDisplacementInPlace(transform, points, d);
    case 'composite':
      for (const step of transform.sequence) mapPointsInPlace(step, points);
  }
}
