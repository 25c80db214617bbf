// Images as the engine and the renderer hold them: a grid plus a flat array, x fastest.
// Scalar images carry one value per voxel; vector images (displacement fields) carry
// `components` interleaved values per voxel.

import type { ImageGrid } from '../geometry/grid';
import { voxelCount } from '../geometry/grid';

export const componentTypes = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] as const;
export type ComponentType = (typeof componentTypes)[number];

export type PixelArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** The typed array that holds each component type. */
export const pixelArrayConstructors: Record<ComponentType, { new (length: number): PixelArray; new (buffer: ArrayBuffer): PixelArray }> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export interface ScalarImage<P extends PixelArray = PixelArray> {
  readonly grid: ImageGrid;
  readonly pixels: P;
}

export interface VectorImage {
  readonly grid: ImageGrid;
  readonly components: number;
  readonly pixels: Float32Array;
}

export function componentTypeOf(pixels: PixelArray): ComponentType {
  if (pixels instanceof Uint8Array) return 'uint8';
  if (pixels instanceof Int8Array) return 'int8';
  if (pixels instanceof Uint16Array) return 'uint16';
  if (pixels instanceof Int16Array) return 'int16';
  if (pixels instanceof Uint32Array) return 'uint32';
  if (pixels instanceof Int32Array) return 'int32';
  if (pixels instanceof Float32Array) return 'float32';
  return 'float64';
}

export function isIntegerComponent(type: ComponentType): boolean {
  return type !== 'float32' && type !== 'float64';
}

export function assertPixelCount(image: { grid: ImageGrid; pixels: ArrayLike<number> }, components = 1): void {
  const expected = voxelCount(image.grid) * components;
  if (image.pixels.length !== expected)
    throw new Error(`pixel array holds ${image.pixels.length} values; the grid needs ${expected}`);
}

export function toFloat32(pixels: PixelArray): Float32Array {
  return pixels instanceof Float32Array ? pixels : Float32Array.from(pixels);
}
