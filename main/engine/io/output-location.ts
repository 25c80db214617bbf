// Where an output may go, checked before any work is done: a registration that runs for a
// minute and then cannot save its result has wasted that minute. Folders are made one level
// at a time, never with a recursive mkdir, which spins forever on /proc in some Node versions.

import { constants, type Stats } from 'node:fs';
import { access, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';

/** Pseudo file systems that hold no user files: writing there is always a mistake. */
const systemFolders = ['/proc', '/sys', '/dev'];

const refuse = (code: 'BAD_INPUT' | 'FORBIDDEN', file: string, reason: string) => new EngineError(code, `${file}: ${reason}`, { file });

/** The deepest existing folder on the way to `target`, and the parts below it that are missing. */
async function nearestExisting(target: string): Promise<{ existing: string; missing: string[] }> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      if (error.code === 'ENOTDIR') return 'below-a-file' as const;
      if (error.code === 'EACCES' || error.code === 'EPERM') throw refuse('FORBIDDEN', current, 'permission denied');
      throw refuse('BAD_INPUT', current, `cannot be used (${error.code})`);
    });
    if (info && info !== 'below-a-file') return { existing: current, missing };
    missing.unshift(path.basename(current));
    const parent = path.dirname(current);
    if (parent === current) return { existing: current, missing };
    current = parent;
  }
}

/** What a device, a pipe or a socket is, in words; null for files and folders. Replacing one by a rename would break whatever uses it. */
function specialFileKind(info: Stats): string | null {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return null;
}

export type OutputKind = 'file' | 'folder';

/**
 * Checks that `target` can be written as a file or a folder: not in a system folder, not a
 * device, pipe or socket, not below a file, not a folder where a file is wanted (or the
 * reverse), in a writable place.
 */
export async function checkOutputLocation(target: string, kind: OutputKind): Promise<void> {
  const resolved = path.resolve(target);
  const { existing } = await nearestExisting(resolved);
  const real = await realpath(existing).catch(() => existing);
  if (systemFolders.some((s) => real === s || real.startsWith(s + '/')))
    throw refuse('BAD_INPUT', resolved, `${systemFolders.find((s) => real === s || real.startsWith(s + '/'))} is a system folder, not a place to save files`);
  // A dangling symbolic link is replaced like a file: it holds nothing.
  const info = await stat(existing).catch(() => lstat(existing));
  const special = specialFileKind(info);
  if (special) throw refuse('BAD_INPUT', resolved, `${existing === resolved ? 'this' : existing} is ${special}, not a place to save files`);
  if (existing !== resolved) {
    if (!info.isDirectory()) throw refuse('BAD_INPUT', resolved, `${existing} is a file, so nothing can be saved below it`);
  } else if (kind === 'file' && info.isDirectory()) {
    throw refuse('BAD_INPUT', resolved, 'this is a folder; give a file name to save the image as');
  } else if (kind === 'folder' && !info.isDirectory()) {
    throw refuse('BAD_INPUT', resolved, 'this is an existing file; give a folder for the results');
  }
  // An existing target is replaced by a rename from beside it, so its parent must be writable.
  const writableFolder = existing === resolved ? path.dirname(resolved) : existing;
  try {
    await access(writableFolder, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse('FORBIDDEN', resolved, code === 'EROFS' ? `${writableFolder} is on a read-only file system` : `${writableFolder} cannot be written to (permission denied)`);
  }
}

/** Makes `folder` and any missing folders above it, one level at a time. */
export async function makeFolders(folder: string): Promise<void> {
  const { existing, missing } = await nearestExisting(path.resolve(folder));
  let current = existing;
  for (const part of missing) {
    current = path.join(current, part);
    await mkdir(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw refuse(error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'EROFS' ? 'FORBIDDEN' : 'BAD_INPUT', current, `cannot make this folder (${error.code})`);
    });
  }
}
