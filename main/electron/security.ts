// Electron's security checklist, applied once for the whole app: no new windows, no
// navigation of any frame away from our pages, no webviews, no permissions, no devices
// (HID, serial, USB, Bluetooth), no screen capture, and a strict CSP on everything the app
// protocol serves. The app needs none of these, so every request is refused rather than judged.

import { app, session } from 'electron';
import type { Session, WebContents, WebPreferences } from 'electron';
import { appOrigin } from './ipc-channel';

const appUrl = new URL(appOrigin);

/** Whether a URL is one of our pages. Parsed, not prefix-matched: `app://ximorph.evil/` is not ours. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === appUrl.protocol && parsed.host === appUrl.host;
  } catch {
    return false;
  }
}

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    webviewTag: false,
    spellcheck: false,
  };
}

function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // will-frame-navigate covers the main frame and every subframe; will-redirect covers
  // server-side redirects, which neither navigation event sees.
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Without preventDefault Electron would pick the first Bluetooth device by itself.
  contents.on('select-bluetooth-device', (event, _devices, choose) => {
    event.preventDefault();
    choose('');
  });
}

const lockedSessions = new WeakSet<Session>();

function lockDownSession(ses: Session): void {
  if (lockedSessions.has(ses)) return;
  lockedSessions.add(ses);
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // Devices granted earlier (or by default) would bypass the choosers below.
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  // Each chooser is cancelled: no argument (HID, USB) or an empty id (serial) means none.
  ses.on('select-hid-device', (event, _details, choose) => {
    event.preventDefault();
    choose();
  });
  ses.on('select-usb-device', (event, _details, choose) => {
    event.preventDefault();
    choose();
  });
  ses.on('select-serial-port', (event, _ports, _contents, choose) => {
    event.preventDefault();
    choose('');
  });
}

export function applyAppWideSecurity(): void {
  lockDownSession(session.defaultSession);
  app.on('session-created', lockDownSession);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
}
