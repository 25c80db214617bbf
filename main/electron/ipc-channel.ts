/** The single IPC channel the preload and the main process exchange contract messages on. */
export const ipcChannel = 'ximorph:contract';
/** Renderer pages are served from this origin by the app protocol. */
export const appOrigin = 'app://ximorph';
