// Where this thread writes its .h5 transform files. By default here, with h5wasm loaded on first
// use, or earlier when a write is known to be coming (prepare). A thread that only computes can
// hand them instead to a thread that has loaded h5wasm meanwhile: the CLI's job thread does
// (cli/job-thread/job-thread-start.ts), for fields small enough to copy (hdf5-thread-client.ts),
// since loading h5wasm here (4 MB of JavaScript, its WebAssembly inside, and HDF5's start) held
// this thread for some 0.2 s at the end of `ximorph register`: a tenth of a 2D slice's command.

import type { Transform as ItkTransform } from 'itk-wasm';
import { loadH5wasm, writeItkHdf5 } from './itk-composite-h5';

export interface Hdf5Writer {
  /** Told how many bytes of parameters the files to come hold (a result's field, known once its fixed image is read). */
  plan(parameterBytes: number): void;
  /** Makes ready for a write soon to come; never fails (a failed load is reported by the write). */
  prepare(): void;
  /** Writes `list` in ITK's HDF5 layout to `target` (itk-composite-h5.ts). */
  write(list: readonly ItkTransform[], target: string): Promise<void>;
}

/** In this thread. */
export const hdf5WriterHere: Hdf5Writer = {
  plan: () => undefined,
  prepare: () => void loadH5wasm().catch(() => undefined),
  write: writeItkHdf5,
};

let current: Hdf5Writer = hdf5WriterHere;

/** This thread's writer from now on. */
export function useHdf5Writer(writer: Hdf5Writer): void {
  current = writer;
}

export function hdf5Writer(): Hdf5Writer {
  return current;
}
