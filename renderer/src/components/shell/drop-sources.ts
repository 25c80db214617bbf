// Turns files dropped on the window into image sources. A header and its data file
// (.mhd + .raw, .nhdr + .raw) travel together; a folder or a set of DICOM files is one
// series; every other image file is its own source.

import type { ImageSource } from '../../../../shared/contract/index';

const companionExtensions = ['.raw', '.zraw', '.img', '.gz.raw'];
const primaryExtensions = ['.nii', '.nii.gz', '.nrrd', '.nhdr', '.mha', '.mhd', '.png', '.tif', '.tiff'];

export interface DroppedFile {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

const lower = (f: DroppedFile) => f.name.toLowerCase();
const isPrimary = (f: DroppedFile) => primaryExtensions.some((e) => lower(f).endsWith(e));
const isCompanion = (f: DroppedFile) => companionExtensions.some((e) => lower(f).endsWith(e));

export function sourcesFromDroppedFiles(files: DroppedFile[], fromFolder: boolean): ImageSource[] {
  if (files.length === 0) return [];
  const primaries = files.filter(isPrimary);
  if (fromFolder || primaries.length === 0) return [{ kind: 'upload', files }];
  const companions = files.filter(isCompanion);
  return primaries.map((primary) => ({ kind: 'upload', files: [primary, ...companions] }));
}

async function readEntry(entry: FileSystemEntry, into: DroppedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await readEntry(child, into);
  }
}

/** Reads everything dropped, descending into folders. */
export async function readDrop(transfer: DataTransfer): Promise<ImageSource[]> {
  const entries = [...transfer.items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) {
    // Some sources (another app, a script) give plain files without file-system entries.
    const files = await Promise.all([...transfer.files].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    return sourcesFromDroppedFiles(files, false);
  }
  const sources: ImageSource[] = [];
  const loose: DroppedFile[] = [];
  for (const entry of entries) {
    if (entry.isDirectory) {
      const files: DroppedFile[] = [];
      await readEntry(entry, files);
      sources.push(...sourcesFromDroppedFiles(files, true));
    } else await readEntry(entry, loose);
  }
  return [...sources, ...sourcesFromDroppedFiles(loose, false)];
}
