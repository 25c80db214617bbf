// The one entry point for loading an image from wherever it comes from: a file, a folder of
// DICOM files, a chosen DICOM series, or files uploaded from the UI. Folders and uploads may
// hold several DICOM series; then the user must choose, and the error lists them.

import { stat } from 'node:fs/promises';
import type { ImageSource } from '../../../shared/contract/image-channels';
import { EngineError } from '../../../shared/contract/errors';
import type { JobContext } from '../job-context';
import type { ScannedSeries } from './dicom-series';
import { noDicomImagesError, publicSeries, readDicomSeries, readScannedSeries, scanDicomFolder, scanShare } from './dicom-series';
import { jobRange } from './job-ranges';
import type { FileRef } from './file-problems';
import { fileRef } from './file-problems';
import type { LoadedImageFile } from './image-description';
import { formatFromExtension, hasDicomMagic } from './image-formats';
import type { ReadImageOptions } from './read-image-file';
import { readImageFile, readImageFileRef } from './read-image-file';
import type { StagedFile, StagedUpload } from './upload-staging';

/** Files the user dropped, received in full (see upload-staging.ts); `seriesUid` is a choice made. */
export interface StagedUploadSource {
  readonly kind: 'staged';
  readonly upload: StagedUpload;
  readonly seriesUid?: string;
}

export type LoadableImageSource = Exclude<ImageSource, { kind: 'sample' | 'upload' }> | StagedUploadSource;

function severalSeriesError(where: FileRef, series: readonly ScannedSeries[]): EngineError {
  return new EngineError('NEEDS_CHOICE', `${where.name}: holds ${series.length} DICOM series; pick one to load`, {
    file: where.path,
    details: { series: series.map(publicSeries) },
  });
}

async function loadDicomFolder(folder: string, options: ReadImageOptions, context: JobContext): Promise<LoadedImageFile> {
  const series = await scanDicomFolder(folder, jobRange(context, 0, scanShare));
  if (series.length === 0) throw noDicomImagesError(folder);
  if (series.length > 1) throw severalSeriesError(fileRef(folder), series);
  return readScannedSeries(series[0], folder, options, jobRange(context, scanShare, 1));
}

/**
 * Header files whose companions (data files) may have been uploaded with them. DICOM files
 * never are: several of them, with or without the extension, are slices of series.
 */
function pickMainFile(staged: readonly StagedFile[]): StagedFile | undefined {
  const images = staged.filter((f) => !['dicom', undefined].includes(formatFromExtension(f.path)) && !/\.(raw|zraw|img)$/i.test(f.path));
  return images.length === 1 ? images[0] : undefined;
}

async function loadUpload({ upload, seriesUid }: StagedUploadSource, options: ReadImageOptions, context: JobContext): Promise<LoadedImageFile> {
  const { files: staged, folder } = upload;
  if (staged.length === 1) return readImageFileRef(fileRef(staged[0].path, staged[0].name), options, context, `uploaded file ${staged[0].name}`);
  const main = pickMainFile(staged);
  const dicomFlags = await Promise.all(staged.map((f) => hasDicomMagic(f.path)));
  // DICOM slices, perhaps with a DICOMDIR or a text file dropped along; the scan skips those.
  if (!main && dicomFlags.some(Boolean)) {
    const series = await scanDicomFolder(folder, jobRange(context, 0, scanShare));
    const uploadName = `${staged.length} uploaded files`;
    if (series.length === 0) throw new EngineError('BAD_INPUT', `${uploadName}: they hold no DICOM images`);
    const chosen = seriesUid === undefined ? (series.length === 1 ? series[0] : undefined) : series.find((s) => s.seriesUid === seriesUid);
    if (seriesUid !== undefined && !chosen) throw new EngineError('NOT_FOUND', `${uploadName}: they hold no DICOM series with UID ${seriesUid}`);
    // The upload stays staged while the user chooses; the choice comes back as its seriesUid.
    if (!chosen) throw severalSeriesError({ name: uploadName, path: uploadName }, series);
    return readScannedSeries(chosen, folder, options, jobRange(context, scanShare, 1), `${uploadName} (series ${chosen.description || chosen.seriesUid})`);
  }
  if (!main)
    throw new EngineError(
      'BAD_INPUT',
      `${staged.map((f) => f.name).join(', ')}: several images were uploaded together; load one at a time (a header with its data file, or the DICOM files of one series, are fine)`,
    );
  return readImageFileRef(fileRef(main.path, main.name), options, context, `uploaded file ${main.name}`);
}

export async function loadImageSource(source: LoadableImageSource, options: ReadImageOptions, context: JobContext): Promise<LoadedImageFile> {
  switch (source.kind) {
    case 'path': {
      const isFolder = await stat(source.path).then(
        (s) => s.isDirectory(),
        () => false,
      );
      return isFolder ? loadDicomFolder(source.path, options, context) : readImageFile(source.path, options, context);
    }
    case 'dicomSeries':
      return readDicomSeries(source.folder, source.seriesUid, options, context);
    case 'staged':
      return loadUpload(source, options, context);
  }
}
