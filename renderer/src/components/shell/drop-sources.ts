// Turns files dropped on the window into sources to open. A header and its data file
// (.mhd + .raw, .nhdr + .raw) travel together; a folder or a set of DICOM files is one
// series; every other image file is its own source. Files stay as the browser's handles
// until they are sent, a chunk at a time (see shared/rpc/send-upload.ts).

import type { UploadableFile } from '../../../../shared/rpc/send-upload';
import type { DroppedFiles } from '../../state/image-library.svelte';

const companionExtensions = ['.raw', '.zraw', '.img', '.gz.raw'];
const primaryExtensions = ['.nii', '.nii.gz', '.nrrd', '.nhdr', '.mha', '.mhd', '.png', '.tif', '.tiff'];

const lower = (f: UploadableFile) => f.name.toLowerCase();
const isPrimary = (f: UploadableFile) => primaryExtensions.some((e) => lower(f).endsWith(e));
const isCompanion = (f: UploadableFile) => companionExtensions.some((e) => lower(f).endsWith(e));

export function sourcesFromDroppedFiles(files: UploadableFile[], fromFolder: boolean): DroppedFiles[] {
  if (files.length === 0) return [];
  const primaries = files.filter(isPrimary);
  if (fromFolder || primaries.length === 0) return [{ kind: 'dropped', files }];
  const companions = files.filter(isCompanion);
  return primaries.map((primary) => ({ kind: 'dropped', files: [primary, ...companions] }));
}

/** A dropped file as something to send: its bytes are read a slice at a time. */
function uploadable(file: File): UploadableFile {
  return { name: file.name, size: file.size, read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()) };
}

async function readEntry(entry: FileSystemEntry, into: UploadableFile[]): Promise<void> {
  if (entry.isFile) {
    into.push(uploadable(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await readEntry(child, into);
  }
}

/** Finds everything dropped, descending into folders. */
export async function readDrop(transfer: DataTransfer): Promise<DroppedFiles[]> {
  const entries = [...transfer.items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) {
    // Some sources (another app, a script) give plain files without file-system entries.
    return sourcesFromDroppedFiles([...transfer.files].map(uploadable), false);
  }
  const sources: DroppedFiles[] = [];
  const loose: UploadableFile[] = [];
  for (const entry of entries) {
    if (entry.isDirectory) {
      const files: UploadableFile[] = [];
      await readEntry(entry, files);
      sources.push(...sourcesFromDroppedFiles(files, true));
    } else await readEntry(entry, loose);
  }
  return [...sources, ...sourcesFromDroppedFiles(loose, false)];
}
