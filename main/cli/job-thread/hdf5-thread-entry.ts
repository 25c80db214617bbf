// The CLI's HDF5 thread (job-thread-start.ts says why it exists): loads h5wasm as soon as it
// starts, then writes the .h5 files the job thread sends it (hdf5-thread-client.ts), one at a
// time, answering each with nothing or with the error's message. Built as its own entry
// (dist/main/cli-hdf5.js): h5wasm and the writer, nothing of the engine.

import { workerData } from 'node:worker_threads';
import { loadH5wasm, writeItkHdf5 } from '../../engine/io/itk-composite-h5';
import type { Hdf5ThreadData, Hdf5WriteReply, Hdf5WriteRequest } from './job-messages';

const { port } = workerData as Hdf5ThreadData;

// A failed load is answered by the first write, which tries again.
loadH5wasm().catch(() => undefined);

port.on('message', ({ id, list, target }: Hdf5WriteRequest) => {
  writeItkHdf5(list, target).then(
    () => port.postMessage({ id } satisfies Hdf5WriteReply),
    (error: unknown) => port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies Hdf5WriteReply),
  );
});
