// Names shared by the viewer's pure math, its vtk.js facade and its components.

/** A point or direction in world space: LPS millimetres (x to patient Left, y Posterior, z Superior). */
export type Vec3 = [number, number, number];

export type SliceOrientation = 'axial' | 'coronal' | 'sagittal';
export type ViewKind = SliceOrientation | '3d';
export type LayoutKind = '1x1' | '1x3' | '2x2';

export const SLICE_ORIENTATIONS: readonly SliceOrientation[] = ['axial', 'coronal', 'sagittal'];

/** Which views a layout shows, in reading order. 1×1 shows the active view. */
export function viewsInLayout(layout: LayoutKind, active: ViewKind): ViewKind[] {
  switch (layout) {
    case '1x1':
      return [active];
    case '1x3':
      return ['axial', 'coronal', 'sagittal'];
    case '2x2':
      return ['axial', 'sagittal', 'coronal', '3d'];
  }
}

/** A viewport in CSS pixels. */
export interface Viewport {
  readonly width: number;
  readonly height: number;
}

/** Zoom and pan of one orientation; pan is in mm along the view's screen right and up. */
export interface ViewFraming {
  readonly zoom: number;
  readonly pan: readonly [number, number];
}

export const DEFAULT_FRAMING: ViewFraming = { zoom: 1, pan: [0, 0] };

export interface WorldBox {
  readonly min: Vec3;
  readonly max: Vec3;
}
