// Our images ({grid, pixels}, LPS, row-major direction) as vtkImageData. The pixels are
// wrapped, not copied, except for types WebGL cannot filter (8-bit signed, 32-bit integers,
// 64-bit floats), which go to Float32 once.

import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import { embedGrid3D } from '../grid-view';
import { keepTextureFor, letGoOfKeptTexture, preloadTexture, releasePreloadedTexture, textureBytes } from './texture-upload';

export type VtkImage = ReturnType<typeof vtkImageData.newInstance>;

/** vtk.js keeps direction column-major (its first three numbers are axis I's direction). */
export function vtkDirection(grid: ImageGrid): number[] {
  const g = embedGrid3D(grid);
  const out: number[] = [];
  for (let axis = 0; axis < 3; axis++) for (let row = 0; row < 3; row++) out.push(g.direction[row * 3 + axis]);
  return out;
}

const textureFriendly = (p: ScalarImage['pixels']) =>
  p instanceof Uint8Array || p instanceof Uint16Array || p instanceof Int16Array || p instanceof Float32Array;

/** One Float32 copy per image for all views, kept while the image lives. */
const float32Copies = new WeakMap<ScalarImage['pixels'], Float32Array>();

function textureValues(pixels: ScalarImage['pixels']): ScalarImage['pixels'] {
  if (textureFriendly(pixels)) return pixels;
  let copy = float32Copies.get(pixels);
  if (!copy) {
    copy = Float32Array.from(pixels);
    float32Copies.set(pixels, copy);
  }
  return copy;
}

type VtkScalars = ReturnType<typeof vtkDataArray.newInstance>;

/**
 * Value ranges known before any texture is made: the engine measured every image it sends.
 * vtk.js otherwise scans the whole array for its range as it makes the texture (62 ms for a
 * 1 mm brain here), inside the frame that first draws the image.
 */
const knownRanges = new WeakMap<ScalarImage['pixels'], { min: number; max: number }>();

export function rememberValueRange(pixels: ScalarImage['pixels'], range: { min: number; max: number }): void {
  knownRanges.set(pixels, range);
}

function scalarsOf(pixels: ScalarImage['pixels']): VtkScalars {
  const scalars = vtkDataArray.newInstance({ name: 'scalars', numberOfComponents: 1, values: textureValues(pixels) });
  const range = knownRanges.get(pixels);
  if (range) scalars.setRange(range, 0);
  return scalars;
}

/** `scalars`: the pixels already wrapped, to share (vtk.js keeps one texture per array object). */
export function toVtkImage(image: ScalarImage, scalars: VtkScalars = scalarsOf(image.pixels)): VtkImage {
  const g = embedGrid3D(image.grid);
  const data = vtkImageData.newInstance();
  data.setDimensions([g.size[0], g.size[1], g.size[2]]);
  data.setSpacing([g.spacing[0], g.spacing[1], g.spacing[2]]);
  data.setOrigin([g.origin[0], g.origin[1], g.origin[2]]);
  // vtk.js keeps it in a Float64Array whatever its typings say.
  data.setDirection(Float64Array.from(vtkDirection(g)) as unknown as Float32Array);
  data.getPointData().setScalars(scalars);
  return data;
}

/**
 * One vtkImageData per image object for all views, counted by holder: the views of one image
 * (three slices, the 3D view, both viewers of a pair) share its vtkDataArray, on which vtk.js
 * keys the GPU texture, so the image is uploaded once. A new pixel array is a new object, so
 * data never goes stale. Images that share their pixels on another grid (one moved by hand:
 * the same voxels, a new origin and direction) share the wrapped array too, so only the
 * geometry changes.
 */
interface Shared {
  readonly data: VtkImage;
  holders: number;
}
const shared = new Map<ScalarImage, Shared>();
const wrapped = new WeakMap<ScalarImage['pixels'], VtkScalars>();

/**
 * An image no view holds any more is let go of LINGER_MS later, not at once, with its texture:
 * a change of overlay mode or layout closes views and opens others on the same images a few
 * frames later (side-by-side moves the moving image and its labels to a pane of their own, and
 * back). Let go of at once, every such image was uploaded again by the next view to draw it: on
 * a CPU emulation of WebGL, 0.25 s of texSubImage3D for a 1 mm brain, in the switch back from
 * side-by-side. Only images of LINGER_MIN_BYTES or more linger (a heatmap following the
 * pointer is replaced 20 times a second and is cheap to make again), and at most LINGER_MAX at
 * once, the oldest going first, so the memory held is bounded.
 */
const LINGER_MS = 3000;
const LINGER_MIN_BYTES = 2 ** 20;
const LINGER_MAX = 4;

/** The images lingering now, each with the timer that lets go of it, oldest first. */
const lingering = new Map<ScalarImage, ReturnType<typeof setTimeout>>();

export function acquireVtkImage(image: ScalarImage): VtkImage {
  let entry = shared.get(image);
  if (!entry) {
    let scalars = wrapped.get(image.pixels);
    if (!scalars) wrapped.set(image.pixels, (scalars = scalarsOf(image.pixels)));
    entry = { data: toVtkImage(image, scalars), holders: 0 };
    shared.set(image, entry);
    preloadTexture(entry.data);
  }
  // Taken up again while lingering: its texture stays held until the new views have drawn.
  clearTimeout(lingering.get(image));
  lingering.delete(image);
  entry.holders++;
  return entry.data;
}

export function releaseVtkImage(image: ScalarImage): void {
  const entry = shared.get(image);
  if (!entry || --entry.holders > 0) return;
  if (textureBytes(entry.data) < LINGER_MIN_BYTES) {
    letGo(image);
    return;
  }
  if (lingering.size >= LINGER_MAX) letGo(lingering.keys().next().value!);
  // The texture outlives the views' mappers only if something holds it meanwhile.
  keepTextureFor(entry.data, LINGER_MS);
  lingering.set(image, setTimeout(() => letGo(image), LINGER_MS));
}

function letGo(image: ScalarImage): void {
  const entry = shared.get(image)!;
  clearTimeout(lingering.get(image));
  lingering.delete(image);
  shared.delete(image);
  letGoOfKeptTexture(entry.data);
  releasePreloadedTexture(entry.data);
  entry.data.delete();
}

/** Images with vtkImageData alive now (tests, leak checks). */
export function sharedVtkImageCount(): number {
  return shared.size;
}

/** One view's hold on the shared vtkImageData of the images it draws. */
export class VtkImageCache {
  readonly #held = new Set<ScalarImage>();

  get(image: ScalarImage): VtkImage {
    if (this.#held.has(image)) return shared.get(image)!.data;
    this.#held.add(image);
    return acquireVtkImage(image);
  }

  /** Lets go of the images not in `inUse`. */
  retainOnly(inUse: ReadonlySet<ScalarImage>): void {
    for (const image of this.#held)
      if (!inUse.has(image)) {
        this.#held.delete(image);
        releaseVtkImage(image);
      }
  }

  dispose(): void {
    this.retainOnly(new Set());
  }
}
