// det(I + ∇u) at points, for a displacement field u (world mm) interpolated linearly on a grid,
// as a plain loop (no tfjs): the typed-array kernel (displacement-jacobian.ts) and the kernel
// threads (row-resampling-loops.ts) both run it.

/** det(I + ∇u · W) at each point (field index units). */
export function determinantsAt(field: Float32Array, shape: readonly number[], points: Float32Array, w: readonly number[], out: Float32Array): void {
  const D = shape.length - 1;
  const C = shape[D];
  const nx = shape[D - 1];
  const ny = shape[D - 2];
  const nz = D === 3 ? shape[0] : 1;
  const sy = nx * C;
  const sz = nx * ny * C;
  const g = new Float64Array(9); // ∂u_c/∂i_a, row c
  const count = points.length / D;
  for (let p = 0; p < count; p++) {
    // 'border' padding, as fields are sampled: clamp, and a clamped axis has no derivative.
    let x = points[p * D], y = points[p * D + 1], z = D === 3 ? points[p * 3 + 2] : 0;
    const gx = x > 0 && x < nx - 1 ? 1 : 0, gy = y > 0 && y < ny - 1 ? 1 : 0, gz = z > 0 && z < nz - 1 ? 1 : 0;
    x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
    y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
    z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
    const xf = Math.floor(x), yf = Math.floor(y), zf = Math.floor(z);
    const fx = x - xf, fy = y - yf, fz = z - zf, ax = 1 - fx, ay = 1 - fy, az = 1 - fz;
    const x0 = xf * C, y0 = yf * sy, z0 = zf * sz;
    const x1 = Math.min(nx - 1, xf + 1) * C, y1 = Math.min(ny - 1, yf + 1) * sy, z1 = Math.min(nz - 1, zf + 1) * sz;
    const b00 = z0 + y0, b10 = z0 + y1, b01 = z1 + y0, b11 = z1 + y1;
    for (let c = 0; c < D; c++) {
      const v000 = field[b00 + x0 + c], v100 = field[b00 + x1 + c], v010 = field[b10 + x0 + c], v110 = field[b10 + x1 + c];
      const v001 = field[b01 + x0 + c], v101 = field[b01 + x1 + c], v011 = field[b11 + x0 + c], v111 = field[b11 + x1 + c];
      g[c * 3] = gx * (az * (ay * (v100 - v000) + fy * (v110 - v010)) + fz * (ay * (v101 - v001) + fy * (v111 - v011)));
      g[c * 3 + 1] = gy * (az * (ax * (v010 - v000) + fx * (v110 - v100)) + fz * (ax * (v011 - v001) + fx * (v111 - v101)));
      g[c * 3 + 2] = gz * (ay * (ax * (v001 - v000) + fx * (v101 - v100)) + fy * (ax * (v011 - v010) + fx * (v111 - v110)));
    }
    // F = I + G·W (world derivatives), then its determinant.
    if (D === 2) {
      const f00 = 1 + g[0] * w[0] + g[1] * w[2], f01 = g[0] * w[1] + g[1] * w[3];
      const f10 = g[3] * w[0] + g[4] * w[2], f11 = 1 + g[3] * w[1] + g[4] * w[3];
      out[p] = f00 * f11 - f01 * f10;
      continue;
    }
    // (No helper closure here: a function created per point costs more than the arithmetic.)
    const f00 = 1 + g[0] * w[0] + g[1] * w[3] + g[2] * w[6], f01 = g[0] * w[1] + g[1] * w[4] + g[2] * w[7], f02 = g[0] * w[2] + g[1] * w[5] + g[2] * w[8];
    const f10 = g[3] * w[0] + g[4] * w[3] + g[5] * w[6], f11 = 1 + g[3] * w[1] + g[4] * w[4] + g[5] * w[7], f12 = g[3] * w[2] + g[4] * w[5] + g[5] * w[8];
    const f20 = g[6] * w[0] + g[7] * w[3] + g[8] * w[6], f21 = g[6] * w[1] + g[7] * w[4] + g[8] * w[7], f22 = 1 + g[6] * w[2] + g[7] * w[5] + g[8] * w[8];
    out[p] = f00 * (f11 * f22 - f12 * f21) - f01 * (f10 * f22 - f12 * f20) + f02 * (f10 * f21 - f11 * f20);
  }
}
