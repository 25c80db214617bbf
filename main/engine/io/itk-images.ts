// Conversions between itk-wasm's Image and XiMorph's grids and images. Both store the
// direction row-major with column j the direction of axis j, and pixels x fastest, so the
// conversion is a copy of numbers, never a reinterpretation.

import { Image, ImageType } from 'itk-wasm';
import type { TypedArray } from 'itk-wasm';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { ComponentType, PixelArray, ScalarImage, VectorImage } from '../../../shared/image/voxel-image';
import { componentTypeOf, componentTypes } from '../../../shared/image/voxel-image';

// ITK computes direction cosines like -1 · 0 = -0; they print and compare as noise. And
// itk-wasm passes header numbers as JSON, where NaN and infinity arrive as null: those become
// NaN, which grid-validity.ts refuses.
const asNumber = (v: number | null) => (typeof v === 'number' ? v + 0 : NaN);
const geometryNumbers = (values: ArrayLike<number | null>) => Array.from(values, asNumber);

/** The grid of an itk-wasm image, of whatever dimension it has (4D files included). */
export function gridOfItkImage(image: Image): ImageGrid {
  return {
    size: [...image.size],
    spacing: geometryNumbers(image.spacing),
    origin: geometryNumbers(image.origin),
    direction: geometryNumbers(image.direction as ArrayLike<number>),
  };
}

export function isSupportedComponentType(type: string): type is ComponentType {
  return (componentTypes as readonly string[]).includes(type);
}

/**
 * Pixels as one of our array types, in memory of their own. itk-wasm hands back arrays on
 * a SharedArrayBuffer, which cannot be transferred to another thread and which Electron's
 * IPC does not carry, so those are copied once. 64-bit integers (rare: some NRRD and
 * MetaImage files) become int32 when every value fits, float64 otherwise.
 */
export function pixelArrayOf(data: TypedArray): PixelArray {
  if (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) return pixelArrayOf(data.slice());
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    let fitsInt32 = true;
    for (let i = 0; i < data.length && fitsInt32; i++) fitsInt32 = data[i] >= -2147483648n && data[i] <= 2147483647n;
    return fitsInt32 ? Int32Array.from(data, Number) : Float64Array.from(data, Number);
  }
  if (data instanceof Uint8ClampedArray) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  return data;
}

function itkImageOnGrid(grid: ImageGrid, type: ImageType, data: TypedArray): Image {
  const image = new Image(type);
  image.size = [...grid.size];
  image.spacing = [...grid.spacing];
  image.origin = [...grid.origin];
  image.direction = Float64Array.from(grid.direction);
  image.data = data;
  return image;
}

export function itkImageFromScalarImage(image: ScalarImage): Image {
  const type = new ImageType(image.grid.size.length, componentTypeOf(image.pixels), 'Scalar', 1);
  return itkImageOnGrid(image.grid, type, image.pixels);
}

/** A vector image in ITK's sense: what ITK, ANTs and Slicer read as a displacement field. */
export function itkImageFromVectorImage(field: VectorImage): Image {
  const type = new ImageType(field.grid.size.length, 'float32', 'Vector', field.components);
  return itkImageOnGrid(field.grid, type, field.pixels);
}
