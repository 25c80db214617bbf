// Dropped files over browser mode's WebSocket, into a real `ximorph serve` process: frames
// are capped at what the contract needs (one upload chunk), a file of tens of MB arrives in
// chunks and loads exactly as it does from disk, DICOM files of several series wait in the
// engine while the user chooses, and uploads a client abandons are removed.

import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { DicomSeries } from '../../../shared/contract/index';
import { maxClientMessageBytes, uploadChunkBytes } from '../../../shared/contract/index';
import type { UploadableFile } from '../../../shared/rpc/send-upload';
import { sendUpload } from '../../../shared/rpc/send-upload';
import { connectOverWebSocket } from './engine-fixture';
import { openRawWebSocket, webSocketFrame } from './raw-requests';
import type { ServeProcess } from './serve-process';
import { startServeProcess } from './serve-process';

const dicomTree = '/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ximorph-uploads-test-'));
/** The INIA19 template, uncompressed: 18 MB, five chunks. */
const bigNifti = path.join(scratch, 'inia19-t1-brain.nii');

/** A file on disk as the renderer's dropped files are: read a slice at a time. */
function fileOnDisk(file: string, name = path.basename(file)): UploadableFile {
  return {
    name,
    size: statSync(file).size,
    async read(start, end) {
      const handle = await open(file);
      try {
        const bytes = new Uint8Array(end - start);
        await handle.read(bytes, 0, bytes.length, start);
        return bytes;
      } finally {
        await handle.close();
      }
    },
  };
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const start = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
}

let server: ServeProcess;
beforeAll(async () => {
  writeFileSync(bigNifti, gunzipSync(readFileSync('/usr/share/mricron/templates/inia19-t1-brain.nii.gz')));
  server = await startServeProcess();
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the frame cap', () => {
  it('closes a socket that sends a frame over the cap before buffering it, and only that socket', async () => {
    const a = connectOverWebSocket(server);
    const b = connectOverWebSocket(server);
    await Promise.all([a.client.request('engine.describe', {}), b.client.request('engine.describe', {})]);
    const before = server.memory();

    // A frame announcing 300 MB, streamed 1 MiB at a time until the server says no.
    const raw = await openRawWebSocket(server.port, server.token);
    const announced = 300 * 1024 ** 2;
    raw.socket.write(webSocketFrame(Buffer.alloc(0), { declaredLength: announced }));
    const junk = Buffer.alloc(1024 ** 2, 0x5a);
    let refused = false;
    void raw.closeCode.then(() => (refused = true));
    let sent = 0;
    while (!refused && sent < announced && raw.socket.writable) {
      if (!raw.socket.write(junk)) await new Promise((resolve) => (raw.socket.once('drain', resolve), raw.closeCode.then(resolve)));
      sent += junk.length;
    }
    expect(await raw.closeCode).toBe(1009);
    expect(sent).toBeLessThan(64 * 1024 ** 2);
    raw.socket.destroy();

    // A real client's frame one byte over the cap is refused the same way.
    const over = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
    await new Promise((resolve) => over.once('open', resolve));
    over.send(Buffer.alloc(maxClientMessageBytes + 1));
    expect(await new Promise((resolve) => over.once('close', resolve))).toBe(1009);

    // Nothing was buffered, and everyone else carries on, full chunks included.
    const after = server.memory();
    expect(after.peakMiB - before.peakMiB).toBeLessThan(64);
    expect(after.rssMiB - before.rssMiB).toBeLessThan(64);
    expect(server.log.filter((l) => /Max payload size exceeded/.test(l))).toHaveLength(2);
    expect((await b.client.request('engine.describe', {})).version).toBeTruthy();
    const { uploadId } = await a.client.request('upload.begin', { files: [{ name: 'full chunk.nii', size: uploadChunkBytes }] });
    expect(await a.client.request('upload.chunk', { uploadId, file: 0, offset: 0, bytes: new Uint8Array(uploadChunkBytes) })).toEqual({});
    await a.client.request('upload.discard', { uploadId });
    a.socket.close();
    b.socket.close();
  });
});

describe('chunked uploads over the WebSocket', () => {
  it('sends an 18 MB file in chunks and loads exactly what loading it from disk gives', async () => {
    const { client, socket } = connectOverWebSocket(server);
    const fractions: number[] = [];
    const uploadId = await sendUpload(client, [fileOnDisk(bigNifti, 'dropped inia19.nii')], { onProgress: (f) => fractions.push(f) });
    expect(fractions.length).toBe(Math.ceil(statSync(bigNifti).size / uploadChunkBytes));
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(fractions.at(-1)).toBe(1);
    expect(server.stagedUploads()).toHaveLength(1);

    const uploaded = await client.request('image.load', { source: { kind: 'upload', uploadId } });
    const fromDisk = await client.request('image.load', { source: { kind: 'path', path: bigNifti } });
    expect(uploaded.info.name).toBe('dropped inia19.nii');
    expect(uploaded.info.grid).toEqual(fromDisk.info.grid);
    expect(uploaded.pixels.constructor).toBe(fromDisk.pixels.constructor);
    expect(Buffer.from(uploaded.pixels.buffer).equals(Buffer.from(fromDisk.pixels.buffer))).toBe(true);
    expect(server.stagedUploads()).toEqual([]);
    socket.close();
  });

  it('keeps dropped DICOM files of several series while the user chooses, then loads the chosen series', async () => {
    const { client, socket } = connectOverWebSocket(server);
    const files = filesUnder(dicomTree).map((f) => fileOnDisk(f));
    const uploadId = await sendUpload(client, files);
    const choice = await client.request('image.load', { source: { kind: 'upload', uploadId } }).catch((e) => e);
    expect(choice.code).toBe('NEEDS_CHOICE');
    expect(choice.message).toBe(`${files.length} uploaded files: holds 13 DICOM series; pick one to load`);
    const brain = (choice.details.series as DicomSeries[]).find((s) => s.description === 'Routine Brain')!;
    expect(server.stagedUploads()).toHaveLength(1);

    const loaded = await client.request('image.load', { source: { kind: 'upload', uploadId, seriesUid: brain.seriesUid } });
    expect(loaded.info.grid.size).toEqual([16, 16, 4]);
    expect(loaded.info.name).toBe(`${files.length} uploaded files (series Routine Brain)`);
    expect(server.stagedUploads()).toEqual([]);
    socket.close();
  });

  it('removes what a client was uploading when its socket closes', async () => {
    const { client, socket } = connectOverWebSocket(server);
    const { uploadId } = await client.request('upload.begin', { files: [{ name: 'half.nii', size: 2 * uploadChunkBytes }] });
    await client.request('upload.chunk', { uploadId, file: 0, offset: 0, bytes: new Uint8Array(uploadChunkBytes) });
    expect(server.stagedUploads()).toHaveLength(1);
    socket.close();
    await until(() => server.stagedUploads().length === 0);
    // Another client cannot reach it, and the server carries on.
    const other = connectOverWebSocket(server);
    await expect(other.client.request('image.load', { source: { kind: 'upload', uploadId } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    other.socket.close();
  });

  it('refuses a dropped file over the size limit with one line naming it', async () => {
    const { client, socket } = connectOverWebSocket(server);
    const error = await client.request('upload.begin', { files: [{ name: 'whole-body CT.nii', size: 3 * 1024 ** 3 }] }).catch((e) => e);
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toBe('whole-body CT.nii: it is 3.0 GiB, more than the 2.0 GiB a dropped file may have; open it through Open instead');
    expect(server.stagedUploads()).toEqual([]);
    socket.close();
  });
});
