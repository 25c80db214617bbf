// Files the user dropped in the UI arrive as bytes. ITK reads files, so we write them to a
// private temporary folder (mode 0700) under their own names, read them there, and remove
// the folder whatever happens.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import type { JobContext } from '../job-context';

export interface UploadedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface StagedFile {
  readonly path: string;
  /** The name the user knows the file by. */
  readonly name: string;
}

/** A name that cannot escape the staging folder, keeping the extension readers need. */
function safeName(name: string, index: number): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[^\w.+-]/g, '_');
  return base && base !== '.' && base !== '..' ? base : `upload-${index}`;
}

/** Writes the files into a fresh private folder, runs `use`, then removes the folder. */
export async function withStagedUpload<T>(files: readonly UploadedFile[], context: JobContext, use: (staged: StagedFile[], folder: string) => Promise<T>): Promise<T> {
  if (files.length === 0) throw new EngineError('BAD_INPUT', 'the upload holds no files');
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ximorph-upload-'));
  try {
    const staged: StagedFile[] = [];
    const used = new Set<string>();
    for (let i = 0; i < files.length; i++) {
      throwIfCancelled(context.token);
      let name = safeName(files[i].name, i);
      // Two dropped files may share a name (DICOM slices from different folders).
      if (used.has(name)) name = `${i}-${name}`;
      used.add(name);
      const target = path.join(folder, name);
      await writeFile(target, files[i].bytes, { mode: 0o600 });
      staged.push({ path: target, name: files[i].name });
    }
    return await use(staged, folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
