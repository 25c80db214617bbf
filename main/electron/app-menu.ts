// The native menu. File choices made here reach the renderer as the contract's
// files.openRequested event, the same event a second launch with file arguments raises.

import { Menu, dialog } from 'electron';
import type { BrowserWindow, MenuItemConstructorOptions } from 'electron';
import type { ImageSource } from '../../shared/contract/index';

const imageFilters = [
  { name: 'Images', extensions: ['nii', 'gz', 'nrrd', 'nhdr', 'mha', 'mhd', 'dcm', 'png', 'tif', 'tiff'] },
  { name: 'All files', extensions: ['*'] },
];

export function installAppMenu(getWindow: () => BrowserWindow | null, open: (sources: ImageSource[]) => void): void {
  const choose = async (properties: ('openFile' | 'openDirectory' | 'multiSelections')[]) => {
    const window = getWindow();
    const options = { properties, filters: properties.includes('openFile') ? imageFilters : undefined };
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    if (!result.canceled && result.filePaths.length) open(result.filePaths.map((path) => ({ kind: 'path', path })));
  };
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open Image…', accelerator: 'CmdOrCtrl+O', click: () => void choose(['openFile', 'multiSelections']) },
        { label: 'Open DICOM Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => void choose(['openDirectory']) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { label: 'View', submenu: [{ role: 'togglefullscreen' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
