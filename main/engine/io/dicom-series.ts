// DICOM folders: finding the series in them, and reading one series as a volume. Scanning
// reads each file's header in JavaScript (see dicom-header.ts) and skips non-DICOM files
// after one small read; ITK (GDCM) then sorts and stacks the chosen series' slices.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom';
import type { DicomSeries } from '../../../shared/contract/image-channels';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import type { JobContext } from '../job-context';
import { silentJob, stagedProgress } from '../job-context';
import { dicomTags, dicomValue, readDicomHeader, shortPixelData } from './dicom-header';
import type { FileRef } from './file-problems';
import { checkReadableFolder, fileError, fileProblem, fileRef, fileSystemProblem, printableName, translateItkFailure, pathForItk } from './file-problems';
import type { LoadedImageFile } from './image-description';
import { describeImage } from './image-description';
import { captureItkOutput } from './itk-console-capture';
import { checkGridGeometry } from './grid-validity';
import { checkImageSize } from './image-size-limits';
import { jobRange } from './job-ranges';
import type { ReadImageOptions } from './read-image-file';
import { checkStoredImage, scalarImageFromItk } from './read-image-file';

/** A series found in a folder, with the files that hold it. */
export interface ScannedSeries extends DicomSeries {
  readonly paths: readonly string[];
  /** Files of this series whose pixel data ends early. */
  readonly truncated: readonly string[];
  readonly seriesNumber: number;
}

export async function listFilesRecursively(folder: string, context: JobContext): Promise<string[]> {
  const files: string[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    throwIfCancelled(context.token);
    const dir = pending.pop()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw fileSystemProblem(fileRef(dir), error, 'folder');
    });
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      // Symbolic links to folders are not followed: they can loop.
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile() || entry.isSymbolicLink()) files.push(full);
    }
  }
  return files.sort();
}

/** Groups the DICOM images under `folder` (recursively) by SeriesInstanceUID. */
export async function scanDicomFolder(folder: string, context: JobContext = silentJob): Promise<ScannedSeries[]> {
  await checkReadableFolder(fileRef(folder));
  const files = await listFilesRecursively(path.resolve(folder), context);
  const series = new Map<string, { description: string; modality: string; seriesNumber: number; rows: number; columns: number; frames: number; paths: string[]; truncated: string[] }>();
  for (let i = 0; i < files.length; i++) {
    throwIfCancelled(context.token);
    if (i % 32 === 0) context.progress({ stage: 'scanning DICOM files', fraction: i / files.length, message: `${i} of ${files.length} files` });
    const header = await readDicomHeader(files[i]).catch(() => undefined);
    if (!header || header.pixelData === 'absent') continue;
    const uid = dicomValue(header, dicomTags.seriesInstanceUid) ?? '(no series UID)';
    let entry = series.get(uid);
    if (!entry) {
      entry = {
        description: dicomValue(header, dicomTags.seriesDescription) ?? '',
        modality: dicomValue(header, dicomTags.modality) ?? '',
        seriesNumber: Number(dicomValue(header, dicomTags.seriesNumber) ?? NaN),
        rows: Number(dicomValue(header, dicomTags.rows) ?? 0),
        columns: Number(dicomValue(header, dicomTags.columns) ?? 0),
        frames: 0,
        paths: [],
        truncated: [],
      };
      series.set(uid, entry);
    }
    entry.paths.push(files[i]);
    entry.frames += Math.max(1, Number(dicomValue(header, dicomTags.numberOfFrames) ?? 1) || 1);
    if (header.pixelData === 'truncated' || shortPixelData(header)) entry.truncated.push(files[i]);
  }
  context.progress({ stage: 'scanning DICOM files', fraction: 1 });
  return [...series.entries()]
    .map(([seriesUid, s]) => ({
      seriesUid,
      description: s.description,
      modality: s.modality,
      files: s.paths.length,
      ...(s.rows > 0 && s.columns > 0 ? { size: [s.columns, s.rows, s.frames] } : {}),
      paths: s.paths,
      truncated: s.truncated,
      seriesNumber: s.seriesNumber,
    }))
    .sort((a, b) => (a.seriesNumber || 0) - (b.seriesNumber || 0) || a.description.localeCompare(b.description));
}

/** What the UI shows: the series in a folder, without the file lists. */
export function publicSeries(series: ScannedSeries): DicomSeries {
  return { seriesUid: series.seriesUid, description: series.description, modality: series.modality, files: series.files, ...(series.size ? { size: series.size } : {}) };
}

export async function listDicomSeries(folder: string, context: JobContext = silentJob): Promise<DicomSeries[]> {
  return (await scanDicomFolder(folder, context)).map(publicSeries);
}

/** Of a folder load's progress, the part spent finding the series (reading headers only). */
export const scanShare = 0.2;

export function noDicomImagesError(folder: string): Error {
  return fileProblem(fileRef(folder), 'the folder holds no DICOM images');
}

/** Reads a series already found by a scan; `name` is what messages call it. */
export async function readScannedSeries(series: ScannedSeries, folder: string, options: ReadImageOptions, context: JobContext, name?: string): Promise<LoadedImageFile> {
  const label = name ?? printableName(`${path.basename(folder)} (series ${series.description || series.seriesUid})`);
  const ref: FileRef = { path: path.resolve(folder), name: label };
  if (series.truncated.length > 0)
    throw fileProblem(ref, `${series.truncated.length} of its files are truncated (for example ${path.basename(series.truncated[0])})`, {
      truncated: series.truncated,
    });
  // The series' own header is only known after ITK stacks it; refuse what is plainly too big first.
  if (series.size) checkImageSize(ref, { size: series.size, componentType: 'int16', components: 1 });
  const progress = stagedProgress(context, { reading: 8, analysing: 2 });
  progress.begin('reading');
  let result;
  try {
    const inputImages = await Promise.all(series.paths.map(pathForItk));
    result = await captureItkOutput(() => readImageDicomFileSeriesNode({ inputImages, singleSortedSeries: false }));
  } catch (error) {
    throw translateItkFailure(ref, 'DICOM', error);
  }
  const itkImage = result.outputImage;
  if (!itkImage?.data) throw fileProblem(ref, 'ITK could not assemble a volume from the series');
  checkStoredImage(ref, itkImage, options.volumeIndex);
  progress.begin('analysing');
  const warnings: string[] = [];
  const { image, nonFinite } = scalarImageFromItk(ref, itkImage, options.volumeIndex, warnings);
  checkGridGeometry(ref, image.grid);
  const info = await describeImage({
    ref,
    source: path.resolve(folder),
    format: 'DICOM series',
    image,
    stored: itkImage.imageType,
    nonFinite,
    warnings,
    role: options.role,
  });
  progress.update(1);
  return { image, info };
}

/** Reads the series `seriesUid` found under `folder`. */
export async function readDicomSeries(folder: string, seriesUid: string, options: ReadImageOptions = {}, context: JobContext = silentJob): Promise<LoadedImageFile> {
  const all = await scanDicomFolder(folder, jobRange(context, 0, scanShare));
  if (all.length === 0) throw noDicomImagesError(folder);
  const series = all.find((s) => s.seriesUid === seriesUid);
  if (!series) throw fileError('NOT_FOUND', fileRef(folder), `the folder holds no DICOM series with UID ${seriesUid}`);
  return readScannedSeries(series, folder, options, jobRange(context, scanShare, 1));
}
