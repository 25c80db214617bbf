// Which image format a file is in. itk-wasm picks its reader from the extension, so we do
// too, and we name formats the way users know them. DICOM files often have no extension at
// all, so for those we look for the "DICM" magic instead.

import { open } from 'node:fs/promises';
import path from 'node:path';

export type ImageFormat = 'nifti' | 'nrrd' | 'meta' | 'dicom' | 'png' | 'tiff';

interface FormatDescription {
  readonly label: string;
  readonly extensions: readonly string[];
  /** Pixel rasters without physical geometry: the product spec gives them unit spacing. */
  readonly raster: boolean;
}

export const imageFormats: Readonly<Record<ImageFormat, FormatDescription>> = {
  nifti: { label: 'NIfTI', extensions: ['.nii', '.nii.gz'], raster: false },
  nrrd: { label: 'NRRD', extensions: ['.nrrd', '.nhdr'], raster: false },
  meta: { label: 'MetaImage', extensions: ['.mha', '.mhd'], raster: false },
  dicom: { label: 'DICOM', extensions: ['.dcm', '.dicom', '.ima'], raster: false },
  png: { label: 'PNG', extensions: ['.png'], raster: true },
  tiff: { label: 'TIFF', extensions: ['.tif', '.tiff'], raster: true },
};

export const supportedFormatsSentence = 'XiMorph reads NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr), MetaImage (.mha, .mhd), DICOM, PNG and TIFF';

/** The extension including a trailing ".gz" (".nii.gz"), lower-cased; "" when there is none. */
export function fullExtension(filePath: string): string {
  const name = path.basename(filePath).toLowerCase();
  const gz = name.endsWith('.gz') ? '.gz' : '';
  const stem = gz ? name.slice(0, -3) : name;
  const dot = stem.lastIndexOf('.');
  return dot > 0 ? stem.slice(dot) + gz : gz;
}

/** The file name without its image extension: "aal" for "aal.nii.gz". */
export function stemOf(filePath: string): string {
  const name = path.basename(filePath);
  return name.slice(0, name.length - fullExtension(name).length);
}

export function formatFromExtension(filePath: string): ImageFormat | undefined {
  const ext = fullExtension(filePath);
  if (!ext) return undefined;
  for (const [format, description] of Object.entries(imageFormats) as [ImageFormat, FormatDescription][])
    if (description.extensions.includes(ext)) return format;
  return undefined;
}

/** Part 10 DICOM files carry "DICM" after a 128-byte preamble. */
export async function hasDicomMagic(filePath: string): Promise<boolean> {
  const handle = await open(filePath, 'r');
  try {
    const probe = Buffer.alloc(4);
    const { bytesRead } = await handle.read(probe, 0, 4, 128);
    return bytesRead === 4 && probe.toString('latin1') === 'DICM';
  } finally {
    await handle.close();
  }
}

/** The format by extension, else by content for extension-less DICOM; undefined if unknown. */
export async function detectImageFormat(filePath: string): Promise<ImageFormat | undefined> {
  return formatFromExtension(filePath) ?? ((await hasDicomMagic(filePath)) ? 'dicom' : undefined);
}
