// The job thread's side of the HDF5 thread (job-thread-start.ts): an Hdf5Writer that posts each
// .h5 file to it, the transforms' parameters copied with the message.
//
// Only small fields go: up to 32 MB (a 2D slice's is 0.5 MB, a 2 mm brain's 11 MB), which cost
// milliseconds to copy. A 1 mm brain's field is 85 MB: copied, it would be held twice more at the
// command's peak, and kept in shared memory instead, the process peaked 110 MB higher (garbage
// V8 no longer collected under the pressure of ordinary buffers). So once the fixed image is read
// and the field's size known (plan), a field too large to post ends the HDF5 thread, and its
// memory with it, before the registration's peak; the job thread writes the file itself, loading
// h5wasm as it did before the HDF5 thread existed.
//
// Should the HDF5 thread be gone for any other reason (it failed to start, or died), its port
// closes and the files are written here too, into the same staging path, which the atomic write
// then renames.

import type { MessagePort } from 'node:worker_threads';
import type { Transform as ItkTransform } from 'itk-wasm';
import type { Hdf5Writer } from '../../engine/io/hdf5-writer';
import type { Hdf5WriteReply, Hdf5WriteRequest } from './job-messages';

/** The most parameter bytes a file may hold to be posted to the HDF5 thread. */
export const largestPostedBytes = 32 * 2 ** 20;

const parameterBytes = (list: readonly ItkTransform[]) => list.reduce((sum, t) => sum + ((t.parameters as ArrayLike<number> & { byteLength?: number })?.byteLength ?? 0), 0);

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly writeHere: () => void;
}

export function hdf5ThreadWriter(port: MessagePort, here: Hdf5Writer): Hdf5Writer {
  const pending = new Map<number, Pending>();
  let closed = false;
  let nextId = 1;
  const fallBack = () => {
    closed = true;
    for (const request of pending.values()) request.writeHere();
    pending.clear();
  };
  port.on('message', (reply: Hdf5WriteReply) => {
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    // Only a write in flight keeps this thread's event loop alive through the port.
    if (pending.size === 0) port.unref();
    if (reply.error === undefined) request.resolve();
    else request.reject(new Error(reply.error));
  });
  port.on('close', fallBack);
  port.unref();
  return {
    plan(bytes) {
      if (bytes <= largestPostedBytes || closed) return;
      // The HDF5 thread ends once its port is closed: nothing else keeps it alive.
      closed = true;
      port.close();
    },
    prepare() {
      if (closed) here.prepare();
    },
    write(list, target) {
      if (closed || parameterBytes(list) > largestPostedBytes) return here.write(list, target);
      return new Promise<void>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject, writeHere: () => void here.write(list, target).then(resolve, reject) });
        port.ref();
        port.postMessage({ id, list, target } satisfies Hdf5WriteRequest);
      });
    },
  };
}
