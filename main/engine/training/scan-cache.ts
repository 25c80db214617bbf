// A folder of the user's scans made ready for training: searched recursively for every image
// XiMorph reads (files, and DICOM series among the files), each checked, its intensities
// normalized, resampled once to the training resolution and cached under a key from the file's
// content and the resolution, so that a second run (or another model) starts at once. A file
// that cannot be used is skipped and listed with its reason; it never stops the others.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { contentHash } from '../io/content-hash';
import { listFilesRecursively, readScannedSeries, scanDicomFolder } from '../io/dicom-series';
import { formatFromExtension } from '../io/image-formats';
import { readImageFile } from '../io/index';
import type { LoadedImageFile } from '../io/index';
import type { JobContext } from '../job-context';
import { atResolution, normalizeIntensities } from './training-grids';

/** One scan on the training grid: intensities in [0, 1] as raw float32 in `file`. */
export interface CachedScan {
  readonly file: string;
  readonly size: readonly number[];
  /** Where it came from, for the model card. */
  readonly source: string;
}

export interface SkippedScan {
  readonly source: string;
  readonly reason: string;
}

export interface PreparedScans {
  readonly scans: CachedScan[];
  readonly skipped: SkippedScan[];
}

const cacheVersion = 1;

async function cached(cacheFolder: string, key: string, source: string, load: () => Promise<LoadedImageFile>, resolutionMm: number): Promise<CachedScan> {
  const file = path.join(cacheFolder, `${key}.f32`);
  const meta = path.join(cacheFolder, `${key}.json`);
  try {
    const { size } = JSON.parse(await readFile(meta, 'utf8')) as { size: number[] };
    return { file, size, source };
  } catch {
    // Not cached yet.
  }
  const loaded = await load();
  const image = atResolution({ grid: loaded.image.grid, pixels: normalizeIntensities(loaded.image.pixels) }, resolutionMm, 'linear');
  await mkdir(cacheFolder, { recursive: true });
  // The data first, then the description that says it is whole: a killed run leaves no half entry.
  const staging = `${file}.${process.pid}.partial`;
  await writeFile(staging, new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength));
  await rename(staging, file);
  await writeFile(`${meta}.${process.pid}.partial`, JSON.stringify({ size: image.grid.size, source, resolutionMm }));
  await rename(`${meta}.${process.pid}.partial`, meta);
  return { file, size: [...image.grid.size], source };
}

const reasonOf = (error: unknown) => (error instanceof EngineError ? error.message : `could not be read (${(error as Error).message})`);

/**
 * Every usable scan under `folder`. `dimension` 3 needs volumes (2D images are skipped);
 * `dimension` 2 takes 2D images whole and slices of volumes.
 */
export async function prepareScans(folder: string, dimension: 2 | 3, resolutionMm: number, cacheFolder: string, context: JobContext): Promise<PreparedScans> {
  const files = await listFilesRecursively(path.resolve(folder), context).catch((error: NodeJS.ErrnoException) => {
    throw new EngineError(error.code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_INPUT', `${folder}: ${error.code === 'ENOENT' ? 'no such folder' : `cannot be listed (${error.code})`}`, { file: folder });
  });
  const scans: CachedScan[] = [];
  const skipped: SkippedScan[] = [];
  const images = files.filter((f) => {
    const format = formatFromExtension(f);
    return format && format !== 'dicom' && !/\.(raw|zraw|img)$/i.test(f);
  });
  const take = async (source: string, key: () => Promise<string>, load: () => Promise<LoadedImageFile>) => {
    throwIfCancelled(context.token);
    try {
      const scan = await cached(cacheFolder, `${await key()}-${resolutionMm}mm-v${cacheVersion}`, source, async () => {
        const loaded = await load();
        const d = loaded.image.grid.size.length;
        if (dimension === 3 && d === 2) throw new EngineError('BAD_INPUT', `${path.basename(source)}: a 2D image cannot train a 3D model`);
        return loaded;
      }, resolutionMm);
      if (dimension === 3 && scan.size.length === 2) throw new EngineError('BAD_INPUT', `${path.basename(source)}: a 2D image cannot train a 3D model`);
      scans.push(scan);
    } catch (error) {
      if ((error as EngineError).code === 'CANCELLED') throw error;
      skipped.push({ source, reason: reasonOf(error) });
    }
  };
  for (const [i, file] of images.entries()) {
    context.progress({ stage: 'preparing scans', fraction: i / Math.max(1, images.length), message: path.basename(file) });
    await take(file, () => contentHash(file), () => readImageFile(file, { role: 'intensity' }));
  }
  const series = await scanDicomFolder(folder, context).catch(() => []);
  for (const s of series) {
    await take(`${folder} (DICOM series ${s.seriesUid})`, async () => createHash('sha256').update(s.paths.join('\n')).update(String(await Promise.all(s.paths.map(contentHash)))).digest('hex'), () =>
      readScannedSeries(s, folder, { role: 'intensity' }, context),
    );
  }
  if (scans.length === 0)
    throw new EngineError(
      'BAD_INPUT',
      `${folder}: holds no scans XiMorph can train on${skipped.length ? ` (${skipped.length} skipped: ${skipped.slice(0, 2).map((s) => s.reason).join('; ')})` : ''}`,
      { file: folder, details: { skipped } },
    );
  return { scans, skipped };
}

/** One image file prepared like the scans of a folder (for a validation scan). */
export async function prepareScan(file: string, resolutionMm: number, cacheFolder: string): Promise<CachedScan> {
  return cached(cacheFolder, `${await contentHash(file)}-${resolutionMm}mm-v${cacheVersion}`, file, () => readImageFile(file, { role: 'intensity' }), resolutionMm);
}

/** An atlas's label map on the training grid, prepared once like a scan: int32 labels in `file`. */
export interface CachedLabels {
  readonly file: string;
  readonly size: readonly number[];
  readonly source: string;
}

/** The labels of `atlas` at `resolutionMm` (nearest neighbour), from the cache when already prepared. */
export async function prepareAtlasLabels(atlas: string, resolutionMm: number, cacheFolder: string): Promise<CachedLabels> {
  const key = `${await contentHash(atlas)}-labels-${resolutionMm}mm-v${cacheVersion}`;
  const file = path.join(cacheFolder, `${key}.i32`);
  const meta = path.join(cacheFolder, `${key}.json`);
  try {
    const { size } = JSON.parse(await readFile(meta, 'utf8')) as { size: number[] };
    return { file, size, source: atlas };
  } catch {
    // Not cached yet.
  }
  const loaded = await readImageFile(atlas, { role: 'labels' });
  const labels = atResolution(loaded.image, resolutionMm, 'nearest');
  const values = Int32Array.from(labels.pixels);
  await mkdir(cacheFolder, { recursive: true });
  await writeFile(`${file}.${process.pid}.partial`, new Uint8Array(values.buffer));
  await rename(`${file}.${process.pid}.partial`, file);
  await writeFile(`${meta}.${process.pid}.partial`, JSON.stringify({ size: labels.grid.size, source: atlas, resolutionMm }));
  await rename(`${meta}.${process.pid}.partial`, meta);
  return { file, size: [...labels.grid.size], source: atlas };
}

export async function readCachedLabels(labels: CachedLabels): Promise<Int32Array> {
  const bytes = await readFile(labels.file);
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export async function readCachedScan(scan: CachedScan): Promise<{ intensities: Float32Array; size: readonly number[] }> {
  const bytes = await readFile(scan.file);
  // A copy: a pooled Buffer's offset need not be a multiple of 4.
  return { intensities: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), size: scan.size };
}
