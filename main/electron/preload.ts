// The whole surface the renderer gets: post a contract message, and listen for them. No
// Node, no ipcRenderer, no arbitrary channels. Outgoing messages are checked against the
// contract's envelope before they leave the page.

// First, before any schema is made: the page's CSP forbids eval (see the module).
import '../../shared/rpc/zod-without-eval';
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { wireMessageSchema } from '../../shared/rpc/wire';
import { ipcChannel } from './ipc-channel';

contextBridge.exposeInMainWorld('ximorph', {
  post(message: unknown): void {
    const parsed = wireMessageSchema.safeParse(message);
    if (!parsed.success) throw new Error('XiMorph: refusing to send a message outside the contract');
    ipcRenderer.send(ipcChannel, parsed.data);
  },
  onMessage(listener: (message: unknown) => void): () => void {
    const handler = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(ipcChannel, handler);
    return () => void ipcRenderer.removeListener(ipcChannel, handler);
  },
});
