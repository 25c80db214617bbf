// The Turn tool's angle: the drag's sweep about the image's centre, seen along the view's normal.

import { describe, expect, it } from 'vitest';
import { sweptDegrees } from '../../../renderer/src/viewer/image-mover';
import type { Vec3 } from '../../../renderer/src/viewer/view-types';

describe('the angle a drag sweeps about a pivot', () => {
  it('is right-handed about the normal, whatever the pivot\'s depth', () => {
    const normal: Vec3 = [0, 0, 1];
    expect(sweptDegrees([0, 0, 0], [10, 0, 0], [0, 10, 0], normal)).toBeCloseTo(90, 9);
    expect(sweptDegrees([0, 0, 0], [0, 10, 0], [10, 0, 0], normal)).toBeCloseTo(-90, 9);
    // The pivot 30 mm off the plane (the image's centre behind the slice) changes nothing.
    expect(sweptDegrees([5, 5, -30], [15, 5, 0], [5, 15, 0], normal)).toBeCloseTo(90, 9);
    // Seen from the other side, the same drag turns the other way.
    expect(sweptDegrees([0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, -1])).toBeCloseTo(-90, 9);
  });

  it('works on an oblique plane and never jumps past ±180°', () => {
    const n: Vec3 = [0, Math.SQRT1_2, Math.SQRT1_2];
    const u: Vec3 = [1, 0, 0];
    const v: Vec3 = [0, Math.SQRT1_2, -Math.SQRT1_2];
    const at = (deg: number): Vec3 => {
      const r = (deg * Math.PI) / 180;
      return [0, 1, 2].map((i) => 20 * (Math.cos(r) * u[i] + Math.sin(r) * v[i])) as Vec3;
    };
    // u × v = n: turning from u toward v is positive about n.
    expect(sweptDegrees([0, 0, 0], at(10), at(40), n)).toBeCloseTo(30, 9);
    expect(sweptDegrees([0, 0, 0], at(170), at(-170), n)).toBeCloseTo(20, 9);
  });
});
