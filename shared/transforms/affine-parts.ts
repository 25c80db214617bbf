// An affine map's parts as a person reads them: A(x) = R · S · K · x + t, with R a rotation,
// S the scales along the axes (negative for a mirror), K a shear (unit upper triangular) and t
// the translation. This is the QR factorization of the linear part (Gram–Schmidt on its
// columns), the order ITK's ScaleSkewVersor3DTransform and Slicer's transform panel use. Axes
// are LPS; the map goes from the fixed image's world to the moving image's, as everywhere.

export interface AffineParts {
  readonly dimension: number;
  /** Rotation matrix R, D×D row-major (a proper rotation: det R = 1). */
  readonly rotation: readonly number[];
  /** The total rotation angle in degrees (0 to 180). */
  readonly angleDegrees: number;
  /**
   * 3D: angles in degrees about the x (L), y (P) and z (S) axes, applied in that order
   * (R = Rz · Ry · Rx). 2D: one angle, counter-clockwise from x towards y.
   */
  readonly eulerDegrees: readonly number[];
  /** Scale along each axis; a negative one mirrors that axis. */
  readonly scales: readonly number[];
  /** Shears K[i][j] for i < j, in row order: xy (2D); xy, xz, yz (3D). */
  readonly shears: readonly number[];
  /** t, in mm. */
  readonly translation: readonly number[];
}

const degrees = (radians: number) => (radians * 180) / Math.PI;

/** Splits a homogeneous (D+1)×(D+1) row-major matrix (D = 2 or 3) into its parts. */
export function affineParts(matrix: readonly number[]): AffineParts {
  const n = Math.round(Math.sqrt(matrix.length));
  const d = n - 1;
  if (n * n !== matrix.length || (d !== 2 && d !== 3)) throw new Error(`affineParts: a 3×3 or 4×4 matrix is needed, got ${matrix.length} numbers`);
  const linear = (r: number, c: number) => matrix[r * n + c];
  // Gram–Schmidt on the columns: column j = Σ_i q_i U[i][j], q orthonormal, U upper triangular.
  const q: number[][] = [];
  const u: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    const v = Array.from({ length: d }, (_, r) => linear(r, j));
    for (let i = 0; i < j; i++) {
      u[i][j] = q[i].reduce((s, qi, r) => s + qi * linear(r, j), 0);
      for (let r = 0; r < d; r++) v[r] -= u[i][j] * q[i][r];
    }
    u[j][j] = Math.hypot(...v);
    q.push(v.map((x) => x / (u[j][j] || 1)));
  }
  // A mirror shows as a negative scale on the last axis, so that R stays a rotation.
  const det = d === 2 ? q[0][0] * q[1][1] - q[1][0] * q[0][1] : q[0][0] * (q[1][1] * q[2][2] - q[2][1] * q[1][2]) - q[1][0] * (q[0][1] * q[2][2] - q[2][1] * q[0][2]) + q[2][0] * (q[0][1] * q[1][2] - q[1][1] * q[0][2]);
  if (det < 0) {
    q[d - 1] = q[d - 1].map((x) => -x);
    u[d - 1] = u[d - 1].map((x) => -x);
  }
  const rotation: number[] = [];
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) rotation.push(q[c][r]);
  const R = (r: number, c: number) => rotation[r * d + c];
  const scales = u.map((row, i) => row[i]);
  const shears: number[] = [];
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) shears.push(u[i][j] / scales[i]);
  const trace = rotation.filter((_, k) => k % (d + 1) === 0).reduce((a, b) => a + b, 0);
  const angleDegrees = d === 2 ? Math.abs(degrees(Math.atan2(R(1, 0), R(0, 0)))) : degrees(Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2))));
  const eulerDegrees =
    d === 2 ? [degrees(Math.atan2(R(1, 0), R(0, 0)))] : [degrees(Math.atan2(R(2, 1), R(2, 2))), degrees(-Math.asin(Math.min(1, Math.max(-1, R(2, 0))))), degrees(Math.atan2(R(1, 0), R(0, 0)))];
  return { dimension: d, rotation, angleDegrees, eulerDegrees, scales, shears, translation: Array.from({ length: d }, (_, r) => matrix[r * n + d]) };
}
