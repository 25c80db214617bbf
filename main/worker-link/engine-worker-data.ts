// What the host hands the engine worker when it starts it (as workerData). The host writes
// it and the worker reads it, so it belongs to neither.

import type { ImageSource } from '../../shared/contract/index';

export interface EngineWorkerData {
  startupSources: ImageSource[];
  backend?: string;
  /** The cancel board's memory, shared with the worker (see shared/rpc/cancel-board.ts). */
  cancelBoard?: SharedArrayBuffer;
}
