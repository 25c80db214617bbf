// Points the app marks in the views: a query point, where it matches, landmarks. Plain data;
// slice overlays draw them as vector shapes over the plane, the 3D view as spheres.

import type { SliceCamera } from './slice-camera';
import type { Vec3 } from './view-types';
import { dot, sub } from './vec3';

export type MarkerShape = 'circle' | 'diamond' | 'square' | 'cross' | 'ring';

export interface ViewerMarker {
  /** Unique among the markers; onMarkerMove reports it. */
  readonly id: string;
  /** World point, LPS mm. */
  readonly point: Vec3;
  readonly shape: MarkerShape;
  /** '#rrggbb'. */
  readonly color: string;
  /** Written beside the shape. */
  readonly label?: string;
  /** The user may drag it in the slice views (onMarkerMove). */
  readonly draggable?: boolean;
  /** Dashed: a proposal not yet accepted. */
  readonly tentative?: boolean;
  /** Larger: the selected one. */
  readonly emphasis?: boolean;
  /** 3D: a translucent sphere of this radius (mm), e.g. a match's spread; else a small solid one. */
  readonly radiusMm?: number;
  /**
   * The marker follows the pointer: the 3D view draws it once the pointer rests, and not at all
   * where WebGL is a CPU emulation, on which each volume render takes seconds.
   */
  readonly followsPointer?: boolean;
}

/** Signed distance (mm) of a point from a slice view's plane, positive toward the viewer. */
export function distanceFromPlane(camera: SliceCamera, planePoint: readonly number[], point: readonly number[]): number {
  return dot(sub(point, planePoint), camera.normal);
}

/** '#rrggbb' as 0..1 components; grey for anything else. */
export function rgbOf(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? [1, 2, 3].map((i) => parseInt(m[i], 16) / 255) as [number, number, number] : [0.8, 0.8, 0.8];
}
