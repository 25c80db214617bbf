// Dropped files, received chunk by chunk into a private staging folder and loaded from there:
// real files under the names the user knows, DICOM series among them, the limits, and that
// every upload's folder goes away (loaded, discarded, its client gone, or left unfinished).

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StagedUpload } from '../../../main/engine/io/index';
import { UploadStaging, loadImageSource } from '../../../main/engine/io/index';
import { silentJob } from '../../../main/engine/job-context';
import type { DicomSeries } from '../../../shared/contract/image-channels';
import type { Fixtures } from './helpers';
import { expectEngineError, itkData, makeFixtures, nibabelData, tempDir, templates } from './helpers';

let fx: Fixtures;
let root: ReturnType<typeof tempDir>;
beforeAll(() => {
  fx = makeFixtures();
  root = tempDir('ximorph-staging-test-');
});
afterAll(() => {
  fx.cleanup();
  root.cleanup();
});

interface DroppedFile {
  name: string;
  bytes: Uint8Array;
}

const staged = () => readdirSync(root.dir);
const owner = {};
const chunk = 256 * 1024;

/** Begins an upload and sends every file in chunks, as the upload channels do. */
async function stage(staging: UploadStaging, files: DroppedFile[], by: object = owner): Promise<string> {
  const id = await staging.begin(
    files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    by,
  );
  for (const [index, file] of files.entries())
    for (let offset = 0; offset < file.bytes.byteLength; offset += chunk) await staging.write(id, by, index, offset, file.bytes.subarray(offset, offset + chunk));
  return id;
}

const load = (staging: UploadStaging, id: string, seriesUid?: string, options: { volumeIndex?: number } = {}) =>
  staging.consume(id, owner, (upload: StagedUpload) => loadImageSource({ kind: 'staged', upload, seriesUid }, options, silentJob));

const fromDisk = (folder: string, name: string, as = name): DroppedFile => ({ name: as, bytes: readFileSync(path.join(folder, name)) });

describe('loading staged uploads', () => {
  it('reads one uploaded file under its own name, and removes the staging folder', async () => {
    const s = new UploadStaging({ root: root.dir });
    const id = await stage(s, [fromDisk(templates, 'aal.nii.gz')]);
    expect(staged()).toHaveLength(1);
    const { info } = await load(s, id);
    expect(info.name).toBe('aal.nii.gz');
    expect(info.source).toBe('uploaded file aal.nii.gz');
    expect(info.role).toBe('labels');
    expect(staged()).toEqual([]);
    expect(s.size).toBe(0);
  });

  it('says what is wrong with an uploaded file by its own name, and still cleans up', async () => {
    const s = new UploadStaging({ root: root.dir });
    const truncated = { name: 'my scan.nii.gz', bytes: readFileSync(path.join(templates, 'ch2bet.nii.gz')).subarray(0, 300_000) };
    const id = await stage(s, [truncated]);
    await expectEngineError(load(s, id), 'BAD_INPUT', 'my scan.nii.gz', /truncated/);
    expect(staged()).toEqual([]);
  });

  it('reads a MetaImage header uploaded with its data file', async () => {
    const s = new UploadStaging({ root: root.dir });
    const id = await stage(s, [fromDisk(itkData, 'RatLungSlice1.mha'), fromDisk(itkData, 'RatLungSlice1.raw')]);
    const { info } = await load(s, id);
    expect(info.name).toBe('RatLungSlice1.mha');
    expect(info.grid.size).toEqual([128, 128]);
  });

  it('keeps uploaded DICOM slices of several series while the user chooses, then loads the chosen one', async () => {
    const s = new UploadStaging({ root: root.dir });
    const dir = path.join(fx.dir, 'dicom-two');
    // Slices from two folders may share names; both must arrive.
    const files = ['first', 'second'].flatMap((sub) => readdirSync(path.join(dir, sub)).map((name) => fromDisk(path.join(dir, sub), name)));
    const id = await stage(s, files);
    const error = await load(s, id).catch((e) => e);
    expect(error.code).toBe('NEEDS_CHOICE');
    const listed = error.details.series as DicomSeries[];
    expect(listed.map((series) => series.files)).toEqual([4, 3]);
    expect(staged()).toHaveLength(1);
    const { info } = await load(s, id, listed[1].seriesUid);
    expect(info.grid.size[2]).toBe(3);
    expect(info.name).toMatch(/^7 uploaded files \(series axial B\)$/);
    expect(staged()).toEqual([]);
  });

  it('keeps an uploaded 4D file while the user chooses a volume, then loads that volume', async () => {
    const s = new UploadStaging({ root: root.dir });
    const id = await stage(s, [fromDisk(nibabelData, 'example4d.nii.gz')]);
    const error = await load(s, id).catch((e) => e);
    expect(error.code).toBe('NEEDS_CHOICE');
    expect(error.details.volumes).toBe(2);
    expect(staged()).toHaveLength(1);
    const { info } = await load(s, id, undefined, { volumeIndex: 1 });
    expect(info.grid.size).toEqual([128, 96, 24]);
    expect(staged()).toEqual([]);
  });

  it('refuses several unrelated images uploaded together', async () => {
    const s = new UploadStaging({ root: root.dir });
    const id = await stage(s, [fromDisk(templates, 'ch2.nii.gz'), fromDisk(templates, 'aal.nii.gz')]);
    const error = await load(s, id).catch((e) => e);
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toMatch(/^ch2\.nii\.gz, aal\.nii\.gz: several images were uploaded together; load one at a time/);
  });

  it('cannot write outside its staging folder, whatever the name', async () => {
    const s = new UploadStaging({ root: root.dir });
    const id = await stage(s, [fromDisk(templates, 'aal.nii.gz', '../../escape.nii.gz')]);
    const { info } = await load(s, id);
    expect(info.name).toBe('../../escape.nii.gz');
    expect(existsSync(path.join(root.dir, '..', 'escape.nii.gz'))).toBe(false);
    expect(s.size).toBe(0);
  });
});

describe('receiving uploads', () => {
  it('writes each chunk where it belongs, in a folder only the engine can read', async () => {
    const s = new UploadStaging({ root: root.dir });
    const file = fromDisk(templates, 'ch2bet.nii.gz');
    const id = await stage(s, [file]);
    const [folder] = staged();
    expect(statSync(path.join(root.dir, folder)).mode & 0o777).toBe(0o700);
    const [name] = readdirSync(path.join(root.dir, folder));
    expect(readFileSync(path.join(root.dir, folder, name)).equals(file.bytes)).toBe(true);
    await s.discard(id, owner);
    expect(staged()).toEqual([]);
  });

  it('refuses files over the limits with one line naming them', async () => {
    const s = new UploadStaging({ root: root.dir, limits: { fileBytes: 1000, uploadBytes: 1500, stagedBytes: 1500 } });
    await expectEngineError(s.begin([{ name: 'huge.nii.gz', size: 1001 }], owner), 'BAD_INPUT', 'huge.nii.gz', /it is 1001 bytes, more than the 1000 bytes a dropped file may have; open it through Open instead/);
    const two = [
      { name: 'a.dcm', size: 800 },
      { name: 'b.dcm', size: 800 },
    ];
    await expectEngineError(s.begin(two, owner), 'BAD_INPUT', '2 dropped files', /more than the .* one drop may have/);
    await s.begin([{ name: 'first.nii', size: 900 }], owner);
    await expectEngineError(s.begin([{ name: 'second.nii', size: 900 }], owner), 'BAD_INPUT', 'second.nii', /900 bytes of dropped files are still waiting to be loaded/);
    await s.discardAll(owner);
    expect(staged()).toEqual([]);
  });

  it('refuses chunks out of order, past the announced size, or for another client', async () => {
    const s = new UploadStaging({ root: root.dir });
    const id = await s.begin([{ name: 'scan.nii', size: 10 }], owner);
    await expect(s.write(id, owner, 0, 4, new Uint8Array(4))).rejects.toMatchObject({ code: 'INVALID_MESSAGE', message: /expected the bytes from 0, not from 4/ });
    await expect(s.write(id, owner, 0, 0, new Uint8Array(11))).rejects.toMatchObject({ code: 'INVALID_MESSAGE', message: /more bytes arrived than the 10 announced/ });
    await expect(s.write(id, owner, 1, 0, new Uint8Array(1))).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    await expect(s.write(id, {}, 0, 0, new Uint8Array(1))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await s.write(id, owner, 0, 0, new Uint8Array(6));
    // Loading an unfinished upload names the file and removes it.
    await expectEngineError(load(s, id), 'BAD_INPUT', 'scan.nii', /only 6 of its 10 bytes arrived/);
    expect(staged()).toEqual([]);
    await expect(load(s, id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: /drop the files again/ });
  });

  it('removes uploads left unfinished, and those of a client that went away', async () => {
    const s = new UploadStaging({ root: root.dir, limits: { idleMs: 200 } });
    const stalled = await s.begin([{ name: 'stalled.nii', size: 100 }], owner);
    await s.write(stalled, owner, 0, 0, new Uint8Array(50));
    const tab = {};
    await stage(s, [fromDisk(itkData, 'RatLungSlice1.mha')], tab);
    await s.discardAll(tab);
    expect(staged()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(staged()).toEqual([]);
    expect(s.size).toBe(0);
  });
});
