// Four-dimensional files (fMRI, diffusion, time series) hold several 3D volumes. XiMorph
// registers one volume at a time, so the caller must say which; we then keep only that
// volume and the spatial part of the geometry.

import type { Image } from 'itk-wasm';
import { EngineError } from '../../../shared/contract/errors';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import type { PixelArray } from '../../../shared/image/voxel-image';

/** Refuses shapes XiMorph cannot use and asks which volume to take from a 4D file. */
export function checkDimensionAndVolume(ref: FileRef, size: readonly number[], volumeIndex: number | undefined): void {
  const d = size.length;
  if (d < 2) throw fileProblem(ref, `the image is ${d}-dimensional; XiMorph loads 2D and 3D images (and single volumes of 4D files)`);
  if (d > 4) throw fileProblem(ref, `the image is ${d}-dimensional (${size.join(' × ')}); XiMorph loads 2D and 3D images (and single volumes of 4D files)`);
  if (d < 4) {
    // A 2D or 3D file is one volume: volume 0 is the image, any other a mistake to say.
    if (volumeIndex !== undefined && volumeIndex !== 0)
      throw fileProblem(ref, `volume ${volumeIndex} does not exist (the image is ${d}D, a single volume: volume 0)`, { volumes: 1 });
    return;
  }
  const volumes = size[3];
  if (volumeIndex === undefined) {
    if (volumes > 1)
      throw new EngineError(
        'NEEDS_CHOICE',
        `${ref.name}: the file holds ${volumes} volumes; XiMorph registers one volume at a time, so pick one`,
        { file: ref.path, details: { volumes } },
      );
    return;
  }
  if (!Number.isInteger(volumeIndex) || volumeIndex < 0 || volumeIndex >= volumes)
    throw fileProblem(ref, `volume ${volumeIndex} does not exist (the file holds volumes 0 to ${volumes - 1})`, { volumes });
}

/** The spatial 3D part of a 4D grid. */
export function spatialGrid(grid: ImageGrid): ImageGrid {
  const d = grid.size.length;
  if (d <= 3) return grid;
  const direction: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) direction.push(grid.direction[r * d + c]);
  return { size: grid.size.slice(0, 3), spacing: grid.spacing.slice(0, 3), origin: grid.origin.slice(0, 3), direction };
}

/** One volume's interleaved pixels (copied, so the 4D buffer can be freed). */
export function volumePixels(image: Image, pixels: PixelArray, volumeIndex: number): PixelArray {
  const perVolume = image.size[0] * image.size[1] * image.size[2] * image.imageType.components;
  return pixels.slice(volumeIndex * perVolume, (volumeIndex + 1) * perVolume);
}
