// Saving and opening workspace files (see engine/session/workspace-files.ts for the rules).

import type { Handlers } from '../../../shared/rpc/server';
import { openWorkspaceFile, saveWorkspaceFile } from '../../engine/session/workspace-files';

export function workspaceHandlers(): Handlers {
  return {
    'workspace.save': async ({ path, workspace, overwrite }, context) => ({ path: await saveWorkspaceFile(path, workspace, { overwrite }, context) }),
    'workspace.open': async ({ path }) => openWorkspaceFile(path),
  };
}
