// The native dialogs behind files.chooseSaveLocation (see host/save-grants.ts): the only way
// a path the page may write to comes into being in Electron. Both dialogs confirm replacing
// what exists themselves (GTK only when asked to: showOverwriteConfirmation). And the file
// manager, to show a folder just written to.

import { dialog, shell } from 'electron';
import type { BrowserWindow } from 'electron';
import { stat } from 'node:fs/promises';
import type { ChooseSaveLocation, RevealFolder } from '../host/save-grants';

export function nativeSaveLocationChooser(getWindow: () => BrowserWindow | null): ChooseSaveLocation {
  return async (purpose, suggestedPath) => {
    const window = getWindow();
    if (!window) return null;
    if (purpose === 'workspace') {
      const result = await dialog.showSaveDialog(window, {
        title: 'Save workspace',
        defaultPath: suggestedPath,
        filters: [{ name: 'XiMorph workspace', extensions: ['json'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      return result.canceled || !result.filePath ? null : result.filePath;
    }
    if (purpose === 'landmarks') {
      const result = await dialog.showSaveDialog(window, {
        title: 'Save landmarks',
        defaultPath: suggestedPath,
        filters: [
          { name: 'Slicer markups', extensions: ['mrk.json', 'fcsv'] },
          { name: 'CSV (x, y, z in LPS mm)', extensions: ['csv'] },
        ],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      return result.canceled || !result.filePath ? null : result.filePath;
    }
    const result = await dialog.showOpenDialog(window, {
      title: 'Export registration outputs to a folder',
      buttonLabel: 'Export here',
      defaultPath: suggestedPath,
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    });
    return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
  };
}

/** Opens a folder the user just wrote to in the file manager; a folder only, never a file (that would run it). */
export const revealFolderInFileManager: RevealFolder = async (folder) => {
  if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
  const problem = await shell.openPath(folder);
  if (problem) throw new Error(problem);
};
