// Point-wise interpolation on a grid, in continuous index space. These are the reference
// implementations, written once for any dimension; the engine has bulk versions for speed
// and tests them against these.

/**
 * Linear interpolation of `components` interleaved values at continuous index `ci`,
 * with ITK's border rule: a point is inside if it lies within half a voxel of the outer
 * voxel centres, and neighbours past the edge are clamped. Returns false outside.
 */
export function interpolateLinearAt(
  size: readonly number[],
  data: ArrayLike<number>,
  components: number,
  ci: ArrayLike<number>,
  out: number[],
): boolean {
  const d = size.length;
  const base: number[] = [];
  const frac: number[] = [];
  for (let a = 0; a < d; a++) {
    const c = ci[a];
    if (!(c >= -0.5 && c <= size[a] - 0.5)) return false;
    const f = Math.floor(c);
    base[a] = f;
    frac[a] = c - f;
  }
  for (let k = 0; k < components; k++) out[k] = 0;
  out.length = components;
  for (let corner = 0; corner < 1 << d; corner++) {
    let w = 1;
    let li = 0;
    for (let a = d - 1; a >= 0; a--) {
      const bit = (corner >> a) & 1;
      w *= bit ? frac[a] : 1 - frac[a];
      const idx = Math.min(size[a] - 1, Math.max(0, base[a] + bit));
      li = li * size[a] + idx;
    }
    if (w === 0) continue;
    for (let k = 0; k < components; k++) out[k] += w * data[li * components + k];
  }
  return true;
}

/** Nearest-neighbour lookup with the same inside rule; labels must never be blended. */
export function interpolateNearestAt(
  size: readonly number[],
  data: ArrayLike<number>,
  ci: ArrayLike<number>,
): number | undefined {
  let li = 0;
  for (let a = size.length - 1; a >= 0; a--) {
    const c = ci[a];
    if (!(c >= -0.5 && c <= size[a] - 0.5)) return undefined;
    const idx = Math.min(size[a] - 1, Math.max(0, Math.round(c)));
    li = li * size[a] + idx;
  }
  return data[li];
}
