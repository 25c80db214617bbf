// The deformed-grid overlay: lines of a regular grid in the slice plane, each point x drawn
// where the map sends it, x + u(x). Computed per slice (work ∝ lines × samples, never ∝ the
// volume) and drawn as vector graphics over the view.

import { worldToIndexMatrix } from '../../../shared/geometry/grid';
import { interpolateLinearAt } from '../../../shared/image/interpolate';
import type { VectorImage } from '../../../shared/image/voxel-image';
import { applyAffineToPoint } from '../../../shared/transforms/transform';
import type { SliceBasis } from './orientation';
import { projectedHalfExtents } from './slice-camera';
import { worldBoundingBox } from './grid-view';
import type { Vec3 } from './view-types';
import { addScaled, dot } from './vec3';

export interface DeformedGridOptions {
  /** Distance between grid lines in mm. */
  readonly spacingMm: number;
  /** Samples per grid line segment of one spacing; more is smoother. */
  readonly samplesPerSpacing?: number;
}

/** At most this many lines per direction, whatever the spacing asked for. */
const MAX_LINES = 400;

/**
 * Polylines (world points) of the deformed grid on the plane through `planePoint` seen with
 * `basis`. Lines sit at world-anchored multiples of the spacing, so they do not swim as the
 * view pans; they break where they leave the field's grid.
 */
export function deformedGridLines(field: VectorImage, basis: SliceBasis, planePoint: readonly number[], options: DeformedGridOptions): Vec3[][] {
  const d = field.grid.size.length;
  const box = worldBoundingBox(field.grid);
  const center = [0, 1, 2].map((a) => (box.min[a] + box.max[a]) / 2);
  const [halfU, halfV] = projectedHalfExtents(box, basis);
  const cu = dot(center, basis.right);
  const cv = dot(center, basis.up);
  // The plane's point with (u, v) = (0, 0) in screen coordinates.
  const depth = dot(planePoint, basis.normal);
  const anchor = addScaled([0, 0, 0], basis.normal, depth);

  let spacing = Math.max(options.spacingMm, 1e-3);
  spacing = Math.max(spacing, (2 * Math.max(halfU, halfV)) / MAX_LINES);
  const step = spacing / Math.max(1, Math.round(options.samplesPerSpacing ?? 8));

  const toIndex = worldToIndexMatrix(field.grid);
  const ci: number[] = [];
  const disp: number[] = [];
  const mapped = (p: Vec3): Vec3 | null => {
    applyAffineToPoint(toIndex, p.slice(0, d), ci);
    if (d === 2 && Math.abs(p[2]) > 0.5) return null;
    if (!interpolateLinearAt(field.grid.size, field.pixels, d, ci, disp)) return null;
    return [p[0] + disp[0], p[1] + disp[1], p[2] + (d === 3 ? disp[2] : 0)];
  };

  const lines: Vec3[][] = [];
  const trace = (fixed: 'u' | 'v', at: number, from: number, to: number) => {
    let current: Vec3[] = [];
    for (let s = from; s <= to + 1e-9; s += step) {
      const [u, v] = fixed === 'u' ? [at, s] : [s, at];
      const p = addScaled(addScaled(anchor, basis.right, u), basis.up, v);
      const q = mapped(p);
      if (q) current.push(q);
      else if (current.length) {
        if (current.length > 1) lines.push(current);
        current = [];
      }
    }
    if (current.length > 1) lines.push(current);
  };
  const range = (c: number, half: number) => [Math.ceil((c - half) / spacing) * spacing, c + half] as const;
  const [u0, u1] = range(cu, halfU);
  const [v0, v1] = range(cv, halfV);
  for (let u = u0; u <= u1; u += spacing) trace('u', u, cv - halfV, cv + halfV);
  for (let v = v0; v <= v1; v += spacing) trace('v', v, cu - halfU, cu + halfU);
  return lines;
}
