// The Move and Turn tools: a left drag in a slice view carries an image the app lets the user
// move by hand (the moving image's manual alignment). The viewer reports each step of the drag
// in world terms, a shift in mm or a turn about the view's normal; the app owns the motion.

import type { Vec3 } from './view-types';

export interface ImageMover {
  /** What moves, for the tools' titles. */
  readonly name: string;
  /** Shifts the image as shown by a world vector (mm, LPS). */
  translate(deltaMm: Vec3): void;
  /** Turns the image as shown by `degrees` about the world direction `axis` (unit, right-handed), through its centre. */
  turn(axis: Vec3, degrees: number): void;
  /** The image's centre where it is shown: the pivot of a turn. */
  centre(): Vec3;
}

/**
 * The signed angle, in degrees, that carries `from` to `to` about `pivot`, seen along `normal`
 * (pointing at the viewer): positive counter-clockwise on screen, i.e. right-handed about
 * `normal`. The pivot need not lie on the plane: only the parts across `normal` count.
 */
export function sweptDegrees(pivot: Vec3, from: Vec3, to: Vec3, normal: Vec3): number {
  const across = (p: Vec3): Vec3 => {
    const v: Vec3 = [p[0] - pivot[0], p[1] - pivot[1], p[2] - pivot[2]];
    const along = v[0] * normal[0] + v[1] * normal[1] + v[2] * normal[2];
    return [v[0] - along * normal[0], v[1] - along * normal[1], v[2] - along * normal[2]];
  };
  const [u, v] = [across(from), across(to)];
  const cross: Vec3 = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const sine = cross[0] * normal[0] + cross[1] * normal[1] + cross[2] * normal[2];
  const cosine = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  return (Math.atan2(sine, cosine) * 180) / Math.PI;
}
