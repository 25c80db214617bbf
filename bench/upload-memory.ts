// The memory a dropped file costs browser mode: a `ximorph serve` process receives one file of
// N MiB (default 300) over its WebSocket, in chunks, from a client that reads it from disk a
// chunk at a time. Prints the server process's resident memory before, at its peak and after,
// and the upload's time. The file is random bytes named .bin, so that the load that follows
// is refused at once and only the transfer is measured.
//
//   node --import tsx bench/upload-memory.ts [--mib 300]

import { randomFillSync } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sendUpload } from '../shared/rpc/send-upload';
import { connectOverWebSocket } from '../test/unit/host/engine-fixture';
import { startServeProcess } from '../test/unit/host/serve-process';

const mibArg = process.argv.indexOf('--mib');
const mib = mibArg > 0 ? Number(process.argv[mibArg + 1]) : 300;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ximorph-upload-bench-'));
const file = path.join(scratch, 'big.bin');

// Written a MiB at a time: this process must not hold the file either.
const fd = openSync(file, 'w');
const block = Buffer.alloc(1024 ** 2);
for (let i = 0; i < mib; i++) writeSync(fd, randomFillSync(block));
closeSync(fd);

const server = await startServeProcess();
try {
  const { client, socket } = connectOverWebSocket(server);
  await client.request('engine.describe', {});
  const before = server.memory();
  let peakSampled = before.rssMiB;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, server.memory().rssMiB)), 20);
  const started = performance.now();
  const uploadId = await sendUpload(client, [
    {
      name: 'big.bin',
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
    },
  ]);
  const seconds = (performance.now() - started) / 1000;
  const refusal = await client.request('image.load', { source: { kind: 'upload', uploadId } }).catch((e: Error) => e.message);
  clearInterval(sampler);
  const after = server.memory();
  console.log(`upload of ${mib} MiB: ${seconds.toFixed(1)} s (${(mib / seconds).toFixed(0)} MiB/s); then "${String(refusal).slice(0, 60)}…"`);
  console.log(
    `server RSS: before ${before.rssMiB.toFixed(0)} MiB, peak ${Math.max(peakSampled, after.peakMiB).toFixed(0)} MiB (sampled ${peakSampled.toFixed(0)}, VmHWM ${after.peakMiB.toFixed(0)}), after ${after.rssMiB.toFixed(0)} MiB`,
  );
  socket.close();
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
