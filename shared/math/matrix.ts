// Small dense matrices, stored row-major in plain arrays. Sizes here are 2..4, so clarity
// beats cleverness: these run once per image or per transform, never per voxel.

export type Matrix = number[];

export function identityMatrix(n: number): Matrix {
  const m = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

export function matrixOrder(m: ArrayLike<number>): number {
  const n = Math.round(Math.sqrt(m.length));
  if (n * n !== m.length) throw new Error(`not a square matrix: ${m.length} entries`);
  return n;
}

export function transposeMatrix(m: ArrayLike<number>): Matrix {
  const n = matrixOrder(m);
  return Array.from({ length: n * n }, (_, i) => m[(i % n) * n + Math.floor(i / n)]);
}

export function multiplyMatrices(a: ArrayLike<number>, b: ArrayLike<number>): Matrix {
  const n = matrixOrder(a);
  if (matrixOrder(b) !== n) throw new Error('matrix sizes differ');
  const out = new Array<number>(n * n).fill(0);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[r * n + k] * b[k * n + c];
      out[r * n + c] = s;
    }
  return out;
}

export function multiplyMatrixVector(m: ArrayLike<number>, v: ArrayLike<number>, out: number[] = []): number[] {
  const n = v.length;
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += m[r * n + k] * v[k];
    out[r] = s;
  }
  out.length = n;
  return out;
}

/** Gauss-Jordan with partial pivoting; throws on a singular matrix rather than returning garbage. */
export function invertMatrix(m: ArrayLike<number>): Matrix {
  const n = matrixOrder(m);
  const a = Array.from(m);
  const inv = identityMatrix(n);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    const p = a[pivot * n + col];
    if (Math.abs(p) < 1e-12) throw new Error('matrix is singular');
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]];
        [inv[col * n + c], inv[pivot * n + c]] = [inv[pivot * n + c], inv[col * n + c]];
      }
    }
    for (let c = 0; c < n; c++) {
      a[col * n + c] /= p;
      inv[col * n + c] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col];
      if (f === 0) continue;
      for (let c = 0; c < n; c++) {
        a[r * n + c] -= f * a[col * n + c];
        inv[r * n + c] -= f * inv[col * n + c];
      }
    }
  }
  return inv;
}

export function determinant(m: ArrayLike<number>): number {
  const n = matrixOrder(m);
  if (n === 1) return m[0];
  if (n === 2) return m[0] * m[3] - m[1] * m[2];
  if (n === 3)
    return (
      m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
    );
  // Larger sizes: LU by elimination.
  const a = Array.from(m);
  let det = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    if (a[pivot * n + col] === 0) return 0;
    if (pivot !== col) {
      det = -det;
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]];
    }
    det *= a[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / a[col * n + col];
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
    }
  }
  return det;
}

/** Largest absolute entry of a - b: how far two matrices are apart, for tolerances. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
