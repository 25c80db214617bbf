// Distinct values of a label map: a flag per value for 8- and 16-bit maps, a Set otherwise,
// with the same answer either way.
import { describe, expect, it } from 'vitest';
import { distinctSmallIntegers, distinctValues } from '../../../shared/image/statistics';

describe('distinct values', () => {
  const values = [0, 0, 7, 7, 7, -3, 0, 100, 7, 5, 5, 0, 9];

  it('are the same ascending values for every pixel type, negative ones included', () => {
    for (const Type of [Int8Array, Int16Array, Int32Array, Float32Array, Float64Array]) expect(distinctValues(Type.from(values), 10), Type.name).toEqual([-3, 0, 5, 7, 9, 100]);
    for (const Type of [Uint8Array, Uint16Array]) expect(distinctValues(Type.from(values.filter((v) => v >= 0)), 10), Type.name).toEqual([0, 5, 7, 9, 100]);
  });

  it('are null past the limit, for every pixel type', () => {
    for (const Type of [Int16Array, Float32Array]) {
      expect(distinctValues(Type.from(values), 6), Type.name).toEqual([-3, 0, 5, 7, 9, 100]);
      expect(distinctValues(Type.from(values), 5), Type.name).toBeNull();
    }
  });

  it('take a flag per value only for 8- and 16-bit integers', () => {
    expect(distinctSmallIntegers(Int16Array.from([-32768, 32767, 0]))).toEqual([-32768, 0, 32767]);
    expect(distinctSmallIntegers(Uint16Array.from([65535, 1]))).toEqual([1, 65535]);
    expect(distinctSmallIntegers(Int32Array.from(values))).toBeNull();
    expect(distinctSmallIntegers(Float32Array.from(values))).toBeNull();
  });
});
