// The range and the finiteness test that every loaded image and every output goes through:
// one branch-free pass for the usual all-finite image, the counting pass only for the others.
import { describe, expect, it } from 'vitest';
import { allFinite, finiteRange } from '../../../shared/image/statistics';

describe('finiteRange and allFinite', () => {
  it('gives the range of finite values of every pixel type, and 0 … 0 for none', () => {
    expect(finiteRange(new Float32Array([3, -2.5, 7, 0]))).toEqual({ min: -2.5, max: 7, nonFinite: 0 });
    expect(finiteRange(new Int16Array([-300, 12, 5]))).toEqual({ min: -300, max: 12, nonFinite: 0 });
    expect(finiteRange(new Uint8Array([]))).toEqual({ min: 0, max: 0, nonFinite: 0 });
    expect(finiteRange(new Float64Array([-0, 0]))).toEqual({ min: -0, max: -0, nonFinite: 0 });
  });

  it('counts NaN and ±∞ wherever they are, and leaves them out of the range', () => {
    for (const bad of [NaN, Infinity, -Infinity])
      for (const at of [0, 2, 4]) {
        const values = new Float32Array([1, -4, 9, 2, 5]);
        values[at] = bad;
        const finite = [...values].filter(Number.isFinite);
        expect(finiteRange(values), `${bad} at ${at}`).toEqual({ min: Math.min(...finite), max: Math.max(...finite), nonFinite: 1 });
        expect(allFinite(values)).toBe(false);
      }
    expect(finiteRange(new Float32Array([NaN, Infinity]))).toEqual({ min: 0, max: 0, nonFinite: 2 });
  });

  it('says finite for finite values, the largest and smallest floats included', () => {
    expect(allFinite(new Float32Array([3.4e38, -3.4e38, 1e-45, -0]))).toBe(true);
    expect(allFinite(new Float64Array([Number.MAX_VALUE, -Number.MAX_VALUE]))).toBe(true);
    expect(allFinite([])).toBe(true);
  });
});
