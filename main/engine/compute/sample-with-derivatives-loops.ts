// Linear interpolation and its derivative with respect to the point, in one pass over the
// image. The optimizer samples the other image's signal at moved points and, in the backward
// pass, needs ∂value/∂point at the very same points. Read twice, a full-resolution signal costs
// two cache misses per neighbour: at a registration's 30 000 scattered points per step the
// backward's second read of a 1 mm brain's 28 MB took 2.0 s of the 11 s optimization (profile).
// Here the forward keeps the derivatives, and the backward is a dot product (savedPointGradient).
//
// The arithmetic is sampleGrid's and sampleGridPointGradient's (grid-sampling-loops.ts), term
// for term, so that the fused path gives the same numbers as the two kernels it replaces; and,
// as there, the neighbourhood is written out in each loop rather than shared through a helper,
// which V8 would not keep in registers (that file's header gives the measurement).
//
// Layout of `out`: per point, the C values, then the C·D derivatives (channel-major, axis
// fastest), each already zero on an axis that 'border' padding clamps.

import type { GridShape } from './grid-sampling-loops';

/** What the layout of the samples depends on. */
export type SampleShape = Pick<GridShape, 'channels' | 'dimension'>;

/** Values and derivatives per point: C·(1 + D). */
export function valuesWithDerivativesWidth(shape: SampleShape): number {
  return shape.channels * (1 + shape.dimension);
}

function sampleWithDerivatives3(image: Float32Array, shape: GridShape, points: Float32Array, out: Float32Array, zeros: boolean): void {
  const { nx, ny, nz, channels: C } = shape;
  const W = C * 4;
  const count = points.length / 3;
  const sy = nx * C;
  const sz = nx * ny * C;
  const mx = nx - 1, my = ny - 1, mz = nz - 1;
  for (let p = 0; p < count; p++) {
    let x = points[3 * p], y = points[3 * p + 1], z = points[3 * p + 2];
    const o = p * W;
    let gx = 1, gy = 1, gz = 1;
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5 && z >= -0.5 && z <= nz - 0.5)) {
        for (let k = 0; k < W; k++) out[o + k] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y && z === z)) {
        for (let k = 0; k < W; k++) out[o + k] = 0;
        continue;
      }
      // A clamped axis has zero derivative: the value does not move with the point.
      if (!(x > 0 && x < mx)) {
        gx = 0;
        x = x < 0 ? 0 : x > mx ? mx : x;
      }
      if (!(y > 0 && y < my)) {
        gy = 0;
        y = y < 0 ? 0 : y > my ? my : y;
      }
      if (!(z > 0 && z < mz)) {
        gz = 0;
        z = z < 0 ? 0 : z > mz ? mz : z;
      }
    }
    const xf = Math.floor(x), yf = Math.floor(y), zf = Math.floor(z);
    const fx = x - xf, fy = y - yf, fz = z - zf;
    const x0 = (xf < 0 ? 0 : xf) * C, y0 = (yf < 0 ? 0 : yf) * sy, z0 = (zf < 0 ? 0 : zf) * sz;
    const x1 = (xf + 1 > mx ? mx : xf + 1) * C, y1 = (yf + 1 > my ? my : yf + 1) * sy, z1 = (zf + 1 > mz ? mz : zf + 1) * sz;
    const ax = 1 - fx, ay = 1 - fy, az = 1 - fz;
    const b00 = z0 + y0, b10 = z0 + y1, b01 = z1 + y0, b11 = z1 + y1;
    for (let c = 0; c < C; c++) {
      const v000 = image[b00 + x0 + c], v100 = image[b00 + x1 + c], v010 = image[b10 + x0 + c], v110 = image[b10 + x1 + c];
      const v001 = image[b01 + x0 + c], v101 = image[b01 + x1 + c], v011 = image[b11 + x0 + c], v111 = image[b11 + x1 + c];
      const i00 = v000 + fx * (v100 - v000);
      const i10 = v010 + fx * (v110 - v010);
      const i01 = v001 + fx * (v101 - v001);
      const i11 = v011 + fx * (v111 - v011);
      const j0 = i00 + fy * (i10 - i00);
      out[o + c] = j0 + fz * (i01 + fy * (i11 - i01) - j0);
      const d = o + C + 3 * c;
      out[d] = (az * (ay * (v100 - v000) + fy * (v110 - v010)) + fz * (ay * (v101 - v001) + fy * (v111 - v011))) * gx;
      out[d + 1] = (az * (ax * (v010 - v000) + fx * (v110 - v100)) + fz * (ax * (v011 - v001) + fx * (v111 - v101))) * gy;
      out[d + 2] = (ay * (ax * (v001 - v000) + fx * (v101 - v100)) + fy * (ax * (v011 - v010) + fx * (v111 - v110))) * gz;
    }
  }
}

function sampleWithDerivatives2(image: Float32Array, shape: GridShape, points: Float32Array, out: Float32Array, zeros: boolean): void {
  const { nx, ny, channels: C } = shape;
  const W = C * 3;
  const count = points.length / 2;
  const sy = nx * C;
  const mx = nx - 1, my = ny - 1;
  for (let p = 0; p < count; p++) {
    let x = points[2 * p], y = points[2 * p + 1];
    const o = p * W;
    let gx = 1, gy = 1;
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5)) {
        for (let k = 0; k < W; k++) out[o + k] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y)) {
        for (let k = 0; k < W; k++) out[o + k] = 0;
        continue;
      }
      if (!(x > 0 && x < mx)) {
        gx = 0;
        x = x < 0 ? 0 : x > mx ? mx : x;
      }
      if (!(y > 0 && y < my)) {
        gy = 0;
        y = y < 0 ? 0 : y > my ? my : y;
      }
    }
    const xf = Math.floor(x), yf = Math.floor(y);
    const fx = x - xf, fy = y - yf;
    const x0 = (xf < 0 ? 0 : xf) * C, y0 = (yf < 0 ? 0 : yf) * sy;
    const x1 = (xf + 1 > mx ? mx : xf + 1) * C, y1 = (yf + 1 > my ? my : yf + 1) * sy;
    const ax = 1 - fx, ay = 1 - fy;
    for (let c = 0; c < C; c++) {
      const v00 = image[y0 + x0 + c], v10 = image[y0 + x1 + c], v01 = image[y1 + x0 + c], v11 = image[y1 + x1 + c];
      const i0 = v00 + fx * (v10 - v00);
      const i1 = v01 + fx * (v11 - v01);
      out[o + c] = i0 + fy * (i1 - i0);
      const d = o + C + 2 * c;
      out[d] = (ay * (v10 - v00) + fy * (v11 - v01)) * gx;
      out[d + 1] = (ax * (v01 - v00) + fx * (v11 - v10)) * gy;
    }
  }
}

/** out[p] = the C linearly interpolated values at point p, then their C·D derivatives. */
export function sampleGridWithDerivatives(image: Float32Array, shape: GridShape, points: Float32Array, out: Float32Array, zeros: boolean): void {
  (shape.dimension === 3 ? sampleWithDerivatives3 : sampleWithDerivatives2)(image, shape, points, out, zeros);
}

/** The values alone, [n, C], out of sampleGridWithDerivatives's output. */
export function valuesOfSamples(samples: Float32Array, shape: SampleShape, values: Float32Array): void {
  const C = shape.channels;
  const W = valuesWithDerivativesWidth(shape);
  const count = samples.length / W;
  for (let p = 0; p < count; p++) for (let c = 0; c < C; c++) values[p * C + c] = samples[p * W + c];
}

/**
 * The vector-Jacobian product with respect to the points from saved derivatives:
 * grad[p, a] = Σ_c dy[p, c] ∂value_c/∂x_a, summed in channel order as sampleGridPointGradient sums.
 */
export function savedPointGradient(samples: Float32Array, shape: SampleShape, dy: Float32Array, grad: Float32Array): void {
  const { channels: C, dimension: D } = shape;
  const W = valuesWithDerivativesWidth(shape);
  const count = samples.length / W;
  for (let p = 0; p < count; p++) {
    const d = p * W + C;
    for (let a = 0; a < D; a++) {
      let s = 0;
      for (let c = 0; c < C; c++) {
        const g = dy[p * C + c];
        if (g !== 0) s += g * samples[d + c * D + a];
      }
      grad[p * D + a] = s;
    }
  }
}
