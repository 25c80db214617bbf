// Reading through itk-wasm with the reader for the format we detected, rather than letting
// itk-wasm guess from a MIME type (which sends extension-less DICOM files through every
// reader in turn). Its failures become one-line messages.

import type { Image, JsonCompatible } from 'itk-wasm';
import {
  gdcmReadImageNode,
  metaReadImageNode,
  niftiReadImageNode,
  nrrdReadImageNode,
  pngReadImageNode,
  tiffReadImageNode,
} from '@itk-wasm/image-io';
import type { FileRef } from './file-problems';
import { fileProblem, pathForItk, translateItkFailure } from './file-problems';
import type { ImageFormat } from './image-formats';
import { imageFormats } from './image-formats';
import { captureItkOutput } from './itk-console-capture';

type ItkReader = (file: string, options: { informationOnly?: boolean }) => Promise<{ couldRead: JsonCompatible; image: Image }>;

const readers: Record<ImageFormat, ItkReader> = {
  nifti: niftiReadImageNode,
  nrrd: nrrdReadImageNode,
  meta: metaReadImageNode,
  dicom: gdcmReadImageNode,
  png: pngReadImageNode,
  tiff: tiffReadImageNode,
};

/**
 * ITK's header pass is skipped for NIfTI: we parse that header ourselves and hold its declared
 * size to the limits before ITK sees the file (nifti-file.ts), and for a .nii.gz ITK's header
 * pass inflates the file as its pixel read does (80–90 ms each for a 1 mm brain). Callers run
 * their checks of the stored image on the image read instead.
 */
export function needsItkHeaderPass(format: ImageFormat): boolean {
  return format !== 'nifti';
}

/** The image's header only (`informationOnly`), or the whole image. */
export async function readItkImage(ref: FileRef, format: ImageFormat, part: 'header' | 'pixels'): Promise<Image> {
  const label = imageFormats[format].label;
  let result;
  try {
    const file = await pathForItk(ref.path);
    result = await captureItkOutput(() => readers[format](file, { informationOnly: part === 'header' }));
  } catch (error) {
    throw translateItkFailure(ref, label, error);
  }
  if (!result.couldRead || !result.image) throw fileProblem(ref, `this is not a readable ${label} file`);
  if (part === 'pixels' && !result.image.data) throw fileProblem(ref, `ITK read no pixels from the ${label} file`);
  return result.image;
}
