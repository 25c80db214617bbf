// MetaImage (.mhd) and NRRD (.nhdr) headers may keep their voxels in a separate file. When
// that file is missing, ITK's message goes to the console and we only see a failure, so we
// look for it first and say which file is missing.

import { access } from 'node:fs/promises';
import path from 'node:path';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import type { ImageFormat } from './image-formats';

/** The data file a header names, when it names exactly one (not LIST, LOCAL or a pattern). */
function namedDataFile(format: ImageFormat, text: string): string | undefined {
  const match =
    format === 'meta' ? /^\s*ElementDataFile\s*=\s*(.+?)\s*$/m.exec(text) : format === 'nrrd' ? /^(?:data file|datafile):\s*(.+?)\s*$/m.exec(text) : null;
  const name = match?.[1];
  if (!name || name === 'LOCAL' || /^LIST\b/.test(name) || name.includes('%') || /\s/.test(name)) return undefined;
  return name;
}

export async function checkDetachedDataFile(ref: FileRef, format: ImageFormat, headerText: string): Promise<void> {
  if (format !== 'meta' && format !== 'nrrd') return;
  const dataFile = namedDataFile(format, headerText);
  if (!dataFile) return;
  try {
    await access(path.resolve(path.dirname(ref.path), dataFile));
  } catch {
    throw fileProblem(ref, `its pixel data file ${dataFile} is missing (it must sit beside the header)`, { dataFile });
  }
}
