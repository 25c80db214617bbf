// The Move and Turn tools: a left drag in a slice view carries an image the app lets the user
// move by hand (the moving image's manual alignment). The viewer reports each step of the drag
// in world terms, a shift in mm or a turn about the view's normal; the app owns the motion.

import type { Vec3 } from './view-types';
import { addScaled, cross, dot, sub } from './vec3';

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
    const v = sub(p, pivot);
    return addScaled(v, normal, -dot(v, normal));
  };
  const [u, v] = [across(from), across(to)];
  return (Math.atan2(dot(cross(u, v), normal), dot(u, v)) * 180) / Math.PI;
}
