// What we check about a file before handing it to ITK: that it is a non-empty regular file
// of a format we read, and the format-specific damage ITK would miss or report badly
// (truncated NIfTI and DICOM data, a missing MetaImage/NRRD data file).

import type { CancellationToken } from '../../../shared/rpc/cancellation';
import { dicomValue, dicomTags, readDicomHeader, shortPixelData } from './dicom-header';
import { checkDetachedDataFile } from './detached-data-files';
import { checkTextImageHeader, headerText } from './text-image-headers';
import type { FileRef } from './file-problems';
import { fileProblem, sizeOfRegularFile } from './file-problems';
import type { ImageFormat } from './image-formats';
import { detectImageFormat, fullExtension, supportedFormatsSentence } from './image-formats';
import type { NiftiHeader } from './nifti-header';
import { checkNiftiFile } from './nifti-file';
import type { NonFiniteCounter } from './nifti-non-finite';

export interface PreflightedFile {
  readonly format: ImageFormat;
  /** For NIfTI files: the header as we parsed it (both transforms, their codes, the intent). */
  readonly nifti?: NiftiHeader;
  /** NIfTI float data only: NaN and infinite voxels, which ITK's reader turns into zeros. */
  readonly niftiNonFinite?: NonFiniteCounter;
}

async function checkDicomFile(ref: FileRef): Promise<void> {
  const header = await readDicomHeader(ref.path);
  if (!header) throw fileProblem(ref, 'this is not a DICOM file');
  if (header.pixelData === 'truncated') throw fileProblem(ref, 'the file is truncated (its DICOM data ends before the pixel data does)');
  // ITK (GDCM) reads short native pixel data without complaint, padding or garbling the rest.
  const short = shortPixelData(header);
  if (short) throw fileProblem(ref, `the file is truncated (its pixel data holds ${short.bytes} bytes; its rows, columns and frames need ${short.expected})`, { ...short });
  if (header.pixelData === 'absent') {
    const kind = dicomValue(header, dicomTags.modality);
    throw fileProblem(ref, `this DICOM file holds no image (no pixel data${kind ? `; modality ${kind}` : ''})`);
  }
}

export async function preflightImageFile(ref: FileRef, token: CancellationToken): Promise<PreflightedFile> {
  const bytes = await sizeOfRegularFile(ref);
  const format = await detectImageFormat(ref.path);
  if (!format) {
    const ext = fullExtension(ref.name);
    throw fileProblem(ref, `${ext ? `unknown file type "${ext}"` : 'unknown file type (no extension, and not DICOM)'}; ${supportedFormatsSentence}`);
  }
  if (format === 'nifti') {
    const check = await checkNiftiFile(ref, bytes, token);
    return { format, nifti: check.header, niftiNonFinite: check.nonFinite };
  }
  if (format === 'dicom') await checkDicomFile(ref);
  else if (format === 'meta' || format === 'nrrd') {
    const text = await headerText(ref.path);
    checkTextImageHeader(ref, format, text);
    await checkDetachedDataFile(ref, format, text);
  }
  return { format };
}
