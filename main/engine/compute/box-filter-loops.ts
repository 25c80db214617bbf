// The loops behind the box filters (box-filter.ts): box means by running sums, one pass per
// axis whatever the radius. Kept free of tfjs, so that the kernel threads (kernel-pool/) can run
// them without loading it.

/**
 * How many independent pieces a pass along `axis` has: lines along x, planes for y (each
 * plane's rows are summed together), and the plane's columns for z.
 */
export function boxUnitsAlong(n: readonly number[], axis: number): number {
  return axis === 0 ? n[1] * n[2] : axis === 1 ? n[2] : n[0] * n[1];
}

/**
 * Box mean of radius r along one axis of a [nz][ny][nx] volume, zero padded, in place. Along x
 * a running sum per line; along y and z a running sum of whole rows or planes (so memory is
 * read in order), with a ring of the last r + 1 original rows or planes, which the in-place
 * write has already replaced.
 */
export function boxAlongAxis(v: Float32Array, n: readonly number[], axis: number, r: number, scratch?: Float64Array): void {
  boxAlongAxisRange(v, n, axis, r, 0, boxUnitsAlong(n, axis), scratch);
}

/**
 * boxAlongAxis for the units [first, last) of the pass (boxUnitsAlong): each unit's sums are its
 * own, so ranges can run on different threads and give the same numbers.
 */
export function boxAlongAxisRange(v: Float32Array, n: readonly number[], axis: number, r: number, first: number, last: number, scratch?: Float64Array): void {
  const norm = 1 / (2 * r + 1);
  if (axis === 0) {
    const len = n[0];
    const line = scratch && scratch.length >= len ? scratch : new Float64Array(len);
    for (let unit = first; unit < last; unit++) {
      const start = unit * len;
      for (let i = 0; i < len; i++) line[i] = v[start + i];
      let sum = 0;
      for (let i = 0; i <= Math.min(r, len - 1); i++) sum += line[i];
      for (let i = 0; i < len; i++) {
        v[start + i] = sum * norm;
        if (i + r + 1 < len) sum += line[i + r + 1];
        if (i - r >= 0) sum -= line[i - r];
      }
    }
    return;
  }
  const plane = n[0] * n[1];
  if (axis === 1) {
    // Per plane, rows are the blocks: consecutive rows along y are adjacent in memory.
    for (let z = first; z < last; z++) runningBlocks(v, z * plane, n[0], n[1], 0, n[0], r, norm);
    return;
  }
  // Along z the block is the whole plane; a range takes some of its columns.
  runningBlocks(v, 0, plane, n[2], first, last, r, norm);
}

/**
 * Running sums along `len` consecutive blocks of `block` values from `base`, for the block
 * positions [kFirst, kLast), with a ring of the last r + 1 original blocks.
 */
function runningBlocks(v: Float32Array, base: number, block: number, len: number, kFirst: number, kLast: number, r: number, norm: number): void {
  const width = kLast - kFirst;
  const sum = new Float64Array(width);
  const ring = new Float32Array(width * (r + 1));
  const from = base + kFirst;
  for (let i = 0; i <= Math.min(r, len - 1); i++) for (let k = 0, at = from + i * block; k < width; k++) sum[k] += v[at + k];
  for (let i = 0; i < len; i++) {
    const at = from + i * block;
    const slot = (i % (r + 1)) * width;
    for (let k = 0; k < width; k++) {
      ring[slot + k] = v[at + k]; // the original, before it is replaced
      v[at + k] = sum[k] * norm;
    }
    if (i + r + 1 < len) for (let k = 0, next = from + (i + r + 1) * block; k < width; k++) sum[k] += v[next + k];
    if (i - r >= 0) for (let k = 0, old = ((i - r) % (r + 1)) * width; k < width; k++) sum[k] -= ring[old + k];
  }
}
