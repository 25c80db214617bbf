// An affine built from known parts comes apart into the same parts: rotation angles, scales
// (a mirror as a negative scale), shears and translation, in 2D and 3D.
import { describe, expect, it } from 'vitest';
import { multiplyMatrices } from '../../../shared/math/matrix';
import { affineParts } from '../../../shared/transforms/affine-parts';

const rad = (deg: number) => (deg * Math.PI) / 180;
const rx = (a: number) => [1, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a)];
const ry = (a: number) => [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
const rz = (a: number) => [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];

/** Homogeneous matrix of x ↦ L x + t. */
function homogeneous(linear: number[], t: number[]): number[] {
  const d = t.length;
  const m: number[] = [];
  for (let r = 0; r <= d; r++) for (let c = 0; c <= d; c++) m.push(r === d ? (c === d ? 1 : 0) : c === d ? t[r] : linear[r * d + c]);
  return m;
}

describe('affineParts', () => {
  it('recovers rotations about x, y and z, scales, shears and the translation in 3D', () => {
    const rotation = multiplyMatrices(rz(rad(10)), multiplyMatrices(ry(rad(-7)), rx(rad(4))));
    const scaleShear = [1.1, 1.1 * 0.05, 1.1 * -0.02, 0, 0.9, 0.9 * 0.03, 0, 0, 1.05];
    const parts = affineParts(homogeneous(multiplyMatrices(rotation, scaleShear), [13.1, -15.9, 2.5]));
    parts.eulerDegrees.forEach((a, i) => expect(a).toBeCloseTo([4, -7, 10][i], 6));
    parts.scales.forEach((s, i) => expect(s).toBeCloseTo([1.1, 0.9, 1.05][i], 9));
    parts.shears.forEach((s, i) => expect(s).toBeCloseTo([0.05, -0.02, 0.03][i], 9));
    expect(parts.translation).toEqual([13.1, -15.9, 2.5]);
    expect(parts.angleDegrees).toBeGreaterThan(10);
    expect(parts.angleDegrees).toBeLessThan(21);
  });

  it('shows a mirror as a negative scale and keeps R a rotation', () => {
    const parts = affineParts(homogeneous(multiplyMatrices(rz(rad(30)), [1, 0, 0, 0, 1, 0, 0, 0, -2]), [0, 0, 0]));
    expect(parts.scales.map((s) => Number(s.toFixed(9)))).toEqual([1, 1, -2]);
    expect(parts.eulerDegrees[2]).toBeCloseTo(30, 9);
    expect(parts.angleDegrees).toBeCloseTo(30, 9);
  });

  it('gives the angle of a 2D rotation, with scale and shear', () => {
    const a = rad(-10);
    const rotation = [Math.cos(a), -Math.sin(a), Math.sin(a), Math.cos(a)];
    const parts = affineParts(homogeneous(multiplyMatrices(rotation, [2, 2 * 0.1, 0, 0.5]), [1, 2]));
    expect(parts.eulerDegrees[0]).toBeCloseTo(-10, 9);
    expect(parts.angleDegrees).toBeCloseTo(10, 9);
    parts.scales.forEach((s, i) => expect(s).toBeCloseTo([2, 0.5][i], 9));
    expect(parts.shears[0]).toBeCloseTo(0.1, 9);
    expect(parts.translation).toEqual([1, 2]);
  });
});
