// Intensity statistics used for display windows, normalization and validation.

import type { PixelArray } from './voxel-image';

export interface IntensityRange {
  readonly min: number;
  readonly max: number;
}

/** Min and max over finite values; reports how many values were not finite. */
export function finiteRange(pixels: ArrayLike<number>): IntensityRange & { nonFinite: number } {
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 0, nonFinite };
  return { min, max, nonFinite };
}

/**
 * Percentiles from a strided sample of at most `maxSamples` finite values. Exact enough for
 * windowing and normalization, and bounded in time on 100-megavoxel volumes.
 */
export function percentiles(
  pixels: ArrayLike<number>,
  which: readonly number[],
  options: { maxSamples?: number; ignoreZeros?: boolean } = {},
): number[] {
  const maxSamples = options.maxSamples ?? 200_000;
  const stride = Math.max(1, Math.floor(pixels.length / maxSamples));
  // A typed array sorts numerically in native code: on a 1 mm brain (200 000 of its values),
  // 35 ms against 250 for an array sorted with a comparator (measured). Every image loaded and
  // every registration takes percentiles.
  const sample = new Float64Array(Math.ceil(pixels.length / stride));
  let n = 0;
  for (let i = 0; i < pixels.length; i += stride) {
    const v = pixels[i];
    if (!Number.isFinite(v)) continue;
    if (options.ignoreZeros && v === 0) continue;
    sample[n++] = v;
  }
  if (n === 0) return which.map(() => 0);
  const sorted = sample.subarray(0, n).sort();
  return which.map((p) => {
    const pos = Math.min(n - 1, Math.max(0, (p / 100) * (n - 1)));
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  });
}

/**
 * The distinct values of an 8- or 16-bit integer array, ascending, by a flag per possible value
 * rather than a Set (a 1 mm atlas's 7 M voxels in about a sixth of the time); null for any other
 * type.
 */
export function distinctSmallIntegers(pixels: ArrayLike<number>): number[] | null {
  const offset = pixels instanceof Int8Array ? 128 : pixels instanceof Int16Array ? 32768 : 0;
  const span = pixels instanceof Uint8Array || pixels instanceof Int8Array ? 256 : pixels instanceof Uint16Array || pixels instanceof Int16Array ? 65536 : 0;
  if (span === 0) return null;
  const seen = new Uint8Array(span);
  for (let i = 0; i < pixels.length; i++) seen[pixels[i] + offset] = 1;
  const values: number[] = [];
  for (let k = 0; k < span; k++) if (seen[k]) values.push(k - offset);
  return values;
}

/** Distinct values, stopping early once there are more than `limit`. Label maps have few. */
export function distinctValues(pixels: PixelArray, limit: number): number[] | null {
  const small = distinctSmallIntegers(pixels);
  if (small) return small.length > limit ? null : small;
  const seen = new Set<number>();
  for (let i = 0; i < pixels.length; i++) {
    seen.add(pixels[i]);
    if (seen.size > limit) return null;
  }
  return [...seen].sort((a, b) => a - b);
}
