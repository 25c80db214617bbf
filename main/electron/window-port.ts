// One window's renderer as a contract port over the single IPC channel. Messages from any
// frame other than our own page's main frame are ignored.

import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainEvent } from 'electron';
import type { MessagePortLike } from '../../shared/rpc/wire';
import { appOrigin, ipcChannel } from './ipc-channel';

export function windowPort(window: BrowserWindow): MessagePortLike {
  const contents = window.webContents;
  return {
    post(message) {
      if (!contents.isDestroyed()) contents.send(ipcChannel, message);
    },
    onMessage(listener) {
      const handler = (event: IpcMainEvent, message: unknown) => {
        if (event.sender !== contents) return;
        if (!event.senderFrame?.url.startsWith(`${appOrigin}/`) || event.senderFrame !== contents.mainFrame) return;
        listener(message);
      };
      ipcMain.on(ipcChannel, handler);
      return () => void ipcMain.off(ipcChannel, handler);
    },
  };
}
