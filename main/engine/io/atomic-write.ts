// Writing so that a file either appears complete or not at all. The writer works in a
// hidden staging folder beside the target (same file system, so the final rename is atomic)
// under the target's own name: itk-wasm picks the format from the extension, and formats
// with a separate data file (.mhd + .raw) name that file after the header. Only when
// everything is written are the files renamed into place, data files before the file that
// refers to them. On failure or cancellation the staging folder is removed; what a killed
// process left is removed by the next write to the same target (staging-names.ts).

import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import type { JobContext } from '../job-context';
import { fileError, fileProblem, fileRef } from './file-problems';
import { removeStalePartials, stagingName } from './staging-names';

async function checkTargetFolder(target: string): Promise<void> {
  const folder = path.dirname(target);
  const ref = fileRef(folder);
  try {
    if (!(await stat(folder)).isDirectory()) throw fileProblem(ref, 'this is not a folder, so nothing can be saved in it');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fileError('NOT_FOUND', ref, 'the folder to save into does not exist');
    throw error;
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw fileProblem(fileRef(target), 'a folder of that name is in the way');
}

/**
 * Runs `write(stagingPath)`, which must create the file `stagingPath` (and any companions
 * beside it), then moves the result to `target`.
 */
export async function writeAtomically(target: string, context: JobContext, write: (stagingPath: string) => Promise<void>): Promise<void> {
  const resolved = path.resolve(target);
  throwIfCancelled(context.token);
  await checkTargetFolder(resolved);
  const folder = path.dirname(resolved);
  await removeStalePartials(folder, path.basename(resolved));
  const staging = path.join(folder, stagingName(path.basename(resolved), 'partial'));
  try {
    await mkdir(staging, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw fileError('FORBIDDEN', fileRef(folder), 'this folder cannot be written to');
    throw error;
  }
  try {
    const stagingPath = path.join(staging, path.basename(resolved));
    await write(stagingPath);
    throwIfCancelled(context.token);
    const produced = await readdir(staging);
    if (!produced.includes(path.basename(resolved))) throw new Error(`the writer did not produce ${path.basename(resolved)}`);
    const companions = produced.filter((name) => name !== path.basename(resolved));
    for (const name of [...companions, path.basename(resolved)]) await rename(path.join(staging, name), path.join(folder, name));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
