// Rotation matrices from angles, and their derivatives in the angles (for the pose's gradient).
// 2D: one angle. 3D: rotations about x, then y, then z (R = Rz·Ry·Rx). Row-major D×D.

import { multiplyMatrices } from '../../../../shared/math/matrix';

export function rotationAngleCount(dimension: number): number {
  return dimension === 2 ? 1 : 3;
}

/** The three rotations about x, y and z (3D) and their derivatives in their own angles. */
function axisRotations(angles: readonly number[]): { r: number[][]; dr: number[][] } {
  const [cx, sx] = [Math.cos(angles[0]), Math.sin(angles[0])];
  const [cy, sy] = [Math.cos(angles[1]), Math.sin(angles[1])];
  const [cz, sz] = [Math.cos(angles[2]), Math.sin(angles[2])];
  return {
    r: [
      [1, 0, 0, 0, cx, -sx, 0, sx, cx],
      [cy, 0, sy, 0, 1, 0, -sy, 0, cy],
      [cz, -sz, 0, sz, cz, 0, 0, 0, 1],
    ],
    dr: [
      [0, 0, 0, 0, -sx, -cx, 0, cx, -sx],
      [-sy, 0, cy, 0, 0, 0, -cy, 0, -sy],
      [-sz, -cz, 0, cz, -sz, 0, 0, 0, 0],
    ],
  };
}

const product = (z: number[], y: number[], x: number[]) => multiplyMatrices(z, multiplyMatrices(y, x));

export function rotationMatrix(angles: readonly number[]): number[] {
  if (angles.length === 1) {
    const [c, s] = [Math.cos(angles[0]), Math.sin(angles[0])];
    return [c, -s, s, c];
  }
  const [rx, ry, rz] = axisRotations(angles).r;
  return product(rz, ry, rx);
}

/** ∂R/∂angle_k for each angle, as matrices like rotationMatrix's. */
export function rotationMatrixDerivatives(angles: readonly number[]): number[][] {
  if (angles.length === 1) {
    const [c, s] = [Math.cos(angles[0]), Math.sin(angles[0])];
    return [[-s, -c, c, -s]];
  }
  const { r: [rx, ry, rz], dr: [drx, dry, drz] } = axisRotations(angles);
  return [product(rz, ry, drx), product(rz, dry, rx), product(drz, ry, rx)];
}

/** Every combination of angles in [-max, max] at `step` (radians), about each rotation axis. */
export function rotationCandidates(dimension: number, maxRadians: number, stepRadians: number): number[][] {
  const steps = stepRadians > 0 ? Math.floor(maxRadians / stepRadians + 1e-9) : 0;
  const values = Array.from({ length: 2 * steps + 1 }, (_, i) => (i - steps) * stepRadians);
  let out: number[][] = [[]];
  for (let a = 0; a < rotationAngleCount(dimension); a++) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}
