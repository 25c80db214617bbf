// Writing a document the user named (a workspace, a landmarks file): into a place that can hold
// it, atomically, and never over a file XiMorph did not write unless the user said yes — an
// authenticated page (or a typo) must not turn "Save" into "overwrite my shell script". A file
// of the same kind is replaced without asking, as any document is by its own application.

import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplaceChoice } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import { writeAtomically } from '../io/atomic-write';
import { checkOutputLocation } from '../io/output-location';
import type { JobContext } from '../job-context';

export interface UserFileRules {
  /** The user confirmed replacing what is there. */
  readonly overwrite: boolean;
  /** Whether an existing file is of this kind (and so XiMorph's to replace). */
  isOurs(file: string, size: number): Promise<boolean>;
  /** The kind, as the question names it: "a XiMorph workspace". */
  readonly kind: string;
}

/** What is at `file` that writing would replace without asking: nothing, or a file of the kind. */
async function replacementToConfirm(file: string, rules: UserFileRules): Promise<ReplaceChoice | null> {
  const existing = await stat(file).catch(() => undefined);
  if (!existing?.isFile() || (await rules.isOurs(file, existing.size))) return null;
  return { path: file, reason: `exists and is not ${rules.kind}` };
}

/** Writes `text` as `target`; returns the absolute path written. */
export async function writeUserFile(target: string, text: string, rules: UserFileRules, context: JobContext): Promise<string> {
  const resolved = path.resolve(target);
  const name = path.basename(resolved);
  await checkOutputLocation(resolved, 'file');
  const replace = rules.overwrite ? null : await replacementToConfirm(resolved, rules);
  if (replace) throw new EngineError('NEEDS_CHOICE', `${name}: ${replace.reason}; it is replaced only if you confirm`, { file: resolved, details: { replaceChoice: replace } });
  await writeAtomically(resolved, context, (staging) => writeFile(staging, text));
  return resolved;
}
