// The CLI's HDF5 thread: a composite transform the job thread posts to it is written there and
// reads back as the transform that was posted; an HDF5 failure comes back as an error. A field
// too large to post ends the thread once planned, and once the thread is gone, files are written
// in the posting thread instead, as they are without one.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hdf5ThreadWriter, largestPostedBytes } from '../../../main/cli/job-thread/hdf5-thread-client';
import type { Hdf5ThreadData } from '../../../main/cli/job-thread/job-messages';
import type { Hdf5Writer } from '../../../main/engine/io/hdf5-writer';
import { hdf5WriterHere, useHdf5Writer } from '../../../main/engine/io/hdf5-writer';
import { readTransformFile, writeTransformFile } from '../../../main/engine/io/index';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { DisplacementFieldTransform } from '../../../shared/transforms/transform';
import { affineFromLinearAndTranslation, composeTransforms } from '../../../shared/transforms/transform';
import { tempFolder } from './run-cli';

let scratch: ReturnType<typeof tempFolder>;
beforeAll(() => {
  scratch = tempFolder();
});
afterAll(() => scratch.cleanup());

const grid: ImageGrid = { size: [9, 7], spacing: [1.5, 2], origin: [-4, 6], direction: [0.8, -0.6, 0.6, 0.8] };
const vectors = Float32Array.from({ length: 9 * 7 * 2 }, (_, i) => Math.sin(i * 0.37) * 2);
const field: DisplacementFieldTransform = { kind: 'displacement', grid, vectors };
const transform = composeTransforms(field, affineFromLinearAndTranslation([0.98, -0.17, 0.17, 0.98], [13, 17]));

/** The HDF5 thread from its sources, and the job thread's writer for it; `here` counts the writes made in this thread. */
function startThread(): { thread: Worker; writer: Hdf5Writer; writtenHere: () => number } {
  const { port1, port2 } = new MessageChannel();
  const workerData: Hdf5ThreadData = { port: port1 };
  const thread = new Worker(new URL('../../../main/cli/job-thread/hdf5-thread-entry.ts', import.meta.url), { workerData, transferList: [port1], execArgv: ['--import', 'tsx'] });
  let here = 0;
  const counting: Hdf5Writer = { plan: () => undefined, prepare: () => undefined, write: (list, target) => (here++, hdf5WriterHere.write(list, target)) };
  return { thread, writer: hdf5ThreadWriter(port2, counting), writtenHere: () => here };
}

afterEach(() => useHdf5Writer(hdf5WriterHere));

describe('the HDF5 thread', () => {
  it('writes the composite it is sent, which reads back as the transform posted', { timeout: 60_000 }, async () => {
    const { thread, writer, writtenHere } = startThread();
    try {
      useHdf5Writer(writer);
      const file = path.join(scratch.dir, 'transform.h5');
      await writeTransformFile(file, transform);
      expect(writtenHere()).toBe(0);
      expect(await readTransformFile(file)).toEqual(transform);
    } finally {
      await thread.terminate();
    }
  });

  it('ends once told of a field too large to post, and the file is written here', { timeout: 60_000 }, async () => {
    const { thread, writer, writtenHere } = startThread();
    const ended = new Promise((resolve) => thread.once('exit', resolve));
    writer.plan(largestPostedBytes / 2);
    writer.plan(largestPostedBytes + 4);
    await ended;
    useHdf5Writer(writer);
    const file = path.join(scratch.dir, 'planned.h5');
    await writeTransformFile(file, transform);
    expect(writtenHere()).toBe(1);
    expect(await readTransformFile(file)).toEqual(transform);
  });

  it("answers HDF5's failure with its message", { timeout: 60_000 }, async () => {
    const { thread, writer } = startThread();
    try {
      await expect(writer.write([], path.join(scratch.dir, 'no-such-folder', 'transform.h5'))).rejects.toThrow(/\w/);
    } finally {
      await thread.terminate();
    }
  });

  it('once the thread is gone, writes in this thread instead', { timeout: 60_000 }, async () => {
    const { thread, writer, writtenHere } = startThread();
    await thread.terminate();
    useHdf5Writer(writer);
    const file = path.join(scratch.dir, 'after.h5');
    // The port's close may reach this thread a moment after the thread ended.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeTransformFile(file, transform);
    expect(writtenHere()).toBe(1);
    expect(existsSync(file)).toBe(true);
    expect(await readTransformFile(file)).toEqual(transform);
  });
});
