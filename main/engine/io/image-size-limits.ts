// Refusing images before reading their pixels: empty ones, and ones too big to hold. The
// limit keeps a volume plus the copies a registration makes well inside a 64-bit process and
// inside WebAssembly's 4 GiB address space (itk-wasm reads the whole file there).

import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';

export const maxVoxels = 2 ** 29;
export const maxPixelBytes = 2 * 1024 ** 3;

const bytesPerComponent: Record<string, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

export interface StoredLayout {
  readonly size: readonly number[];
  readonly componentType: string;
  readonly components: number;
}

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} million` : String(n);
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

export function bytesPerComponentOf(componentType: string): number {
  return bytesPerComponent[componentType] ?? 8;
}

/** Refuses empty images and images past the limits, from the size a header declares. */
export function checkImageSize(ref: FileRef, layout: StoredLayout): void {
  const voxels = layout.size.reduce((a, b) => a * b, 1);
  const dims = layout.size.join(' × ');
  if (voxels === 0 || layout.size.length === 0) throw fileProblem(ref, `the image is empty (${dims || 'no'} voxels)`);
  const bytes = voxels * layout.components * bytesPerComponentOf(layout.componentType);
  if (voxels > maxVoxels)
    throw fileProblem(ref, `the image is too large to load (${dims} = ${formatCount(voxels)} voxels; the limit is ${formatCount(maxVoxels)})`, { voxels, limit: maxVoxels });
  if (bytes > maxPixelBytes)
    throw fileProblem(ref, `the image is too large to load (${formatBytes(bytes)} of pixels; the limit is ${formatBytes(maxPixelBytes)})`, { bytes, limit: maxPixelBytes });
}
