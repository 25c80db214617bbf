// itk-wasm's pipelines print ITK's internals with console.log and console.error (its glue
// hard-wires them); on the command line that text landed on stdout, inside --json output.
// The engine keeps it: nothing reaches the terminal from any thread, the reason ITK printed
// goes into the one-line error, and what other code prints meanwhile still gets through.
// (The command line's main thread is checked by the bad-input corpus, test/unit/cli.)

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { itkData, tempDir } from './helpers';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.cleanup());

/** Reads `file` with the engine in a worker thread; what the thread printed, and the error. */
function readInWorker(file: string): Promise<{ stdout: string; stderr: string; message: string }> {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { readImageFile } = await import(workerData.module);
    const reading = readImageFile(workerData.file);
    console.log('printed by other code while ITK reads');
    parentPort.postMessage(await reading.then(() => 'loaded', (error) => error.message));
  `;
  const module = new URL('../../../main/engine/io/index.ts', import.meta.url).href;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
    workerData: { module, file },
    stdout: true,
    stderr: true,
    execArgv: ['--import', 'tsx'],
  });
  let stdout = '';
  let stderr = '';
  let message = '';
  worker.stdout.on('data', (d) => (stdout += d));
  worker.stderr.on('data', (d) => (stderr += d));
  worker.on('message', (m: string) => (message = m));
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', () => resolve({ stdout, stderr, message }));
  });
}

it('a PNG with a broken header: libpng says why, in the message, and nothing reaches the terminal', async () => {
  const png = Buffer.from(readFileSync(path.join(itkData, 'BrainProtonDensitySlice.png')));
  png[29] ^= 0xff; // inside the IHDR chunk: its CRC no longer matches
  const file = path.join(dir.dir, 'bad-crc.png');
  writeFileSync(file, png);
  const { stdout, stderr, message } = await readInWorker(file);
  expect(message).toBe('bad-crc.png: the PNG file is truncated or corrupt (ITK: libpng error: IHDR: CRC error)');
  expect(stdout).toBe('printed by other code while ITK reads\n');
  expect(stderr).toBe('');
});

it('a MetaImage whose data ends early: MetaIO says why', async () => {
  const file = path.join(dir.dir, 'short.mha');
  const header = 'ObjectType = Image\nNDims = 2\nDimSize = 20 30\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n';
  writeFileSync(file, Buffer.concat([Buffer.from(header), Buffer.alloc(1000)]));
  const { stdout, stderr, message } = await readInWorker(file);
  expect(message).toBe('short.mha: the MetaImage file is truncated or corrupt (ITK: MetaIO: data not read completely)');
  expect(stdout).toBe('printed by other code while ITK reads\n');
  expect(stderr).toBe('');
});
