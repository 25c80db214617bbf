// Gzip on the libuv thread pool, in independent chunks compressed side by side. A gzip file
// may hold several members one after another; zlib's gzread (ITK's NIfTI reader), Python's
// gzip (nibabel) and Node all read them as one stream. Compared with itk-wasm compressing
// inside its single-threaded WebAssembly, this uses every core and leaves the event loop
// free to report progress and notice cancellation.
//
// The bytes come from a ByteSource, a chunk at a time: a file on disk, or an image's header
// and voxels laid out on the fly (nifti-stream-writer.ts), so that a 1 mm brain's 85 MB field
// is never copied whole. Chunks start at the same offsets whatever the source, so the same
// bytes always give the same file.

import { availableParallelism } from 'node:os';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { CancellationToken } from '../../../shared/rpc/cancellation';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';

const gzipAsync = promisify(gzip);

/**
 * zlib hands its output back in pieces of this size, each a callback into JavaScript and a
 * buffer to join at the end. At zlib's default of 16 KB a 1 mm brain's field (85 MB, stored
 * Huffman-only) was some 5 000 of them, and compressing a float volume took twice as long as
 * with 1 MB pieces (8 MB chunks: 330–400 against 140–230 ms for 28 MB).
 */
const OUTPUT_PIECE_BYTES = 1024 * 1024;

export interface GzipOptions {
  /** zlib level 1–9. */
  readonly level?: number;
  /** zlib's strategy (zlib.constants.Z_*); default Z_DEFAULT_STRATEGY. */
  readonly strategy?: number;
  readonly chunkBytes?: number;
  readonly onProgress?: (fraction: number) => void;
}

/** Bytes to compress, read in chunks: `read` fills `into` with the bytes from `start` on. */
export interface ByteSource {
  readonly size: number;
  read(start: number, into: Uint8Array): Promise<void> | void;
}

export async function gzipFile(source: string, target: string, token: CancellationToken, options: GzipOptions = {}): Promise<void> {
  const input = await open(source, 'r');
  try {
    const size = (await input.stat()).size;
    await gzipToFile({ size, read: async (start, into) => void (await input.read(into, 0, into.length, start)) }, target, token, options);
  } finally {
    await input.close();
  }
}

export async function gzipToFile(source: ByteSource, target: string, token: CancellationToken, options: GzipOptions = {}): Promise<void> {
  const level = options.level ?? 6;
  const chunkBytes = options.chunkBytes ?? 8 * 1024 * 1024;
  const parallel = Math.max(1, Math.min(4, availableParallelism()));
  const output = await open(target, 'w');
  try {
    const size = source.size;
    const chunks = Math.max(1, Math.ceil(size / chunkBytes));
    let next = 0;
    // Chunk buffers are reused once their chunk is compressed: a fresh 8 MB buffer is a first
    // touch of 2048 pages, 22 ms on these machines (11 µs a page), and a brain's field has 11.
    const spare: Uint8Array[] = [];
    const compressNext = async (): Promise<Buffer> => {
      const start = next++ * chunkBytes;
      const buffer = spare.pop() ?? new Uint8Array(chunkBytes);
      const bytes = buffer.subarray(0, Math.max(0, Math.min(chunkBytes, size - start)));
      await source.read(start, bytes);
      const compressed = await gzipAsync(bytes, { level, chunkSize: OUTPUT_PIECE_BYTES, ...(options.strategy !== undefined ? { strategy: options.strategy } : {}) });
      spare.push(buffer);
      return compressed;
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
    await output.close();
  }
}
