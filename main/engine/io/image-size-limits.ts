// Refusing images before reading their pixels: empty ones, and ones too big to hold. Two
// limits apply, both judged from the size a header declares. Fixed ones keep a volume plus
// the copies a registration makes inside a 64-bit process and inside WebAssembly's 4 GiB
// address space (itk-wasm reads the whole image there). And the machine's: loading takes
// about four times the pixels' bytes at its peak (ITK's buffer in the wasm heap, its copy
// out, our own copy; measured: 1.16 GB peak RSS for a 400³ float32 .nii.gz, 256 MB of
// pixels), which must fit the share of available memory one image may use.

import { availableMemoryBytes, formatBytes, imageShareOfMemory } from '../memory-budget';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';

export const maxVoxels = 2 ** 29;
export const maxPixelBytes = 2 * 1024 ** 3;

/** Peak bytes of memory per byte of stored pixels while an image loads. */
export const loadBytesPerPixelByte = 4;

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

export function bytesPerComponentOf(componentType: string): number {
  return bytesPerComponent[componentType] ?? 8;
}

/**
 * Refuses empty images and images past the limits, from the size a header declares.
 * `available` is the memory available now (a parameter so that tests can pose a machine).
 */
export function checkImageSize(ref: FileRef, layout: StoredLayout, available = availableMemoryBytes()): void {
  const voxels = layout.size.reduce((a, b) => a * b, 1);
  const dims = layout.size.join(' × ');
  if (voxels === 0 || layout.size.length === 0) throw fileProblem(ref, `the image is empty (${dims || 'no'} voxels)`);
  const bytes = voxels * layout.components * bytesPerComponentOf(layout.componentType);
  if (voxels > maxVoxels)
    throw fileProblem(ref, `the image is too large to load (${dims} = ${formatCount(voxels)} voxels; the limit is ${formatCount(maxVoxels)})`, { voxels, limit: maxVoxels });
  if (bytes > maxPixelBytes)
    throw fileProblem(ref, `the image is too large to load (${formatBytes(bytes)} of pixels; the limit is ${formatBytes(maxPixelBytes)})`, { bytes, limit: maxPixelBytes });
  const needed = bytes * loadBytesPerPixelByte;
  const allowed = available * imageShareOfMemory;
  if (needed > allowed)
    throw fileProblem(
      ref,
      `the image is too large for the memory available (${dims} voxels, ${formatBytes(bytes)} of pixels, need about ${formatBytes(needed)} to load; one image may use a quarter of the ${formatBytes(available)} available now)`,
      { bytes, neededBytes: needed, availableBytes: available },
    );
}
