// Saving and opening workspace files: validated JSON, written atomically.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { workspaceSchema } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import type { Handlers } from '../../../shared/rpc/server';
import { describeIssues } from '../../../shared/rpc/zod-issues';
import { writeAtomically } from '../../engine/io/atomic-write';

export function workspaceHandlers(): Handlers {
  return {
    'workspace.save': async ({ path: target, workspace }, context) => {
      const resolved = path.resolve(target);
      await writeAtomically(resolved, context, (staging) => writeFile(staging, JSON.stringify(workspace, null, 2) + '\n'));
      return { path: resolved };
    },
    'workspace.open': async ({ path: source }) => {
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
    },
  };
}
