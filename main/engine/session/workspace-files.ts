// Workspace files: validated JSON, written by the rules of user-files.ts (atomically, and over
// a file that is not a workspace only with the user's yes).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '../../../shared/contract/index';
import { workspaceSchema } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import { describeIssues } from '../../../shared/rpc/zod-issues';
import type { JobContext } from '../job-context';
import { writeUserFile } from './user-files';

/** Far larger than any workspace (a few kB); a larger file is not one, and is not read whole to find out. */
const largestWorkspaceBytes = 16 * 1024 ** 2;

/**
 * Whether the file at `file` is a XiMorph workspace, by its format marker rather than the
 * whole schema: a workspace written by another version of XiMorph is still XiMorph's to replace.
 */
async function holdsWorkspace(file: string, size: number): Promise<boolean> {
  if (size > largestWorkspaceBytes) return false;
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return (parsed as { format?: unknown } | null)?.format === 'ximorph-workspace';
  } catch {
    return false;
  }
}

/** Saves `workspace` as `target` (a .json file); returns the absolute path written. */
export async function saveWorkspaceFile(target: string, workspace: Workspace, options: { overwrite?: boolean }, context: JobContext): Promise<string> {
  const resolved = path.resolve(target);
  const name = path.basename(resolved);
  if (!/\.json$/i.test(name)) throw new EngineError('BAD_INPUT', `${name}: a workspace file's name must end in .json`, { file: resolved });
  return writeUserFile(resolved, JSON.stringify(workspace, null, 2) + '\n', { overwrite: Boolean(options.overwrite), isOurs: holdsWorkspace, kind: 'a XiMorph workspace' }, context);
}

export async function openWorkspaceFile(source: string): Promise<{ path: string; workspace: Workspace }> {
  const resolved = path.resolve(source);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(resolved, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EngineError(code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_INPUT', `${path.basename(resolved)}: ${code === 'ENOENT' ? 'no such file' : 'not a JSON file'}`, { file: resolved });
  }
  const parsed = workspaceSchema.safeParse(raw);
  if (!parsed.success) throw new EngineError('BAD_INPUT', `${path.basename(resolved)}: not a XiMorph workspace (${describeIssues(parsed.error)})`, { file: resolved });
  return { path: resolved, workspace: parsed.data };
}
