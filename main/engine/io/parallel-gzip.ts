// Gzip on the libuv thread pool, in independent chunks compressed side by side. A gzip file
// may hold several members one after another; zlib's gzread (ITK's NIfTI reader), Python's
// gzip (nibabel) and Node all read them as one stream. Compared with itk-wasm compressing
// inside its single-threaded WebAssembly, this uses every core and leaves the event loop
// free to report progress and notice cancellation.

import { availableParallelism } from 'node:os';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { CancellationToken } from '../../../shared/rpc/cancellation';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';

const gzipAsync = promisify(gzip);

export interface GzipOptions {
  /** zlib level 1–9. */
  readonly level?: number;
  /** zlib's strategy (zlib.constants.Z_*); default Z_DEFAULT_STRATEGY. */
  readonly strategy?: number;
  readonly chunkBytes?: number;
  readonly onProgress?: (fraction: number) => void;
}

export async function gzipFile(source: string, target: string, token: CancellationToken, options: GzipOptions = {}): Promise<void> {
  const level = options.level ?? 6;
  const chunkBytes = options.chunkBytes ?? 8 * 1024 * 1024;
  const parallel = Math.max(1, Math.min(4, availableParallelism()));
  const input = await open(source, 'r');
  const output = await open(target, 'w');
  try {
    const size = (await input.stat()).size;
    const chunks = Math.max(1, Math.ceil(size / chunkBytes));
    let next = 0;
    const compressNext = async (): Promise<Buffer> => {
      const start = next++ * chunkBytes;
      const bytes = Buffer.allocUnsafe(Math.max(0, Math.min(chunkBytes, size - start)));
      await input.read(bytes, 0, bytes.length, start);
      return gzipAsync(bytes, { level, ...(options.strategy !== undefined ? { strategy: options.strategy } : {}) });
    };
    const inFlight: Promise<Buffer>[] = [];
    const launch = () => {
      const promise = compressNext();
      // Awaited in order below; this keeps a later chunk's failure from going unhandled meanwhile.
      promise.catch(() => {});
      inFlight.push(promise);
    };
    while (next < chunks && inFlight.length < parallel) launch();
    for (let i = 0; i < chunks; i++) {
      const compressed = await inFlight.shift()!;
      throwIfCancelled(token);
      if (next < chunks) launch();
      await output.write(compressed);
      options.onProgress?.((i + 1) / chunks);
    }
  } finally {
    await input.close();
    await output.close();
  }
}
