// The loops behind the grid-sampling kernels: interpolation of a channels-last image at
// continuous voxel indices, its derivative with respect to the indices, and its adjoint (the
// scatter that is the derivative with respect to the image). Written once for 2D and 3D: a 2D
// image is a 3D image with one slice, and its points sit on that slice.
//
// Layout: image values are x-fastest with `channels` interleaved (tensor shape [z, y, x, c] or
// [y, x, c]); points are rows (x, y[, z]) of continuous indices, ITK's axis order.
//
// These loops run on millions of points per call (a 1 mm brain has 7 M voxels), so the
// neighbourhood arithmetic is written out in each loop rather than behind a helper: V8 keeps it
// all in registers that way (measured 25 vs 44 ns per point with a shared helper object).

export type Padding = 'zeros' | 'border';
export type Interpolation = 'linear' | 'nearest';

export interface GridShape {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly channels: number;
  /** 2 or 3: the number of coordinates per point. */
  readonly dimension: number;
}

export function gridShapeOf(imageShape: readonly number[]): GridShape {
  const dimension = imageShape.length - 1;
  if (dimension !== 2 && dimension !== 3) throw new Error(`grid sampling needs a 2D or 3D channels-last image, got shape [${imageShape}]`);
  const channels = imageShape[dimension];
  const nx = imageShape[dimension - 1];
  const ny = imageShape[dimension - 2];
  const nz = dimension === 3 ? imageShape[0] : 1;
  return { nx, ny, nz, channels, dimension };
}

/**
 * The common case of sampleGrid, 3D linear, without the branches for the others: the outputs of
 * a registration read 30 M points through it (measured 20 ns per point against 29).
 */
function sampleGrid3Linear(image: Float32Array, shape: GridShape, points: Float32Array, out: Float32Array, zeros: boolean): void {
  const { nx, ny, nz, channels: C } = shape;
  const count = points.length / 3;
  const sy = nx * C;
  const sz = nx * ny * C;
  const mx = nx - 1, my = ny - 1, mz = nz - 1;
  for (let p = 0; p < count; p++) {
    let x = points[3 * p], y = points[3 * p + 1], z = points[3 * p + 2];
    const o = p * C;
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5 && z >= -0.5 && z <= nz - 0.5)) {
        for (let c = 0; c < C; c++) out[o + c] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y && z === z)) {
        for (let c = 0; c < C; c++) out[o + c] = 0;
        continue;
      }
      x = x < 0 ? 0 : x > mx ? mx : x;
      y = y < 0 ? 0 : y > my ? my : y;
      z = z < 0 ? 0 : z > mz ? mz : z;
    }
    // Truncation is the floor for x ≥ 0; below that only −0.5 ≤ x < 0 is left (floor −1).
    const xf = x >= 0 ? x | 0 : -1, yf = y >= 0 ? y | 0 : -1, zf = z >= 0 ? z | 0 : -1;
    const fx = x - xf, fy = y - yf, fz = z - zf;
    const x0 = (xf < 0 ? 0 : xf) * C, x1 = (xf >= mx ? mx : xf + 1) * C;
    const y0 = (yf < 0 ? 0 : yf) * sy, y1 = (yf >= my ? my : yf + 1) * sy;
    const z0 = (zf < 0 ? 0 : zf) * sz, z1 = (zf >= mz ? mz : zf + 1) * sz;
    const b00 = z0 + y0, b10 = z0 + y1, b01 = z1 + y0, b11 = z1 + y1;
    for (let c = 0; c < C; c++) {
      const v00 = image[b00 + x0 + c], v10 = image[b10 + x0 + c], v01 = image[b01 + x0 + c], v11 = image[b11 + x0 + c];
      const i00 = v00 + fx * (image[b00 + x1 + c] - v00);
      const i10 = v10 + fx * (image[b10 + x1 + c] - v10);
      const i01 = v01 + fx * (image[b01 + x1 + c] - v01);
      const i11 = v11 + fx * (image[b11 + x1 + c] - v11);
      const j0 = i00 + fy * (i10 - i00);
      out[o + c] = j0 + fz * (i01 + fy * (i11 - i01) - j0);
    }
  }
}

/**
 * The 2D linear case: a 2D image is a 3D one with one slice, but the general loop then reads
 * that slice twice and lerps between the copies. Bilinear, four reads per channel (registering
 * a 2D pair spends most of its optimization here).
 */
function sampleGrid2Linear(image: Float32Array, shape: GridShape, points: Float32Array, out: Float32Array, zeros: boolean): void {
  const { nx, ny, channels: C } = shape;
  const count = points.length / 2;
  const sy = nx * C;
  const mx = nx - 1, my = ny - 1;
  for (let p = 0; p < count; p++) {
    let x = points[2 * p], y = points[2 * p + 1];
    const o = p * C;
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5)) {
        for (let c = 0; c < C; c++) out[o + c] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y)) {
        for (let c = 0; c < C; c++) out[o + c] = 0;
        continue;
      }
      x = x < 0 ? 0 : x > mx ? mx : x;
      y = y < 0 ? 0 : y > my ? my : y;
    }
    // Truncation is the floor for x ≥ 0; below that only −0.5 ≤ x < 0 is left (floor −1).
    const xf = x >= 0 ? x | 0 : -1, yf = y >= 0 ? y | 0 : -1;
    const fx = x - xf, fy = y - yf;
    const x0 = (xf < 0 ? 0 : xf) * C, x1 = (xf >= mx ? mx : xf + 1) * C;
    const y0 = (yf < 0 ? 0 : yf) * sy, y1 = (yf >= my ? my : yf + 1) * sy;
    for (let c = 0; c < C; c++) {
      const v00 = image[y0 + x0 + c], v10 = image[y1 + x0 + c];
      const i0 = v00 + fx * (image[y0 + x1 + c] - v00);
      const i1 = v10 + fx * (image[y1 + x1 + c] - v10);
      out[o + c] = i0 + fy * (i1 - i0);
    }
  }
}

/** out[p, c] = image interpolated at point p. */
export function sampleGrid(
  image: Float32Array,
  shape: GridShape,
  points: Float32Array,
  out: Float32Array,
  padding: Padding,
  interpolation: Interpolation,
): void {
  if (interpolation === 'linear') return (shape.dimension === 3 ? sampleGrid3Linear : sampleGrid2Linear)(image, shape, points, out, padding === 'zeros');
  const { nx, ny, nz, channels: C, dimension: D } = shape;
  const zeros = padding === 'zeros';
  const count = points.length / D;
  const sy = nx * C;
  const sz = nx * ny * C;
  for (let p = 0; p < count; p++) {
    const o = p * C;
    let x = points[p * D], y = points[p * D + 1], z = D === 3 ? points[p * 3 + 2] : 0;
    // ITK's border rule for 'zeros': inside within half a voxel of the outer centres, with
    // neighbours past the edge clamped. 'border' clamps the point to the outer centres first,
    // and a clamped axis has zero derivative. NaN points read as outside.
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5 && z >= -0.5 && z <= nz - 0.5)) {
        for (let c = 0; c < C; c++) out[o + c] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y && z === z)) {
        for (let c = 0; c < C; c++) out[o + c] = 0;
        continue;
      }
      x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
      y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
      z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
    }
    const xf = Math.floor(x), yf = Math.floor(y), zf = Math.floor(z);
    const fx = x - xf, fy = y - yf, fz = z - zf;
    const x0 = (xf < 0 ? 0 : xf) * C, y0 = (yf < 0 ? 0 : yf) * sy, z0 = (zf < 0 ? 0 : zf) * sz;
    const x1 = (xf + 1 > nx - 1 ? nx - 1 : xf + 1) * C, y1 = (yf + 1 > ny - 1 ? ny - 1 : yf + 1) * sy, z1 = (zf + 1 > nz - 1 ? nz - 1 : zf + 1) * sz;
    if (interpolation === 'nearest') {
      const i = (fz < 0.5 ? z0 : z1) + (fy < 0.5 ? y0 : y1) + (fx < 0.5 ? x0 : x1);
      for (let c = 0; c < C; c++) out[o + c] = image[i + c];
      continue;
    }
    const b00 = z0 + y0, b10 = z0 + y1, b01 = z1 + y0, b11 = z1 + y1;
    // Lerps along x, then y, then z: seven multiplications per channel.
    for (let c = 0; c < C; c++) {
      const v00 = image[b00 + x0 + c], v10 = image[b10 + x0 + c], v01 = image[b01 + x0 + c], v11 = image[b11 + x0 + c];
      const i00 = v00 + fx * (image[b00 + x1 + c] - v00);
      const i10 = v10 + fx * (image[b10 + x1 + c] - v10);
      const i01 = v01 + fx * (image[b01 + x1 + c] - v01);
      const i11 = v11 + fx * (image[b11 + x1 + c] - v11);
      const j0 = i00 + fy * (i10 - i00);
      const j1 = i01 + fy * (i11 - i01);
      out[o + c] = j0 + fz * (j1 - j0);
    }
  }
}

/** sampleGridPointGradient in 2D: the bilinear derivatives, without a second slice. */
function sampleGridPointGradient2(image: Float32Array, shape: GridShape, points: Float32Array, dy: Float32Array, grad: Float32Array, zeros: boolean): void {
  const { nx, ny, channels: C } = shape;
  const count = points.length / 2;
  const sy = nx * C;
  const mx = nx - 1, my = ny - 1;
  for (let p = 0; p < count; p++) {
    let x = points[2 * p], y = points[2 * p + 1];
    // The same border rules as the general loop below.
    let gx = 1, gy = 1;
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5)) {
        grad[2 * p] = grad[2 * p + 1] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y)) {
        grad[2 * p] = grad[2 * p + 1] = 0;
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
    let sx = 0, sy2 = 0;
    for (let c = 0; c < C; c++) {
      const g = dy[p * C + c];
      if (g === 0) continue;
      const v00 = image[y0 + x0 + c], v10 = image[y0 + x1 + c], v01 = image[y1 + x0 + c], v11 = image[y1 + x1 + c];
      sx += g * (ay * (v10 - v00) + fy * (v11 - v01));
      sy2 += g * (ax * (v01 - v00) + fx * (v11 - v10));
    }
    grad[2 * p] = sx * gx;
    grad[2 * p + 1] = sy2 * gy;
  }
}

/**
 * The vector-Jacobian product with respect to the points: grad[p, a] = Σ_c dy[p, c] ∂value_c/∂x_a.
 * Linear interpolation only (nearest neighbour is piecewise constant: zero gradient).
 */
export function sampleGridPointGradient(
  image: Float32Array,
  shape: GridShape,
  points: Float32Array,
  dy: Float32Array,
  grad: Float32Array,
  padding: Padding,
): void {
  if (shape.dimension === 2) return sampleGridPointGradient2(image, shape, points, dy, grad, padding === 'zeros');
  const { nx, ny, nz, channels: C, dimension: D } = shape;
  const zeros = padding === 'zeros';
  const count = points.length / D;
  const sy = nx * C;
  const sz = nx * ny * C;
  for (let p = 0; p < count; p++) {
    let x = points[p * D], y = points[p * D + 1], z = D === 3 ? points[p * 3 + 2] : 0;
    // ITK's border rule for 'zeros': inside within half a voxel of the outer centres, with
    // neighbours past the edge clamped. 'border' clamps the point to the outer centres first,
    // and a clamped axis has zero derivative. NaN points read as outside.
    let gx = 1, gy = 1, gz = 1;
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5 && z >= -0.5 && z <= nz - 0.5)) {
        grad[p * D] = grad[p * D + 1] = 0;
        if (D === 3) grad[p * D + 2] = 0;
        continue;
      }
    } else {
      if (!(x === x && y === y && z === z)) {
        grad[p * D] = grad[p * D + 1] = 0;
        if (D === 3) grad[p * D + 2] = 0;
        continue;
      }
      if (!(x > 0 && x < nx - 1)) {
        gx = 0; // clamped: the value does not move with the point
        x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
      }
      if (!(y > 0 && y < ny - 1)) {
        gy = 0; // clamped: the value does not move with the point
        y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
      }
      if (!(z > 0 && z < nz - 1)) {
        gz = 0; // clamped: the value does not move with the point
        z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
      }
    }
    const xf = Math.floor(x), yf = Math.floor(y), zf = Math.floor(z);
    const fx = x - xf, fy = y - yf, fz = z - zf;
    const x0 = (xf < 0 ? 0 : xf) * C, y0 = (yf < 0 ? 0 : yf) * sy, z0 = (zf < 0 ? 0 : zf) * sz;
    const x1 = (xf + 1 > nx - 1 ? nx - 1 : xf + 1) * C, y1 = (yf + 1 > ny - 1 ? ny - 1 : yf + 1) * sy, z1 = (zf + 1 > nz - 1 ? nz - 1 : zf + 1) * sz;
    let sx = 0, sy2 = 0, sz2 = 0;
    {
      const ax = 1 - fx, ay = 1 - fy, az = 1 - fz;
      const b00 = z0 + y0, b10 = z0 + y1, b01 = z1 + y0, b11 = z1 + y1;
      for (let c = 0; c < C; c++) {
        const g = dy[p * C + c];
        if (g === 0) continue;
        const v000 = image[b00 + x0 + c], v100 = image[b00 + x1 + c], v010 = image[b10 + x0 + c], v110 = image[b10 + x1 + c];
        const v001 = image[b01 + x0 + c], v101 = image[b01 + x1 + c], v011 = image[b11 + x0 + c], v111 = image[b11 + x1 + c];
        sx += g * (az * (ay * (v100 - v000) + fy * (v110 - v010)) + fz * (ay * (v101 - v001) + fy * (v111 - v011)));
        sy2 += g * (az * (ax * (v010 - v000) + fx * (v110 - v100)) + fz * (ax * (v011 - v001) + fx * (v111 - v101)));
        sz2 += g * (ay * (ax * (v001 - v000) + fx * (v101 - v100)) + fy * (ax * (v011 - v010) + fx * (v111 - v110)));
      }
    }
    grad[p * D] = sx * gx;
    grad[p * D + 1] = sy2 * gy;
    if (D === 3) grad[p * D + 2] = sz2 * gz;
  }
}

/**
 * The values a scatter of `points` can write, under either padding: whole slices of the slowest
 * axis (z in 3D, y in 2D), from the slice below the lowest point to the one above the highest,
 * as [from, to). Points in memory order, a run of them at a time, write a narrow band of the
 * image; the rest of it needs no clearing and holds nothing to add up.
 */
export function scatterExtent(shape: GridShape, points: Float32Array): [number, number] {
  const D = shape.dimension;
  const slices = D === 3 ? shape.nz : shape.ny;
  const slice = shape.nx * (D === 3 ? shape.ny : 1) * shape.channels;
  let lo = Infinity, hi = -Infinity;
  // (NaN points, which a scatter skips, fail both comparisons.)
  for (let p = D - 1; p < points.length; p += D) {
    const v = points[p];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return [0, 0];
  const first = Math.min(slices - 1, Math.max(0, Math.floor(lo)));
  const last = Math.min(slices - 1, Math.max(0, Math.floor(hi) + 1));
  return [first * slice, (last + 1) * slice];
}

/** scatterToGrid in 2D, linear: four bilinear weights, without a second slice. */
function scatterToGrid2Linear(shape: GridShape, points: Float32Array, dy: Float32Array, image: Float32Array, zeros: boolean, cleared: readonly [number, number]): void {
  const { nx, ny, channels: C } = shape;
  const count = points.length / 2;
  const sy = nx * C;
  const mx = nx - 1, my = ny - 1;
  image.fill(0, cleared[0], cleared[1]);
  for (let p = 0; p < count; p++) {
    let x = points[2 * p], y = points[2 * p + 1];
    // The same border rules as the general loop below.
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5)) continue;
    } else {
      if (!(x === x && y === y)) continue;
      x = x < 0 ? 0 : x > mx ? mx : x;
      y = y < 0 ? 0 : y > my ? my : y;
    }
    const xf = Math.floor(x), yf = Math.floor(y);
    const fx = x - xf, fy = y - yf;
    const x0 = (xf < 0 ? 0 : xf) * C, y0 = (yf < 0 ? 0 : yf) * sy;
    const x1 = (xf + 1 > mx ? mx : xf + 1) * C, y1 = (yf + 1 > my ? my : yf + 1) * sy;
    const ax = 1 - fx, ay = 1 - fy;
    const w00 = ax * ay, w10 = fx * ay, w01 = ax * fy, w11 = fx * fy;
    const o = p * C;
    for (let c = 0; c < C; c++) {
      const g = dy[o + c];
      if (g === 0) continue;
      image[y0 + x0 + c] += w00 * g;
      image[y0 + x1 + c] += w10 * g;
      image[y1 + x0 + c] += w01 * g;
      image[y1 + x1 + c] += w11 * g;
    }
  }
}

/**
 * The adjoint of sampleGrid in the image: accumulates dy[p, ·] into the image's voxels, which
 * start at zero. Only the values `cleared` ([from, to)) are zeroed first, the whole image unless
 * told: a caller that knows where the points can write (scatterExtent) clears only there.
 */
export function scatterToGrid(
  shape: GridShape,
  points: Float32Array,
  dy: Float32Array,
  image: Float32Array,
  padding: Padding,
  interpolation: Interpolation,
  cleared: readonly [number, number] = [0, image.length],
): void {
  if (shape.dimension === 2 && interpolation === 'linear') return scatterToGrid2Linear(shape, points, dy, image, padding === 'zeros', cleared);
  const { nx, ny, nz, channels: C, dimension: D } = shape;
  const zeros = padding === 'zeros';
  const count = points.length / D;
  const sy = nx * C;
  const sz = nx * ny * C;
  image.fill(0, cleared[0], cleared[1]);
  for (let p = 0; p < count; p++) {
    let x = points[p * D], y = points[p * D + 1], z = D === 3 ? points[p * 3 + 2] : 0;
    // ITK's border rule for 'zeros': inside within half a voxel of the outer centres, with
    // neighbours past the edge clamped. 'border' clamps the point to the outer centres first,
    // and a clamped axis has zero derivative. NaN points read as outside.
    if (zeros) {
      if (!(x >= -0.5 && x <= nx - 0.5 && y >= -0.5 && y <= ny - 0.5 && z >= -0.5 && z <= nz - 0.5)) continue;
    } else {
      if (!(x === x && y === y && z === z)) continue;
      x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
      y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
      z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
    }
    const xf = Math.floor(x), yf = Math.floor(y), zf = Math.floor(z);
    const fx = x - xf, fy = y - yf, fz = z - zf;
    const x0 = (xf < 0 ? 0 : xf) * C, y0 = (yf < 0 ? 0 : yf) * sy, z0 = (zf < 0 ? 0 : zf) * sz;
    const x1 = (xf + 1 > nx - 1 ? nx - 1 : xf + 1) * C, y1 = (yf + 1 > ny - 1 ? ny - 1 : yf + 1) * sy, z1 = (zf + 1 > nz - 1 ? nz - 1 : zf + 1) * sz;
    const o = p * C;
    if (interpolation === 'nearest') {
      const i = (fz < 0.5 ? z0 : z1) + (fy < 0.5 ? y0 : y1) + (fx < 0.5 ? x0 : x1);
      for (let c = 0; c < C; c++) image[i + c] += dy[o + c];
      continue;
    }
    const ax = 1 - fx, ay = 1 - fy, az = 1 - fz;
    const w000 = ax * ay * az, w100 = fx * ay * az, w010 = ax * fy * az, w110 = fx * fy * az;
    const w001 = ax * ay * fz, w101 = fx * ay * fz, w011 = ax * fy * fz, w111 = fx * fy * fz;
    const b00 = z0 + y0, b10 = z0 + y1, b01 = z1 + y0, b11 = z1 + y1;
    for (let c = 0; c < C; c++) {
      const g = dy[o + c];
      if (g === 0) continue;
      image[b00 + x0 + c] += w000 * g;
      image[b00 + x1 + c] += w100 * g;
      image[b10 + x0 + c] += w010 * g;
      image[b10 + x1 + c] += w110 * g;
      image[b01 + x0 + c] += w001 * g;
      image[b01 + x1 + c] += w101 * g;
      image[b11 + x0 + c] += w011 * g;
      image[b11 + x1 + c] += w111 * g;
    }
  }
}
