// The frame port over a worker_threads channel. Both ends use it: the host on its Worker,
// the engine worker on its parentPort. It lives outside both so that neither imports the other.

import type { MessagePort, Worker } from 'node:worker_threads';
import type { FramePort, MultiplexFrame } from '../../shared/rpc/multiplex';

export function framePortOf(endpoint: Worker | MessagePort): FramePort {
  return {
    post: (frame) => endpoint.postMessage(frame),
    onFrame: (listener) => {
      const handler = (frame: MultiplexFrame) => listener(frame);
      endpoint.on('message', handler);
      return () => void endpoint.off('message', handler);
    },
  };
}
