// Rotation matrices from angles, and their derivatives in the angles (for the pose's gradient).
// 2D: one angle. 3D: rotations about x, then y, then z (R = Rz·Ry·Rx). Row-major D×D.

import { multiplyMatrices } from '../../../../shared/math/matrix';

export function rotationAngleCount(dimension: number): number {
  return dimension === 2 ? 1 : 3;
}

export function rotationMatrix(angles: readonly number[]): number[] {
  if (angles.length === 1) {
    const [c, s] = [Math.cos(angles[0]), Math.sin(angles[0])];
    return [c, -s, s, c];
  }
  const [cx, sx] = [Math.cos(angles[0]), Math.sin(angles[0])];
  const [cy, sy] = [Math.cos(angles[1]), Math.sin(angles[1])];
  const [cz, sz] = [Math.cos(angles[2]), Math.sin(angles[2])];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return multiplyMatrices(rz, multiplyMatrices(ry, rx));
}

/** ∂R/∂angle_k for each angle, as matrices like rotationMatrix's. */
export function rotationMatrixDerivatives(angles: readonly number[]): number[][] {
  if (angles.length === 1) {
    const [c, s] = [Math.cos(angles[0]), Math.sin(angles[0])];
    return [[-s, -c, c, -s]];
  }
  const [cx, sx] = [Math.cos(angles[0]), Math.sin(angles[0])];
  const [cy, sy] = [Math.cos(angles[1]), Math.sin(angles[1])];
  const [cz, sz] = [Math.cos(angles[2]), Math.sin(angles[2])];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const drx = [0, 0, 0, 0, -sx, -cx, 0, cx, -sx];
  const dry = [-sy, 0, cy, 0, 0, 0, -cy, 0, -sy];
  const drz = [-sz, -cz, 0, cz, -sz, 0, 0, 0, 0];
  const times = (a: number[], b: number[], c: number[]) => multiplyMatrices(a, multiplyMatrices(b, c));
  return [times(rz, ry, drx), times(rz, dry, rx), times(drz, ry, rx)];
}

/** Every combination of angles in [-max, max] at `step` (radians), about each rotation axis. */
export function rotationCandidates(dimension: number, maxRadians: number, stepRadians: number): number[][] {
  const steps = stepRadians > 0 ? Math.floor(maxRadians / stepRadians + 1e-9) : 0;
  const values = Array.from({ length: 2 * steps + 1 }, (_, i) => (i - steps) * stepRadians);
  let out: number[][] = [[]];
  for (let a = 0; a < rotationAngleCount(dimension); a++) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}
