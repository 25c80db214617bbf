// A result folder is all or nothing: it holds either the previous run's whole set of files or
// the new run's, never a mix. Every file is written into a hidden staging folder beside it;
// only when the set is complete does the staging folder replace the result folder, by two
// renames (old folder aside, new folder in). A run killed while writing leaves the result
// folder untouched and a staging folder that the next run removes; a run killed between the
// two renames (microseconds) leaves the old set aside, and the next run puts it back.
//
// The swap replaces the folder as a whole, so it is refused up front when the folder holds
// anything XiMorph did not write: a user's own files are never moved or deleted.

import { readdir, rename, rm, stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import { checkOutputLocation, makeFolders } from '../io/output-location';
import { parseStagingName, removeStalePartials, staleStagingEntries, stagingName } from '../io/staging-names';

export interface ResultFolderTransaction {
  /** The result folder the user named. */
  readonly folder: string;
  /** Where every file of the new set is written. */
  readonly staging: string;
  /** Puts the new set in place of the old one. */
  commit(): Promise<void>;
  /** Drops the new set; the result folder stays as it was. */
  abort(): Promise<void>;
}

const exists = (p: string) => stat(p).then(
  () => true,
  () => false,
);

/** Entries of an existing result folder that XiMorph did not write. */
async function foreignEntries(folder: string, ours: ReadonlySet<string>): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((name) => !ours.has(name) && !parseStagingName(name));
}

async function refuseForeign(folder: string, ours: ReadonlySet<string>): Promise<void> {
  const foreign = await foreignEntries(folder, ours);
  if (foreign.length === 0) return;
  const listed = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : '');
  throw new EngineError(
    'BAD_INPUT',
    `${folder}: this folder holds files that XiMorph did not write (${listed}); choose a new or empty folder, or a previous result folder to replace`,
    { file: folder },
  );
}

/** Puts back a result folder that a killed run had moved aside but not yet replaced. */
async function recoverInterruptedSwap(parent: string, base: string, folder: string): Promise<void> {
  const stale = await staleStagingEntries(parent, base);
  const previous = stale.filter((e) => e.kind === 'previous');
  if (!(await exists(folder)) && previous.length) await rename(path.join(parent, previous[0].name), folder);
  for (const entry of await staleStagingEntries(parent, base))
    if (entry.kind === 'previous') await rm(path.join(parent, entry.name), { recursive: true, force: true });
  await removeStalePartials(parent, base);
}

/** Before reading a result folder that a killed run may have been replacing: puts the last whole set back in place. */
export async function recoverResultFolder(folderPath: string): Promise<void> {
  const folder = path.resolve(folderPath);
  await recoverInterruptedSwap(path.dirname(folder), path.basename(folder), folder).catch(() => undefined);
}

/**
 * Whether a result folder can be written, checked without changing anything, so that it can
 * be checked before any work: exit 3 and one line when it cannot be used.
 * `ours` names every file a result folder may hold.
 */
export async function checkResultFolder(folderPath: string, ours: ReadonlySet<string>): Promise<void> {
  const folder = path.resolve(folderPath);
  await checkOutputLocation(folder, 'folder');
  if (await exists(folder)) await refuseForeign(folder, ours);
}

/** Checks the folder, clears what killed runs left beside it, and opens a staging folder for the new set. */
export async function beginResultFolder(folderPath: string, ours: ReadonlySet<string>): Promise<ResultFolderTransaction> {
  const folder = path.resolve(folderPath);
  await checkResultFolder(folder, ours);
  const parent = path.dirname(folder);
  const base = path.basename(folder);
  await makeFolders(parent);
  await recoverInterruptedSwap(parent, base, folder);
  const staging = path.join(parent, stagingName(base, 'partial'));
  await mkdir(staging).catch((error: NodeJS.ErrnoException) => {
    throw new EngineError('FORBIDDEN', `${folder}: cannot write beside this folder (${error.code})`, { file: folder });
  });
  return {
    folder,
    staging,
    async commit() {
      if (await exists(folder)) {
        await refuseForeign(folder, ours);
        const aside = path.join(parent, stagingName(base, 'previous'));
        await rename(folder, aside);
        await rename(staging, folder);
        await rm(aside, { recursive: true, force: true });
      } else {
        await rename(staging, folder);
      }
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
