// Saving images and displacement fields, atomically, in formats ITK, ANTs, Slicer, FSL and
// nibabel read. Vector images follow ITK's displacement-field convention: components are
// LPS millimetres on the image's grid. .nii and .nii.gz take ITK's header and stream the
// voxels from the image's own array (nifti-stream-writer.ts), gzipped by node:zlib in parallel
// chunks (parallel-gzip.ts): itk-wasm's writer grew the process by about 330 MB for a 1 mm
// brain's field. Measured on two cores for a 181×217×181×3 float32 field: 2.9 s with
// itk-wasm's own compression, 1.9 s this way at level 1, and about 0.5 s by Huffman coding
// alone (see below), off the event loop, so progress and cancellation keep working; for ch2
// (uint8) both take 0.17 s. Other formats go through itk-wasm.

import { unlink } from 'node:fs/promises';
import { constants as zlibConstants } from 'node:zlib';
import type { Image } from 'itk-wasm';
import type { ComponentType, PixelArray, ScalarImage, VectorImage } from '../../../shared/image/voxel-image';
import { assertPixelCount, componentTypeOf, isIntegerComponent, pixelArrayConstructors } from '../../../shared/image/voxel-image';
import type { JobContext } from '../job-context';
import { silentJob, stagedProgress } from '../job-context';
import { writeAtomically } from './atomic-write';
import { fileProblem, fileRef } from './file-problems';
import { fullExtension } from './image-formats';
import { itkImageFromScalarImage, itkImageFromVectorImage } from './itk-images';
import { gzipFile } from './parallel-gzip';
import { writeWithItk } from './itk-image-writer';
import { canStreamNifti, writeNiftiStreamed } from './nifti-stream-writer';

export interface WriteImageOptions {
  /** Store pixels as this type (integers are rounded and clamped). Default: as they are. */
  readonly componentType?: ComponentType;
  /** Compress .mha and .nrrd data (zlib inside the file). .nii.gz is always compressed, .nii never. */
  readonly compress?: boolean;
}

const writableExtensions = ['.nii.gz', '.nii', '.mha', '.mhd', '.nrrd', '.nhdr'];

const integerLimits: Partial<Record<ComponentType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

/** Pixels as `type`; typed-array assignment would truncate and wrap, so round and clamp. */
export function convertPixels(pixels: PixelArray, type: ComponentType): PixelArray {
  if (componentTypeOf(pixels) === type) return pixels;
  const out = new pixelArrayConstructors[type](pixels.length);
  const limits = integerLimits[type];
  if (!limits || !isIntegerComponent(type)) {
    out.set(pixels);
    return out;
  }
  const [lo, hi] = limits;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    out[i] = Number.isNaN(v) ? 0 : Math.min(hi, Math.max(lo, Math.round(v)));
  }
  return out;
}

function checkWritableExtension(target: string): string {
  const ext = fullExtension(target);
  if (!writableExtensions.includes(ext))
    throw fileProblem(fileRef(target), `cannot save as "${ext || 'no extension'}"; use .nii.gz, .nii, .mha or .nrrd`);
  return ext;
}

async function writeItkImage(target: string, image: Image, compress: boolean, context: JobContext): Promise<void> {
  const ext = checkWritableExtension(target);
  const gzipped = ext === '.nii.gz';
  const progress = stagedProgress(context, { writing: 1, compressing: gzipped ? 2 : 0 });
  // Floats hardly compress: a 1 mm brain's displacement field (85 MB) to 0.877 of its size at
  // level 1 in 2.4 s of one core, to 0.914 by Huffman coding alone (the exponents' bytes) in
  // 0.83 s. Integer images gain from the default level.
  const float = image.imageType.componentType.startsWith('float');
  const gzip = { ...(float ? { level: 1, strategy: zlibConstants.Z_HUFFMAN_ONLY } : { level: 6 }), onProgress: (f: number) => progress.update(f) };
  await writeAtomically(target, context, async (stagingPath) => {
    progress.begin('writing');
    if ((ext === '.nii' || gzipped) && canStreamNifti(image)) {
      if (gzipped) progress.begin('compressing');
      if (await writeNiftiStreamed(image, stagingPath, target, context.token, gzipped ? gzip : undefined)) return;
    }
    if (!gzipped) {
      await writeWithItk(image, stagingPath, compress && ext !== '.nii', target);
      return;
    }
    const uncompressed = stagingPath.slice(0, -'.gz'.length);
    await writeWithItk(image, uncompressed, false, target);
    progress.begin('compressing');
    await gzipFile(uncompressed, stagingPath, context.token, gzip);
    await unlink(uncompressed);
  });
}

export async function writeScalarImage(filePath: string, image: ScalarImage, options: WriteImageOptions = {}, context: JobContext = silentJob): Promise<void> {
  assertPixelCount(image);
  const pixels = options.componentType ? convertPixels(image.pixels, options.componentType) : image.pixels;
  await writeItkImage(filePath, itkImageFromScalarImage({ grid: image.grid, pixels }), options.compress ?? false, context);
}

/** A displacement (or any vector) field, as a vector image ITK reads back with the same grid. */
export async function writeVectorImage(filePath: string, field: VectorImage, options: Pick<WriteImageOptions, 'compress'> = {}, context: JobContext = silentJob): Promise<void> {
  assertPixelCount(field, field.components);
  await writeItkImage(filePath, itkImageFromVectorImage(field), options.compress ?? false, context);
}
