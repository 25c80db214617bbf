// How each slice view looks at the patient, in radiological convention. World is LPS:
// +x patient Left, +y Posterior, +z Superior.
//
//   axial     seen from the feet:        patient right on screen left, anterior up
//   coronal   seen from the front:       patient right on screen left, superior up
//   sagittal  seen from the patient's left: anterior on screen left, superior up
//
// `normal` points from the slice toward the viewer, so right × up = normal on every view.

import type { SliceOrientation, Vec3 } from './view-types';

export interface SliceBasis {
  /** World direction of screen +x. */
  readonly right: Vec3;
  /** World direction of screen up. */
  readonly up: Vec3;
  /** World direction from the slice toward the viewer. */
  readonly normal: Vec3;
}

const BASES: Record<SliceOrientation, SliceBasis> = {
  axial: { right: [1, 0, 0], up: [0, -1, 0], normal: [0, 0, -1] },
  coronal: { right: [1, 0, 0], up: [0, 0, 1], normal: [0, -1, 0] },
  sagittal: { right: [0, 1, 0], up: [0, 0, 1], normal: [1, 0, 0] },
};

export function sliceBasis(orientation: SliceOrientation): SliceBasis {
  return BASES[orientation];
}

/** The world axis (0 x, 1 y, 2 z) a slice view pages along. */
export function sliceAxis(orientation: SliceOrientation): 0 | 1 | 2 {
  return orientation === 'sagittal' ? 0 : orientation === 'coronal' ? 1 : 2;
}

/** Anatomical letter of a world direction that lies along an LPS axis. */
function anatomicalLetter(direction: readonly number[]): string {
  const axis = [0, 1, 2].reduce((best, a) => (Math.abs(direction[a]) > Math.abs(direction[best]) ? a : best), 0);
  const positive = direction[axis] > 0;
  return [positive ? 'L' : 'R', positive ? 'P' : 'A', positive ? 'S' : 'I'][axis];
}

/** The letters shown at the view's edges, so the convention is visible on screen. */
export function edgeLetters(orientation: SliceOrientation): { left: string; right: string; top: string; bottom: string } {
  const { right, up } = BASES[orientation];
  const neg = (v: Vec3) => v.map((x) => -x);
  return {
    left: anatomicalLetter(neg(right)),
    right: anatomicalLetter(right),
    top: anatomicalLetter(up),
    bottom: anatomicalLetter(neg(up)),
  };
}
