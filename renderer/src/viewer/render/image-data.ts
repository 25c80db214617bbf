// Our images ({grid, pixels}, LPS, row-major direction) as vtkImageData. The pixels are
// wrapped, not copied, except for types WebGL cannot filter (8-bit signed, 32-bit integers,
// 64-bit floats), which go to Float32 once.

import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import { embedGrid3D } from '../grid-view';

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

function scalarsOf(pixels: ScalarImage['pixels']): VtkScalars {
  return vtkDataArray.newInstance({ name: 'scalars', numberOfComponents: 1, values: textureValues(pixels) });
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
 * vtkImageData per image object for one render window, released when no spec uses it any
 * more. A new pixel array is a new object, so data never goes stale. Images that share their
 * pixels on another grid (one moved by hand: the same voxels, a new origin and direction)
 * share the wrapped array, so its texture is uploaded once and only the geometry changes.
 */
export class VtkImageCache {
  readonly #entries = new Map<ScalarImage, VtkImage>();
  readonly #scalars = new WeakMap<ScalarImage['pixels'], VtkScalars>();

  get(image: ScalarImage): VtkImage {
    let data = this.#entries.get(image);
    if (!data) {
      let scalars = this.#scalars.get(image.pixels);
      if (!scalars) this.#scalars.set(image.pixels, (scalars = scalarsOf(image.pixels)));
      data = toVtkImage(image, scalars);
      this.#entries.set(image, data);
    }
    return data;
  }

  /** Deletes the entries not in `inUse`. */
  retainOnly(inUse: ReadonlySet<ScalarImage>): void {
    for (const [image, data] of this.#entries)
      if (!inUse.has(image)) {
        data.delete();
        this.#entries.delete(image);
      }
  }

  dispose(): void {
    this.retainOnly(new Set());
  }
}
