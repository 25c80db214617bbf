// Sends files to the engine through the upload channels (shared/contract/upload-channels.ts):
// one file after another, a chunk at a time, with two chunks in flight so that the next one
// travels while the engine writes the last. Files are read a chunk at a time too, so a large
// file is never whole in memory on this side either. The renderer sends dropped files with
// it; tests send files from disk.

import { uploadChunkBytes } from '../contract/upload-channels';
import { EngineError } from '../contract/errors';
import type { CancellationToken } from './cancellation';
import { throwIfCancelled } from './cancellation';
import type { ContractClient } from './client';

export interface UploadableFile {
  readonly name: string;
  readonly size: number;
  /** The file's bytes from `start` up to, not including, `end`. */
  read(start: number, end: number): Promise<Uint8Array>;
}

export interface SendUploadOptions {
  /** The fraction of all bytes the engine has received. */
  onProgress?: (fraction: number) => void;
  token?: CancellationToken;
}

const chunksInFlight = 2;

async function readChunk(file: UploadableFile, start: number, end: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await file.read(start, end);
  } catch (error) {
    throw new EngineError('BAD_INPUT', `${file.name}: could not be read (${(error as Error).message})`, { file: file.name });
  }
  if (bytes.byteLength !== end - start) throw new EngineError('BAD_INPUT', `${file.name}: the file changed while it was being sent`, { file: file.name });
  return bytes;
}

/** Uploads the files and resolves to the upload's id, for an image source of kind 'upload'. */
export async function sendUpload(client: ContractClient, files: readonly UploadableFile[], options: SendUploadOptions = {}): Promise<string> {
  const { uploadId } = await client.request('upload.begin', { files: files.map((f) => ({ name: f.name, size: f.size })) });
  const total = files.reduce((sum, f) => sum + f.size, 0);
  let received = 0;
  const inFlight: Promise<unknown>[] = [];
  try {
    for (let index = 0; index < files.length; index++) {
      const file = files[index];
      for (let offset = 0; offset < file.size; offset += uploadChunkBytes) {
        if (options.token) throwIfCancelled(options.token);
        const bytes = await readChunk(file, offset, Math.min(file.size, offset + uploadChunkBytes));
        const sending = client.request('upload.chunk', { uploadId, file: index, offset, bytes }).then(() => {
          received += bytes.byteLength;
          options.onProgress?.(received / total);
        });
        // Awaited below; until then, a failure must not count as unhandled.
        sending.catch(() => undefined);
        inFlight.push(sending);
        if (inFlight.length >= chunksInFlight) await inFlight.shift();
      }
    }
    await Promise.all(inFlight);
    return uploadId;
  } catch (error) {
    await client.request('upload.discard', { uploadId }).catch(() => undefined);
    throw error;
  }
}
