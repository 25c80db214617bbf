// Transforms are data with a function view. A transform maps a point of the fixed image's
// world (LPS mm) to the corresponding point of the moving image's world: ITK's resampling
// convention, so that warped(x) = moving(T(x)). Keeping them as data makes every result
// inspectable and serializable; `pointMap` gives the function.

import type { ImageGrid } from '../geometry/grid';
import { worldToIndexMatrix } from '../geometry/grid';
import { identityMatrix, invertMatrix, multiplyMatrices } from '../math/matrix';
import { interpolateLinearAt } from '../image/interpolate';

export interface AffineTransform {
  readonly kind: 'affine';
  /** Homogeneous (D+1)×(D+1) matrix, row-major, world to world. */
  readonly matrix: readonly number[];
}

export interface DisplacementFieldTransform {
  readonly kind: 'displacement';
  /** The grid the field is sampled on: the fixed image's grid for registration outputs. */
  readonly grid: ImageGrid;
  /** D interleaved components per voxel: the displacement in world mm (LPS). */
  readonly vectors: Float32Array;
}

export interface CompositeTransform {
  readonly kind: 'composite';
  /** Applied to a point in order: sequence[0] first. (ITK's queue holds the reverse.) */
  readonly sequence: readonly Transform[];
}

export type Transform = AffineTransform | DisplacementFieldTransform | CompositeTransform;

export type PointMap = (p: readonly number[]) => number[];

export function transformDimension(t: Transform): number {
  switch (t.kind) {
    case 'affine':
      return Math.round(Math.sqrt(t.matrix.length)) - 1;
    case 'displacement':
      return t.grid.size.length;
    case 'composite':
      if (t.sequence.length === 0) throw new Error('empty composite transform has no dimension');
      return transformDimension(t.sequence[0]);
  }
}

export function identityAffine(dimension: number): AffineTransform {
  return { kind: 'affine', matrix: identityMatrix(dimension + 1) };
}

export function affineFromLinearAndTranslation(linear: readonly number[], translation: readonly number[]): AffineTransform {
  const d = translation.length;
  const n = d + 1;
  const m = identityMatrix(n);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) m[r * n + c] = linear[r * d + c];
    m[r * n + d] = translation[r];
  }
  return { kind: 'affine', matrix: m };
}

export function linearPart(t: AffineTransform): number[] {
  const n = Math.round(Math.sqrt(t.matrix.length));
  const d = n - 1;
  const out: number[] = [];
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) out.push(t.matrix[r * n + c]);
  return out;
}

export function translationPart(t: AffineTransform): number[] {
  const n = Math.round(Math.sqrt(t.matrix.length));
  const d = n - 1;
  const out: number[] = [];
  for (let r = 0; r < d; r++) out.push(t.matrix[r * n + d]);
  return out;
}

export function invertAffine(t: AffineTransform): AffineTransform {
  return { kind: 'affine', matrix: invertMatrix(t.matrix) };
}

/** outer ∘ inner for two affines: apply `inner` first. */
export function composeAffines(outer: AffineTransform, inner: AffineTransform): AffineTransform {
  return { kind: 'affine', matrix: multiplyMatrices(outer.matrix, inner.matrix) };
}

/** The composite that applies `first`, then `then`, flattening nested composites. */
export function composeTransforms(first: Transform, then: Transform): CompositeTransform {
  const steps = (t: Transform): readonly Transform[] => (t.kind === 'composite' ? t.sequence : [t]);
  return { kind: 'composite', sequence: [...steps(first), ...steps(then)] };
}

export function applyAffineToPoint(matrix: readonly number[], p: readonly number[], out: number[] = []): number[] {
  const d = p.length;
  const n = d + 1;
  for (let r = 0; r < d; r++) {
    let s = matrix[r * n + d];
    for (let c = 0; c < d; c++) s += matrix[r * n + c] * p[c];
    out[r] = s;
  }
  out.length = d;
  return out;
}

/**
 * The function view of a transform. For displacement fields, outside the field's grid the
 * displacement is zero, as in ITK's DisplacementFieldTransform.
 */
export function pointMap(t: Transform): PointMap {
  switch (t.kind) {
    case 'affine':
      return (p) => applyAffineToPoint(t.matrix, p);
    case 'displacement': {
      const toIndex = worldToIndexMatrix(t.grid);
      const d = t.grid.size.length;
      const ci: number[] = [];
      const u: number[] = [];
      return (p) => {
        applyAffineToPoint(toIndex, p, ci);
        if (!interpolateLinearAt(t.grid.size, t.vectors, d, ci, u)) return p.slice();
        return p.map((x, a) => x + u[a]);
      };
    }
    case 'composite': {
      const maps = t.sequence.map(pointMap);
      return (p) => maps.reduce<number[]>((q, f) => f(q), p.slice());
    }
  }
}
