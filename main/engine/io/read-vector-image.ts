// Reading vector images, such as the displacement fields XiMorph and other tools save:
// each voxel holds D components (LPS mm for ITK-convention fields). The scalar reader
// refuses these on purpose; this is the path for them.

import type { Image } from 'itk-wasm';
import type { VectorImage } from '../../../shared/image/voxel-image';
import { silentJob } from '../job-context';
import type { JobContext } from '../job-context';
import type { FileRef } from './file-problems';
import { fileProblem, fileRef } from './file-problems';
import { checkGridGeometry } from './grid-validity';
import { checkImageSize } from './image-size-limits';
import { gridOfItkImage, pixelArrayOf } from './itk-images';
import { needsItkHeaderPass, readItkImage } from './itk-image-readers';
import { preflightImageFile } from './image-file-preflight';
import { reconcileNiftiGeometry } from './nifti-geometry';

export interface LoadedVectorImage {
  readonly field: VectorImage;
  readonly warnings: string[];
}

/** Refuses, from the stored image's header, what is not a 2D or 3D vector image that fits. */
function checkVectorImage(ref: FileRef, stored: Image): void {
  const d = stored.size.length;
  if (d !== 2 && d !== 3) throw fileProblem(ref, `a vector image must be 2D or 3D; this one is ${d}D`);
  if (stored.imageType.components < 2)
    throw fileProblem(ref, 'this image holds one value per voxel, not vectors (load it as an image instead)');
  checkImageSize(ref, { size: stored.size, componentType: stored.imageType.componentType, components: stored.imageType.components });
}

export async function readVectorImageFile(filePath: string, context: JobContext = silentJob): Promise<LoadedVectorImage> {
  const ref = fileRef(filePath);
  const { format, nifti } = await preflightImageFile(ref, context.token);
  const headerPass = needsItkHeaderPass(format);
  if (headerPass) checkVectorImage(ref, await readItkImage(ref, format, 'header'));
  const image = await readItkImage(ref, format, 'pixels');
  if (!headerPass) checkVectorImage(ref, image);
  const pixels = pixelArrayOf(image.data!);
  const warnings: string[] = [];
  let grid = gridOfItkImage(image);
  if (nifti) {
    const decision = reconcileNiftiGeometry(ref, nifti, grid);
    if (decision.warning) warnings.push(decision.warning);
    grid = decision.grid;
  }
  checkGridGeometry(ref, grid);
  const field: VectorImage = {
    grid,
    components: image.imageType.components,
    pixels: pixels instanceof Float32Array ? pixels : Float32Array.from(pixels),
  };
  return { field, warnings };
}
