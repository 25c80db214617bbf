// Lists folders on the engine's machine for the in-app Open dialog. In browser mode the
// files live where the engine runs (a GPU box in a server room), not where the browser
// runs, so the UI browses through the engine rather than the browser's own file picker.

import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileEntry, ResultOf } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';

const imageExtensions = ['.nii', '.nii.gz', '.nrrd', '.nhdr', '.mha', '.mhd', '.dcm', '.png', '.tif', '.tiff', '.ima'];

export function isImageFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return imageExtensions.some((ext) => lower.endsWith(ext));
}

/** Where a user keeps files: ~/Documents where it exists (XDG's name for it, in English), else home. */
export function documentsFolder(): string {
  const documents = path.join(os.homedir(), 'Documents');
  return existsSync(documents) ? documents : os.homedir();
}

/** Well-known places: home, documents, the working folder, and the sample data packages when installed. */
export function places(): { title: string; path: string }[] {
  const candidates = [
    { title: 'Home', path: os.homedir() },
    ...(documentsFolder() !== os.homedir() ? [{ title: 'Documents', path: documentsFolder() }] : []),
    { title: 'Working folder', path: process.cwd() },
    { title: 'MRIcron templates', path: '/usr/share/mricron/templates' },
    { title: 'ITK example data', path: '/usr/share/doc/insighttoolkit5-examples/examples/Data' },
  ];
  return candidates.filter((p) => existsSync(p.path));
}

export async function listDirectory(directory: string | undefined): Promise<ResultOf<'files.list'>> {
  const dir = path.resolve(directory ?? process.cwd());
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('NOT_FOUND', `${dir}: no such folder`, { file: dir });
    if (code === 'ENOTDIR') throw new EngineError('BAD_INPUT', `${dir}: not a folder`, { file: dir });
    if (code === 'EACCES' || code === 'EPERM') throw new EngineError('FORBIDDEN', `${dir}: permission denied`, { file: dir });
    throw error;
  }
  const entries: FileEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const full = path.join(dir, name);
    const stat = await fs.stat(full).catch(() => null);
    if (!stat) continue;
    const kind = stat.isDirectory() ? 'directory' : 'file';
    entries.push({ name, path: full, kind, size: kind === 'file' ? stat.size : undefined, openable: kind === 'directory' || isImageFileName(name) });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
  const parent = path.dirname(dir);
  return { directory: dir, parent: parent === dir ? null : parent, entries, places: places() };
}
