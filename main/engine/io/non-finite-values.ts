// NaN and infinite voxels appear in real files (masked statistics maps, failed
// reconstructions). We keep loading so the user can look, show them as 0, and count them
// so that a registration can refuse the image rather than spread NaNs through a field.

import type { PixelArray } from '../../../shared/image/voxel-image';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';

/** Replaces non-finite values by 0 in place; returns how many there were. */
export function zeroNonFiniteValues(pixels: PixelArray): number {
  if (!(pixels instanceof Float32Array || pixels instanceof Float64Array)) return 0;
  let count = 0;
  for (let i = 0; i < pixels.length; i++)
    if (!Number.isFinite(pixels[i])) {
      pixels[i] = 0;
      count++;
    }
  return count;
}

/** The warning for `count` non-finite voxels of `total`; an image with nothing finite is refused. */
export function nonFiniteWarning(ref: FileRef, count: number, total: number): string | undefined {
  if (count === 0) return undefined;
  if (count >= total) throw fileProblem(ref, 'every voxel is NaN or infinite; there is no image to show');
  return `${ref.name}: ${count} of ${total} voxels are NaN or infinite; they are shown as 0 (registration needs finite values)`;
}
