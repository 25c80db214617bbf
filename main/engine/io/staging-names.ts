// Hidden staging entries that writers keep beside their targets until a write is whole:
// `.NAME.partial-PID-RANDOM` holds what is being written, `.NAME.previous-PID-RANDOM` holds a
// result folder being replaced. The writer's process id is in the name, so that a later run
// can tell the leftovers of a killed process (kill -9, a crash, a power cut) from the work of
// one still running, and remove them.

import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export type StagingKind = 'partial' | 'previous';

const pattern = /^\.(.+)\.(partial|previous)-(\d+)-[0-9a-f]+$/;

export function stagingName(base: string, kind: StagingKind): string {
  return `.${base}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export interface StagingEntry {
  readonly name: string;
  readonly base: string;
  readonly kind: StagingKind;
  readonly pid: number;
}

export function parseStagingName(name: string): StagingEntry | undefined {
  const m = pattern.exec(name);
  return m ? { name, base: m[1], kind: m[2] as StagingKind, pid: Number(m[3]) } : undefined;
}

export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Staging entries in `folder` (optionally only those for `base`) whose writer is gone. */
export async function staleStagingEntries(folder: string, base?: string): Promise<StagingEntry[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .map(parseStagingName)
    .filter((e): e is StagingEntry => e !== undefined && (base === undefined || e.base === base) && !isProcessAlive(e.pid));
}

/** Removes what killed writers left in `folder`; `previous` folders are left to their owner's recovery. */
export async function removeStalePartials(folder: string, base?: string): Promise<void> {
  for (const entry of await staleStagingEntries(folder, base))
    if (entry.kind === 'partial') await rm(path.join(folder, entry.name), { recursive: true, force: true });
}

/**
 * Removes this process's own staging entries in `folder`, synchronously: for a command that is
 * exiting on a signal while its compute thread may still be writing.
 */
export function removeOwnStagingSync(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const entry = parseStagingName(name);
    if (entry?.pid === process.pid && entry.kind === 'partial') rmSync(path.join(folder, name), { recursive: true, force: true });
  }
}
