// Reading one image file into a scalar image and its description. The order matters: cheap
// checks and the header first, so that a truncated, huge, 4D or vector file is refused
// before its pixels are read (a NIfTI file's size by our own header check, its kind once
// read); then the pixels; then the corrections that make the image mean what the user
// expects (one volume, gray not RGB, the sform where NIfTI tools use it, unit geometry for
// PNG and TIFF, no NaNs on screen).

import type { Image } from 'itk-wasm';
import type { ImageRole } from '../../../shared/contract/image-channels';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { directionNonOrthogonality } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { identityMatrix } from '../../../shared/math/matrix';
import type { JobContext } from '../job-context';
import { silentJob, stagedProgress } from '../job-context';
import type { FileRef } from './file-problems';
import { fileError, fileRef } from './file-problems';
import type { ImageDescription, LoadedImageFile } from './image-description';
import { describeImage } from './image-description';
import type { ImageFormat } from './image-formats';
import { imageFormats } from './image-formats';
import { checkGridGeometry } from './grid-validity';
import { checkImageSize } from './image-size-limits';
import { gridOfItkImage, pixelArrayOf } from './itk-images';
import { needsItkHeaderPass, readItkImage } from './itk-image-readers';
import { preflightImageFile } from './image-file-preflight';
import { reconcileNiftiGeometry } from './nifti-geometry';
import type { NiftiHeader } from './nifti-header';
import { niftiIntentLabel } from './nifti-header';
import { nonFiniteWarning, zeroNonFiniteValues } from './non-finite-values';
import { checkPixelKind, grayFromColour } from './pixel-kinds';
import { checkDimensionAndVolume, spatialGrid, volumePixels } from './volume-selection';

export interface ReadImageOptions {
  /** Overrides label-map detection. */
  readonly role?: ImageRole;
  /** Which volume of a 4D file to load. */
  readonly volumeIndex?: number;
}

/** Refuses, from the header alone, what cannot be loaded. */
export function checkStoredImage(ref: FileRef, header: Image, volumeIndex: number | undefined): void {
  checkDimensionAndVolume(ref, header.size, volumeIndex);
  checkPixelKind(ref, header.imageType);
  checkImageSize(ref, { size: header.size, componentType: header.imageType.componentType, components: header.imageType.components });
}

/** PNG and TIFF carry no physical geometry; the product spec gives them unit spacing. */
function unitGrid(size: readonly number[]): ImageGrid {
  const d = size.length;
  return { size: [...size], spacing: new Array(d).fill(1), origin: new Array(d).fill(0), direction: identityMatrix(d) };
}

function correctedGeometry(ref: FileRef, format: ImageFormat, nifti: NiftiHeader | undefined, grid: ImageGrid, warnings: string[]): ImageGrid {
  if (imageFormats[format].raster) return unitGrid(grid.size);
  let result = grid;
  if (nifti) {
    const decision = reconcileNiftiGeometry(ref, nifti, grid);
    if (decision.warning) warnings.push(decision.warning);
    result = decision.grid;
  }
  checkGridGeometry(ref, result);
  const skew = directionNonOrthogonality(result.direction);
  if (skew > 1e-3) warnings.push(`${ref.name}: its direction matrix is not orthonormal (off by ${skew.toExponential(1)}); distances may be distorted`);
  return result;
}

/**
 * Turns a fully read itk-wasm image into a scalar image: one volume of a 4D image, gray
 * from equal-channel colour, non-finite values zeroed and counted (`hiddenNonFinite` are
 * those the reader already zeroed). Geometry corrections are the caller's.
 */
export function scalarImageFromItk(
  ref: FileRef,
  itkImage: Image,
  volumeIndex: number | undefined,
  warnings: string[],
  hiddenNonFinite = 0,
): { image: ScalarImage; nonFinite: number } {
  let grid = gridOfItkImage(itkImage);
  let pixels = pixelArrayOf(itkImage.data!);
  if (grid.size.length === 4) {
    pixels = volumePixels(itkImage, pixels, volumeIndex ?? 0);
    grid = spatialGrid(grid);
  }
  const gray = grayFromColour(ref, itkImage.imageType, pixels);
  if (gray.warning) warnings.push(gray.warning);
  const nonFinite = zeroNonFiniteValues(gray.pixels) + hiddenNonFinite;
  const warning = nonFiniteWarning(ref, nonFinite, gray.pixels.length);
  if (warning) warnings.push(warning);
  return { image: { grid, pixels: gray.pixels }, nonFinite };
}

async function readStoredImage(ref: FileRef, format: ImageFormat, nifti: NiftiHeader | undefined, part: 'header' | 'pixels'): Promise<Image> {
  return readItkImage(ref, format, part).catch((error: unknown) => {
    // Our own header check accepted it; itk-wasm's NIfTI reader does not take NIfTI-2.
    if (nifti?.version === 2) throw fileError('UNSUPPORTED', ref, 'this is a NIfTI-2 file, which the ITK reader XiMorph uses cannot read; save it as NIfTI-1');
    throw error;
  });
}

/** Reads a file known by `ref`; uploads pass the user's file name in it. */
export async function readImageFileRef(ref: FileRef, options: ReadImageOptions, context: JobContext, source = ref.path): Promise<LoadedImageFile> {
  const progress = stagedProgress(context, { checking: 1, 'reading header': 1, 'reading pixels': 6, analysing: 2 });
  progress.begin('checking');
  const { format, nifti, niftiNonFinite } = await preflightImageFile(ref, context.token);
  const headerPass = needsItkHeaderPass(format);
  if (headerPass) {
    progress.begin('reading header');
    const header = await readStoredImage(ref, format, nifti, 'header');
    checkStoredImage(ref, header, options.volumeIndex);
    // PNG and TIFF have no geometry to judge.
    if (!imageFormats[format].raster) checkGridGeometry(ref, gridOfItkImage(header));
  }
  progress.begin('reading pixels');
  const itkImage = await readStoredImage(ref, format, nifti, 'pixels');
  if (!headerPass) checkStoredImage(ref, itkImage, options.volumeIndex);
  progress.begin('analysing');
  const warnings: string[] = [];
  const hidden = niftiNonFinite?.inVolume(options.volumeIndex ?? 0) ?? 0;
  const { image, nonFinite } = scalarImageFromItk(ref, itkImage, options.volumeIndex, warnings, hidden);
  const grid = correctedGeometry(ref, format, nifti, image.grid, warnings);
  const info: ImageDescription = await describeImage({
    ref,
    source,
    format: imageFormats[format].label,
    image: { grid, pixels: image.pixels },
    stored: itkImage.imageType,
    nonFinite,
    warnings,
    role: options.role,
    declaredLabels: nifti?.intentCode === niftiIntentLabel,
    sidecarsBeside: ref.path,
  });
  progress.update(1);
  return { image: { grid, pixels: image.pixels }, info };
}

/** Reads one image file (NIfTI, NRRD, MetaImage, a single DICOM file, PNG or TIFF). */
export function readImageFile(filePath: string, options: ReadImageOptions = {}, context: JobContext = silentJob): Promise<LoadedImageFile> {
  return readImageFileRef(fileRef(filePath), options, context);
}
