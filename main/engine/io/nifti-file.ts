// Reading a NIfTI file's header and checking its data before ITK reads it. ITK reads a
// truncated .nii or .nii.gz without complaint (the missing voxels come back as zeros) and
// turns NaN and infinite voxels into zeros without a word, so both checks are ours: one pass
// over the (decompressed) bytes counts them, and compares the length with what the header
// promises. Integer .nii files need no pass: their size on disk says it all. The header is
// judged (its fields, its placement, its size against the machine's memory) as soon as it
// has arrived, before anything else is inflated, and the pass stops at the last declared
// voxel: whatever follows (padding, gigabytes of compressed zeros) is not read.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { cancelledError } from '../../../shared/contract/errors';
import type { CancellationToken } from '../../../shared/rpc/cancellation';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import { checkImageSize } from './image-size-limits';
import type { NiftiHeader } from './nifti-header';
import { nifti2HeaderBytes, parseNiftiHeader } from './nifti-header';
import { checkNiftiHeader, expectedNiftiFileBytes } from './nifti-header-checks';
import { checkNiftiPlacement } from './nifti-placement';
import { NonFiniteCounter, hasFloatVoxels } from './nifti-non-finite';

export interface NiftiFileCheck {
  readonly header: NiftiHeader;
  /** Bytes of the (decompressed) file, up to the last declared voxel. */
  readonly storedBytes: number;
  /** Bytes read (and inflated) to check it: what follows the last declared voxel is left alone. */
  readonly inflatedBytes: number;
  /** NaN and infinite voxels per volume, for float data. */
  readonly nonFinite?: NonFiniteCounter;
}

async function readHead(filePath: string, headBytes: number): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(headBytes);
    const { bytesRead } = await handle.read(head, 0, headBytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const isGzip = (head: Buffer) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** Refuses what is not a usable single-file NIfTI header, including absurd sizes. */
function acceptHeader(ref: FileRef, head: Buffer): NiftiHeader {
  const header = parseNiftiHeader(head);
  if (!header) throw fileProblem(ref, 'this is not a NIfTI file (its header is not a NIfTI-1 or NIfTI-2 header)');
  if (!header.singleFile) throw fileProblem(ref, 'this NIfTI header expects its voxels in a separate .img file, which XiMorph does not read (convert it to .nii)');
  checkNiftiHeader(ref, header);
  checkImageSize(ref, { size: header.dims, componentType: 'uint8', components: Math.max(1, header.bitsPerVoxel / 8) });
  checkNiftiPlacement(ref, header);
  return header;
}

function translateZlibError(ref: FileRef, error: NodeJS.ErrnoException): Error {
  // zlib says Z_BUF_ERROR ("unexpected end of file") when the stream stops early.
  if (error.code === 'Z_BUF_ERROR') return fileProblem(ref, 'the file is truncated or corrupt (the compressed data ends early)');
  if (error.code?.startsWith('Z_')) return fileProblem(ref, `the file is corrupt (its compressed data is damaged: ${error.message})`);
  return error;
}

/**
 * One pass over the file's bytes, decompressed if need be: the header is checked as soon as
 * it has arrived (so a forged header stops the pass), then the rest is counted.
 */
async function scanBytes(ref: FileRef, compressed: boolean, token: CancellationToken): Promise<NiftiFileCheck> {
  const source = createReadStream(ref.path, { highWaterMark: 1 << 20 });
  let stream: Readable = source;
  if (compressed) {
    // Pieces of 1 MB, not zlib's 16 KB: a 28 MB float brain took 190–310 ms in 16 KB pieces
    // (an event-loop turn each), 115–135 ms in 1 MB ones.
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    source.on('error', (error) => gunzip.destroy(error));
    stream = source.pipe(gunzip);
  }
  let head = Buffer.alloc(0);
  let header: NiftiHeader | undefined;
  let counter: NonFiniteCounter | undefined;
  let length = 0;
  let expected = Infinity;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (token.isCancellationRequested) throw cancelledError();
      if (!header) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= nifti2HeaderBytes) {
          header = acceptHeader(ref, head);
          expected = expectedNiftiFileBytes(header);
          counter = hasFloatVoxels(header) ? new NonFiniteCounter(header) : undefined;
          counter?.push(head, 0);
        }
      } else counter?.push(chunk, length);
      length += chunk.length;
      if (length >= expected) break;
    }
  } catch (error) {
    throw translateZlibError(ref, error as NodeJS.ErrnoException);
  } finally {
    stream.destroy();
    source.destroy();
  }
  if (!header) {
    header = acceptHeader(ref, head);
    counter = hasFloatVoxels(header) ? new NonFiniteCounter(header) : undefined;
    counter?.push(head, 0);
  }
  return { header, storedBytes: Math.min(length, expected), inflatedBytes: length, nonFinite: counter };
}

/** The header of a single-file NIfTI, after checking the file holds every voxel it declares. */
export async function checkNiftiFile(ref: FileRef, fileBytes: number, token: CancellationToken): Promise<NiftiFileCheck> {
  const head = await readHead(ref.path, nifti2HeaderBytes);
  // Some tools name uncompressed files .nii.gz; ITK reads those too, so decide by content.
  const compressed = isGzip(head);
  let check: NiftiFileCheck;
  if (compressed) check = await scanBytes(ref, true, token);
  else {
    const header = acceptHeader(ref, head);
    check = hasFloatVoxels(header) ? await scanBytes(ref, false, token) : { header, storedBytes: fileBytes, inflatedBytes: 0 };
  }
  const expected = expectedNiftiFileBytes(check.header);
  if (check.storedBytes < expected)
    throw fileProblem(ref, `the file is truncated (it holds ${check.storedBytes} bytes of the ${expected} its header promises)`, {
      storedBytes: check.storedBytes,
      expectedBytes: expected,
    });
  return check;
}
