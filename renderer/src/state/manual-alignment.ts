// A manual alignment: the user moves the moving image rigidly (a rotation about its centre,
// then a translation) until it lies over the fixed one, and the registration starts from
// there. As a map of the moving world onto the fixed world:
//   M(p) = R (p − c) + c + t,   R = Rz(γ) · Ry(β) · Rx(α)  (about L, P and S, LPS axes),
// with c the moving image's centre. The moved image is the same voxels on a moved grid
// (direction R·D, origin M(o)), so nothing is resampled to show it. Registration maps fixed
// points to moving points, so it starts from M⁻¹.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { invertMatrix, multiplyMatrices } from '../../../shared/math/matrix';

export interface ManualAlignment {
  /** t, mm along L, P and S. */
  readonly translationMm: readonly [number, number, number];
  /** α, β, γ: degrees about L, P and S (2D images turn about S only). */
  readonly rotationDeg: readonly [number, number, number];
}

export const noAlignment: ManualAlignment = { translationMm: [0, 0, 0], rotationDeg: [0, 0, 0] };

export function isIdentity(a: ManualAlignment): boolean {
  return [...a.translationMm, ...a.rotationDeg].every((v) => v === 0);
}

const radians = Math.PI / 180;

/** R (d×d, row-major) of the alignment; in 2D the turn about S. */
export function rotationOf(a: ManualAlignment, d: number): number[] {
  const [ca, sa] = [Math.cos(a.rotationDeg[0] * radians), Math.sin(a.rotationDeg[0] * radians)];
  const [cb, sb] = [Math.cos(a.rotationDeg[1] * radians), Math.sin(a.rotationDeg[1] * radians)];
  const [cg, sg] = [Math.cos(a.rotationDeg[2] * radians), Math.sin(a.rotationDeg[2] * radians)];
  if (d === 2) return [cg, -sg, sg, cg];
  return [cg * cb, cg * sb * sa - sg * ca, cg * sb * ca + sg * sa, sg * cb, sg * sb * sa + cg * ca, sg * sb * ca - cg * sa, -sb, cb * sa, cb * ca];
}

/** M as a homogeneous (d+1)×(d+1) row-major matrix, about centre `c`. */
export function alignmentMatrix(a: ManualAlignment, center: readonly number[]): number[] {
  const d = center.length;
  const r = rotationOf(a, d);
  const n = d + 1;
  const m = new Array<number>(n * n).fill(0);
  for (let i = 0; i < d; i++) {
    let rc = 0;
    for (let k = 0; k < d; k++) {
      m[i * n + k] = r[i * d + k];
      rc += r[i * d + k] * center[k];
    }
    m[i * n + d] = center[i] + a.translationMm[i] - rc;
  }
  m[n * n - 1] = 1;
  return m;
}

/** The grid that shows the moved image: the same voxels, direction R·D and origin M(o). */
export function movedGrid(grid: ImageGrid, a: ManualAlignment, center: readonly number[]): ImageGrid {
  const d = grid.size.length;
  const m = alignmentMatrix(a, center);
  const n = d + 1;
  const direction: number[] = [];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += m[i * n + k] * grid.direction[k * d + j];
      direction.push(s);
    }
  const origin = [...Array(d).keys()].map((i) => {
    let s = m[i * n + d];
    for (let k = 0; k < d; k++) s += m[i * n + k] * grid.origin[k];
    return s;
  });
  return { ...grid, direction, origin };
}

/** The alignment moved further by `deltaMm` (world, LPS): the image as shown shifts by it. */
export function translated(a: ManualAlignment, deltaMm: readonly number[]): ManualAlignment {
  const t = a.translationMm;
  return { ...a, translationMm: [t[0] + deltaMm[0], t[1] + deltaMm[1], t[2] + (deltaMm[2] ?? 0)] };
}

/**
 * The alignment turned further by `degrees` about the world direction `axis` (a unit vector,
 * right-handed), through the image's centre where it is shown (c + t): Q(M(p) − c − t) + c + t
 * = QR(p − c) + c + t, so R becomes QR and t stays. A 2D image turns in its plane, about S:
 * only the axis's S part counts.
 */
export function turned(a: ManualAlignment, axis: readonly number[], degrees: number, d: number): ManualAlignment {
  if (d === 2) return { ...a, rotationDeg: [0, 0, wrapDegrees(a.rotationDeg[2] + degrees * (axis[2] ?? 0))] };
  return { ...a, rotationDeg: eulerDegrees(multiplyMatrices(axisRotation(axis, degrees * radians), rotationOf(a, 3))) };
}

const wrapDegrees = (v: number) => v - 360 * Math.round(v / 360);

/** Rodrigues: the rotation by `angle` (radians) about the unit vector `u`, row-major 3×3. */
function axisRotation(u: readonly number[], angle: number): number[] {
  const [x, y, z] = u;
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const k = 1 - c;
  return [c + x * x * k, x * y * k - z * s, x * z * k + y * s, y * x * k + z * s, c + y * y * k, y * z * k - x * s, z * x * k - y * s, z * y * k + x * s, c + z * z * k];
}

/** alignment.initialTransform: the rows of [L | t] of M⁻¹ (fixed → moving world). */
export function initialTransformRows(a: ManualAlignment, center: readonly number[]): number[] {
  const inverse = invertMatrix(alignmentMatrix(a, center));
  return inverse.slice(0, inverse.length - (center.length + 1));
}

/**
 * The rigid alignment that best carries the moving points onto their fixed counterparts (least
 * squares: Horn's quaternion method in 3D, the closed form in 2D), about centre `c`. Needs two
 * pairs in 2D, three in 3D; null with fewer, or when the points are all in a line.
 */
export function alignmentFromPairs(pairs: readonly { fixed: readonly number[]; moving: readonly number[] }[], center: readonly number[]): ManualAlignment | null {
  const d = center.length;
  if (pairs.length < d) return null;
  const mean = (pick: 'fixed' | 'moving') => [...Array(d).keys()].map((a) => pairs.reduce((s, p) => s + p[pick][a], 0) / pairs.length);
  const [mf, mm] = [mean('fixed'), mean('moving')];
  // S_ab = Σ m'_a f'_b over centred points.
  const s = new Array<number>(9).fill(0);
  for (const p of pairs)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s[a * 3 + b] += (p.moving[a] - mm[a]) * (p.fixed[b] - mf[b]);
  let rotationDeg: [number, number, number];
  let r: number[];
  if (d === 2) {
    const angle = Math.atan2(s[1] - s[3], s[0] + s[4]);
    if (Math.hypot(s[1] - s[3], s[0] + s[4]) < 1e-9) return null;
    rotationDeg = [0, 0, angle / radians];
    r = rotationOf({ translationMm: [0, 0, 0], rotationDeg }, 2);
  } else {
    const q = largestEigenvector(hornMatrix(s));
    if (!q) return null;
    r = quaternionRotation(q);
    rotationDeg = eulerDegrees(r);
    r = rotationOf({ translationMm: [0, 0, 0], rotationDeg }, 3);
  }
  // R (m̄ − c) + c + t = f̄.
  const t = [...Array(d).keys()].map((i) => {
    let rm = 0;
    for (let k = 0; k < d; k++) rm += r[i * d + k] * (mm[k] - center[k]);
    return mf[i] - center[i] - rm;
  });
  return { translationMm: [t[0], t[1], d === 3 ? t[2] : 0], rotationDeg };
}

/** Horn's 4×4 symmetric matrix: its top eigenvector is the quaternion of the best rotation. */
function hornMatrix(s: readonly number[]): number[] {
  const [xx, xy, xz, yx, yy, yz, zx, zy, zz] = s;
  return [
    xx + yy + zz, yz - zy, zx - xz, xy - yx,
    yz - zy, xx - yy - zz, xy + yx, zx + xz,
    zx - xz, xy + yx, -xx + yy - zz, yz + zy,
    xy - yx, zx + xz, yz + zy, -xx - yy + zz,
  ];
}

/** Jacobi's method on a symmetric 4×4: the eigenvector of the largest eigenvalue, or null if degenerate. */
function largestEigenvector(matrix: readonly number[]): number[] | null {
  const a = [...matrix];
  const v = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[p * 4 + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < 4; p++)
      for (let q = p + 1; q < 4; q++) {
        const apq = a[p * 4 + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * 4 + q] - a[p * 4 + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k * 4 + p];
          const akq = a[k * 4 + q];
          a[k * 4 + p] = c * akp - sn * akq;
          a[k * 4 + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p * 4 + k];
          const aqk = a[q * 4 + k];
          a[p * 4 + k] = c * apk - sn * aqk;
          a[q * 4 + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k * 4 + p];
          const vkq = v[k * 4 + q];
          v[k * 4 + p] = c * vkp - sn * vkq;
          v[k * 4 + q] = sn * vkp + c * vkq;
        }
      }
  }
  const values = [0, 1, 2, 3].map((i) => a[i * 4 + i]);
  const best = values.indexOf(Math.max(...values));
  const sorted = [...values].sort((x, y) => y - x);
  // Points in a line leave the rotation about that line undetermined: a double top eigenvalue.
  if (sorted[0] - sorted[1] < 1e-9 * Math.max(1, Math.abs(sorted[0]))) return null;
  return [0, 1, 2, 3].map((k) => v[k * 4 + best]);
}

function quaternionRotation([w, x, y, z]: readonly number[]): number[] {
  const n = Math.hypot(w, x, y, z);
  [w, x, y, z] = [w / n, x / n, y / n, z / n];
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

/** α, β, γ of R = Rz(γ) Ry(β) Rx(α), degrees. */
function eulerDegrees(r: readonly number[]): [number, number, number] {
  const beta = Math.asin(Math.max(-1, Math.min(1, -r[6])));
  // At β = ±90° only α ∓ γ is defined: all of it goes to γ.
  if (Math.abs(r[6]) > 1 - 1e-12) return [0, beta / radians, Math.atan2(-r[1], r[4]) / radians];
  const alpha = Math.atan2(r[7], r[8]);
  const gamma = Math.atan2(r[3], r[0]);
  return [alpha / radians, beta / radians, gamma / radians];
}
