// Electron's main process: one window, the app protocol, the menu, and an EngineHost whose
// worker does all engine work. Nothing here computes.

import { app, BrowserWindow } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageSource } from '../../shared/contract/index';
import { EngineHost } from '../host/engine-host';
import { startupSources } from '../host/startup-sources';
import { NativeSaveGrants } from '../host/save-grants';
import { applyAppWideSecurity, secureWebPreferences } from './security';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { installAppMenu } from './app-menu';
import { nativeSaveLocationChooser, revealFolderInFileManager } from './save-dialogs';
import { windowPort } from './window-port';
import { appOrigin } from './ipc-channel';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererRoot = path.resolve(here, '../renderer');

/** Arguments after the app path: file paths, plus --sample and --backend=NAME. */
function parseArguments(argv: string[]) {
  const args = argv.slice(app.isPackaged ? 1 : 2);
  const files = args.filter((a) => !a.startsWith('-'));
  const backend = args.find((a) => a.startsWith('--backend='))?.split('=')[1];
  return { files, sample: args.includes('--sample'), backend };
}

if (!app.requestSingleInstanceLock()) app.quit();
registerAppScheme();

const options = parseArguments(process.argv);
let mainWindow: BrowserWindow | null = null;
let connectionId: number | null = null;
let host: EngineHost | null = null;

function openInWindow(sources: ImageSource[]): void {
  if (host && connectionId !== null && sources.length) host.notify(connectionId, 'files.openRequested', { sources });
}

function createWindow(engine: EngineHost): void {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#15171a',
    title: 'XiMorph',
    show: false,
    webPreferences: secureWebPreferences(path.join(here, 'preload.cjs')),
  });
  mainWindow = window;
  // Writes go only where the user chose in a native dialog, whatever the page asks.
  const connection = engine.connect(windowPort(window), new NativeSaveGrants(nativeSaveLocationChooser(() => (window.isDestroyed() ? null : window)), revealFolderInFileManager));
  connectionId = connection.id;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    connection.detach();
    mainWindow = null;
    connectionId = null;
  });
  void window.loadURL(`${appOrigin}/index.html`);
}

app.on('second-instance', (_event, argv) => {
  openInWindow(startupSources(parseArguments(argv).files));
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});

app.whenReady().then(() => {
  applyAppWideSecurity();
  serveRenderer(rendererRoot);
  host = new EngineHost({
    startupSources: startupSources(options.files, { sample: options.sample }),
    backend: options.backend,
    log: (line) => console.error(line),
  });
  installAppMenu(() => mainWindow, openInWindow);
  createWindow(host);
  app.on('activate', () => {
    if (host && BrowserWindow.getAllWindows().length === 0) createWindow(host);
  });
});

app.on('window-all-closed', () => {
  void host?.dispose();
  app.quit();
});
