// The job thread's side of the HDF5 thread (job-thread-start.ts): an Hdf5Writer that posts each
// .h5 file to it. The fields inside are SharedArrayBuffers (dense-outputs.ts), so posting one
// copies nothing; the affine's dozen numbers are copied. Should the HDF5 thread be gone (it
// failed to start, or died), its port closes and the files are written here instead, as they
// are without it: into the same staging path, which the atomic write then renames.

import type { MessagePort } from 'node:worker_threads';
import type { Hdf5Writer } from '../../engine/io/hdf5-writer';
import type { Hdf5WriteReply, Hdf5WriteRequest } from './job-messages';

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly writeHere: () => void;
}

export function hdf5ThreadWriter(port: MessagePort, here: Hdf5Writer): Hdf5Writer {
  const pending = new Map<number, Pending>();
  let closed = false;
  let nextId = 1;
  port.on('message', (reply: Hdf5WriteReply) => {
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    // Only a write in flight keeps this thread's event loop alive through the port.
    if (pending.size === 0) port.unref();
    if (reply.error === undefined) request.resolve();
    else request.reject(new Error(reply.error));
  });
  port.on('close', () => {
    closed = true;
    for (const request of pending.values()) request.writeHere();
    pending.clear();
  });
  port.unref();
  return {
    prepare: () => undefined,
    write(list, target) {
      if (closed) return here.write(list, target);
      return new Promise<void>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject, writeHere: () => void here.write(list, target).then(resolve, reject) });
        port.ref();
        port.postMessage({ id, list, target } satisfies Hdf5WriteRequest);
      });
    },
  };
}
