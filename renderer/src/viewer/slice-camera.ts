// Where a slice view looks and how screen pixels map to world points. The vtk.js camera is
// set from these numbers, so overlays drawn with `worldToScreen` line up with the pixels.

import { sliceBasis, type SliceBasis } from './orientation';
import type { SliceOrientation, Vec3, ViewFraming, Viewport, WorldBox } from './view-types';
import { addScaled, dot, sub } from './vec3';

export interface SliceCamera extends SliceBasis {
  /** World point at the viewport centre; it lies on the slice plane. */
  readonly focal: Vec3;
  /** Half the viewport height in mm (vtk's parallel scale). */
  readonly parallelScale: number;
}

/** Margin around the field of view when it is fitted to the viewport. */
const FIT_MARGIN = 1.04;

/** Half extents (mm) of a world box seen along a basis: along screen right and up. */
export function projectedHalfExtents(box: WorldBox, basis: SliceBasis): [number, number] {
  const size = sub(box.max, box.min);
  const half = (dir: readonly number[]) => 0.5 * (Math.abs(dir[0] * size[0]) + Math.abs(dir[1] * size[1]) + Math.abs(dir[2] * size[2]));
  return [half(basis.right), half(basis.up)];
}

/** The parallel scale at zoom 1: the whole field of view fits, with a small margin. */
export function fitParallelScale(box: WorldBox, basis: SliceBasis, viewport: Viewport): number {
  const [halfW, halfH] = projectedHalfExtents(box, basis);
  const aspect = viewport.width > 0 && viewport.height > 0 ? viewport.width / viewport.height : 1;
  return Math.max(halfH, halfW / aspect, 1e-3) * FIT_MARGIN;
}

export function boxCenter(box: WorldBox): Vec3 {
  return [0, 1, 2].map((a) => 0.5 * (box.min[a] + box.max[a])) as Vec3;
}

/**
 * The camera of one slice view: centred on the field of view (plus pan), on the plane through
 * the crosshair perpendicular to the view's normal.
 */
export function sliceCamera(
  orientation: SliceOrientation,
  crosshair: readonly number[],
  fov: WorldBox,
  framing: ViewFraming,
  viewport: Viewport,
): SliceCamera {
  const basis = sliceBasis(orientation);
  const center = boxCenter(fov);
  const depth = dot(sub(crosshair, center), basis.normal);
  let focal = addScaled(center, basis.normal, depth);
  focal = addScaled(focal, basis.right, framing.pan[0]);
  focal = addScaled(focal, basis.up, framing.pan[1]);
  return { ...basis, focal, parallelScale: fitParallelScale(fov, basis, viewport) / framing.zoom };
}

export function mmPerPixel(camera: SliceCamera, viewport: Viewport): number {
  return (2 * camera.parallelScale) / Math.max(1, viewport.height);
}

/** The world point under a viewport pixel (CSS px from the top-left), on the slice plane. */
export function screenToWorld(camera: SliceCamera, viewport: Viewport, x: number, y: number): Vec3 {
  const mm = mmPerPixel(camera, viewport);
  const u = (x - viewport.width / 2) * mm;
  const v = (viewport.height / 2 - y) * mm;
  return addScaled(addScaled(camera.focal, camera.right, u), camera.up, v);
}

/** Viewport pixel (CSS px from the top-left) of a world point projected onto the view. */
export function worldToScreen(camera: SliceCamera, viewport: Viewport, p: readonly number[]): [number, number] {
  const mm = mmPerPixel(camera, viewport);
  const d = sub(p, camera.focal);
  return [viewport.width / 2 + dot(d, camera.right) / mm, viewport.height / 2 - dot(d, camera.up) / mm];
}

/** Zoom by `factor` keeping the world point under pixel (x, y) where it is. */
export function zoomAbout(framing: ViewFraming, camera: SliceCamera, viewport: Viewport, x: number, y: number, factor: number): ViewFraming {
  const zoom = clampZoom(framing.zoom * factor);
  const before = mmPerPixel(camera, viewport);
  const after = (before * framing.zoom) / zoom;
  const sx = x - viewport.width / 2;
  const sy = viewport.height / 2 - y;
  return { zoom, pan: [framing.pan[0] + sx * (before - after), framing.pan[1] + sy * (before - after)] };
}

/** Drag the picture by (dx, dy) CSS px: what was under the pointer stays under it. */
export function panBy(framing: ViewFraming, camera: SliceCamera, viewport: Viewport, dx: number, dy: number): ViewFraming {
  const mm = mmPerPixel(camera, viewport);
  return { zoom: framing.zoom, pan: [framing.pan[0] - dx * mm, framing.pan[1] + dy * mm] };
}

export function clampZoom(zoom: number): number {
  return Math.min(64, Math.max(0.05, zoom));
}
