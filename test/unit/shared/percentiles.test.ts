// Percentiles from a strided sample: exact where every value is sampled, and blind to values
// that are not finite (and to zeros, on request).
import { describe, expect, it } from 'vitest';
import { percentiles } from '../../../shared/image/statistics';

/** Linear interpolation between order statistics, as numpy's default. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
}

describe('percentiles', () => {
  const values = Array.from({ length: 1001 }, (_, i) => Math.sin(i * 12.9898) * 437.5);

  it('interpolates between order statistics, negatives included', () => {
    const which = [0, 0.5, 1, 25, 50, 99, 99.5, 100];
    const got = percentiles(Float32Array.from(values), which);
    which.forEach((p, i) => expect(got[i]).toBeCloseTo(exact(Array.from(Float32Array.from(values)), p), 4));
  });

  it('skips NaN and infinities, and zeros when asked', () => {
    const pixels = [3, NaN, 0, 0, -Infinity, 1, 2, Infinity, 0];
    expect(percentiles(pixels, [0, 50, 100])).toEqual([0, 0.5, 3]); // of 0, 0, 0, 1, 2, 3
    expect(percentiles(pixels, [0, 50, 100], { ignoreZeros: true })).toEqual([1, 2, 3]);
    expect(percentiles([NaN, 0], [50], { ignoreZeros: true })).toEqual([0]);
  });

  it('samples big images with a stride and stays close', () => {
    // Uniform on [0, 1000): the sample of about 10 000 values puts each within a few units.
    const pixels = new Float32Array(1_000_003).map((_, i) => ((Math.sin(i) * 43758.5453) % 1 + 1) % 1 * 1000);
    const got = percentiles(pixels, [1, 50, 99], { maxSamples: 10_000 });
    [10, 500, 990].forEach((expected, i) => expect(Math.abs(got[i] - expected)).toBeLessThan(15));
  });

  it('finds the same order statistics as a sort, on ties, runs and sorted or reversed input', () => {
    const which = [0, 1, 2.5, 25, 50, 75, 97.5, 99, 100];
    const cases = [
      Array.from({ length: 5000 }, (_, i) => i % 7), // many ties
      Array.from({ length: 4099 }, (_, i) => i), // sorted
      Array.from({ length: 4099 }, (_, i) => -i), // reversed
      Array.from({ length: 3000 }, (_, i) => (i < 1500 ? 5 : Math.sin(i) * 100)), // half one value
      [42],
      [2, 1],
    ];
    for (const values of cases) {
      const got = percentiles(Float64Array.from(values), which);
      which.forEach((p, i) => expect(got[i]).toBe(exact(values, p)));
    }
  });
});
