// Reading vector images, such as the displacement fields XiMorph and other tools save:
// each voxel holds D components (LPS mm for ITK-convention fields). The scalar reader
// refuses these on purpose; this is the path for them.

import type { VectorImage } from '../../../shared/image/voxel-image';
import { silentJob } from '../job-context';
import type { JobContext } from '../job-context';
import { fileProblem, fileRef } from './file-problems';
import { checkGridGeometry } from './grid-validity';
import { checkImageSize } from './image-size-limits';
import { gridOfItkImage, pixelArrayOf } from './itk-images';
import { readItkImage } from './itk-image-readers';
import { preflightImageFile } from './image-file-preflight';
import { reconcileNiftiGeometry } from './nifti-geometry';

export interface LoadedVectorImage {
  readonly field: VectorImage;
  readonly warnings: string[];
}

export async function readVectorImageFile(filePath: string, context: JobContext = silentJob): Promise<LoadedVectorImage> {
  const ref = fileRef(filePath);
  const { format, nifti } = await preflightImageFile(ref, context.token);
  const header = await readItkImage(ref, format, 'header');
  const d = header.size.length;
  if (d !== 2 && d !== 3) throw fileProblem(ref, `a vector image must be 2D or 3D; this one is ${d}D`);
  if (header.imageType.components < 2)
    throw fileProblem(ref, 'this image holds one value per voxel, not vectors (load it as an image instead)');
  checkImageSize(ref, { size: header.size, componentType: header.imageType.componentType, components: header.imageType.components });
  const image = await readItkImage(ref, format, 'pixels');
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
