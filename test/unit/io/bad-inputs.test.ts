// Every kind of bad input gets an EngineError with the right code and one line that names
// the file and says why, and nothing else breaks.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageSource, readImageFile } from '../../../main/engine/io/index';
import { silentJob } from '../../../main/engine/job-context';
import { maxVoxels } from '../../../main/engine/io/index';
import type { Fixtures } from './helpers';
import { expectEngineError, itkData, makeFixtures, nibabelData, pydicomFiles, templates } from './helpers';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx.cleanup());

/** A NIfTI-1 header (348 bytes + 4 bytes of extension flag) claiming the given shape. */
function niftiHeader(dims: number[], datatype = 16, bitpix = 32): Buffer {
  const h = Buffer.alloc(352);
  h.writeInt32LE(348, 0);
  h.writeInt16LE(dims.length, 40);
  dims.forEach((n, i) => h.writeInt16LE(n, 42 + 2 * i));
  h.writeInt16LE(datatype, 70);
  h.writeInt16LE(bitpix, 72);
  for (let i = 0; i < 8; i++) h.writeFloatLE(1, 76 + 4 * i);
  h.writeFloatLE(352, 108);
  h.write('n+1\0', 344, 'latin1');
  return h;
}

describe('damaged files', () => {
  it('a truncated .nii.gz (ITK would read it, padding with zeros)', async () => {
    const file = fx.file('ch2bet-trunc.nii.gz');
    writeFileSync(file, readFileSync(path.join(templates, 'ch2bet.nii.gz')).subarray(0, 400_000));
    await expectEngineError(readImageFile(file), 'BAD_INPUT', 'ch2bet-trunc.nii.gz', /truncated or corrupt \(the compressed data ends early\)/);
  });

  it('a truncated .nii says how much is missing', async () => {
    const file = fx.file('ch2bet-trunc.nii');
    writeFileSync(file, gunzipSync(readFileSync(path.join(templates, 'ch2bet.nii.gz'))).subarray(0, 1_000_000));
    const error = await expectEngineError(readImageFile(file), 'BAD_INPUT', 'ch2bet-trunc.nii', /truncated \(it holds 1000000 bytes of the \d+ its header promises\)/);
    expect(error.file).toBe(file);
  });

  it('a .nii.gz whose compressed data is damaged in the middle', async () => {
    const bytes = Buffer.from(readFileSync(path.join(templates, 'ch2bet.nii.gz')));
    for (let i = 200_000; i < 200_400; i++) bytes[i] ^= 0x5a;
    const file = fx.file('ch2bet-damaged.nii.gz');
    writeFileSync(file, bytes);
    await expectEngineError(readImageFile(file), 'BAD_INPUT', 'ch2bet-damaged.nii.gz', /corrupt/);
  });

  it('a truncated DICOM file (pydicom MR_truncated.dcm, which ITK reads without complaint)', async () => {
    await expectEngineError(readImageFile(path.join(pydicomFiles, 'MR_truncated.dcm')), 'BAD_INPUT', 'MR_truncated.dcm', /truncated/);
  });

  it('a MetaImage whose data file is short, and one whose data file is missing', async () => {
    const dir = fx.file('meta');
    mkdirSync(dir);
    copyFileSync(path.join(itkData, 'RatLungSlice1.mha'), path.join(dir, 'RatLungSlice1.mha'));
    writeFileSync(path.join(dir, 'RatLungSlice1.raw'), readFileSync(path.join(itkData, 'RatLungSlice1.raw')).subarray(0, 5000));
    await expectEngineError(readImageFile(path.join(dir, 'RatLungSlice1.mha')), 'BAD_INPUT', 'RatLungSlice1.mha', /MetaImage file is truncated or corrupt/);
    copyFileSync(path.join(itkData, 'RatLungSlice2.mha'), path.join(dir, 'RatLungSlice2.mha'));
    await expectEngineError(readImageFile(path.join(dir, 'RatLungSlice2.mha')), 'BAD_INPUT', 'RatLungSlice2.mha', /pixel data file RatLungSlice2\.raw is missing/);
  });

  it('a truncated PNG', async () => {
    const file = fx.file('slice-trunc.png');
    writeFileSync(file, readFileSync(path.join(itkData, 'BrainProtonDensitySlice.png')).subarray(0, 20_000));
    await expectEngineError(readImageFile(file), 'BAD_INPUT', 'slice-trunc.png', /PNG file is truncated or corrupt/);
  });
});

describe('files that are not images', () => {
  it('text named .nii.gz, .nii and .png', async () => {
    for (const name of ['notes.nii.gz', 'notes.nii', 'notes.png']) {
      writeFileSync(fx.file(name), 'these are my notes, not an image\n');
      await expectEngineError(readImageFile(fx.file(name)), 'BAD_INPUT', name, /not a (NIfTI|readable PNG) file/);
    }
  });

  it('an unknown extension, an empty file and a folder', async () => {
    writeFileSync(fx.file('image.xyz'), 'hello');
    await expectEngineError(readImageFile(fx.file('image.xyz')), 'BAD_INPUT', 'image.xyz', /unknown file type "\.xyz"; XiMorph reads NIfTI/);
    writeFileSync(fx.file('empty.nii'), '');
    await expectEngineError(readImageFile(fx.file('empty.nii')), 'BAD_INPUT', 'empty.nii', /the file is empty \(0 bytes\)/);
    mkdirSync(fx.file('folder.nii'));
    await expectEngineError(readImageFile(fx.file('folder.nii')), 'BAD_INPUT', 'folder.nii', /a folder, not an image file/);
  });

  it('a missing file is NOT_FOUND', async () => {
    const error = await expectEngineError(readImageFile(fx.file('missing.nii.gz')), 'NOT_FOUND', 'missing.nii.gz', /does not exist/);
    expect(error.file).toBe(fx.file('missing.nii.gz'));
  });

  it('a DICOM file without pixel data (an RT plan)', async () => {
    await expectEngineError(readImageFile(path.join(pydicomFiles, 'rtplan.dcm')), 'BAD_INPUT', 'rtplan.dcm', /holds no image \(no pixel data; modality RTPLAN\)/);
  });
});

describe('images XiMorph does not load as they are', () => {
  it('a 4D file asks which volume, and loads the one chosen', async () => {
    const file = path.join(nibabelData, 'example4d.nii.gz');
    const error = await expectEngineError(readImageFile(file), 'NEEDS_CHOICE', 'example4d.nii.gz', /holds 2 volumes; XiMorph registers one volume at a time/);
    expect(error.details).toEqual({ volumes: 2 });
    const second = await readImageFile(file, { volumeIndex: 1 });
    expect(second.info.grid.size).toEqual([128, 96, 24]);
    expect(second.info.grid.direction).toHaveLength(9);
    expect(second.image.pixels).toBeInstanceOf(Int16Array);
    const first = await readImageFile(file, { volumeIndex: 0 });
    expect(first.image.pixels).not.toEqual(second.image.pixels);
    await expectEngineError(readImageFile(file, { volumeIndex: 2 }), 'BAD_INPUT', 'example4d.nii.gz', /volume 2 does not exist \(the file holds volumes 0 to 1\)/);
  });

  it('true colour is refused; gray stored as colour is not', async () => {
    await expectEngineError(readImageFile(fx.file('colour.png')), 'UNSUPPORTED', 'colour.png', /colour images are not supported \(convert it to grayscale first\)/);
    await expectEngineError(readImageFile(path.join(pydicomFiles, 'SC_rgb_small_odd.dcm')), 'UNSUPPORTED', 'SC_rgb_small_odd.dcm', /colour images are not supported/);
  });

  it('an image with NaNs loads with a count; one with nothing finite is refused', async () => {
    const { info } = await readImageFile(fx.file('with-nans.nii.gz'));
    expect(info.nonFinite).toBe(3);
    await expectEngineError(readImageFile(fx.file('all-nan.nii.gz')), 'BAD_INPUT', 'all-nan.nii.gz', /every voxel is NaN or infinite/);
  });

  it('a header claiming a huge image is refused before anything is read', async () => {
    writeFileSync(fx.file('huge.nii'), niftiHeader([2048, 2048, 2048]));
    await expectEngineError(readImageFile(fx.file('huge.nii')), 'BAD_INPUT', 'huge.nii', new RegExp(`too large to load \\(2048 × 2048 × 2048 = 8589\\.9 million voxels; the limit is ${(maxVoxels / 1e6).toFixed(1)} million\\)`));
    const gz = fx.file('huge.nii.gz');
    const { gzipSync } = await import('node:zlib');
    writeFileSync(gz, gzipSync(niftiHeader([1024, 1024, 1024])));
    await expectEngineError(readImageFile(gz), 'BAD_INPUT', 'huge.nii.gz', /too large to load/);
  });

  it('an image with no voxels', async () => {
    writeFileSync(fx.file('empty-image.nii'), niftiHeader([10, 10, 0]));
    await expectEngineError(readImageFile(fx.file('empty-image.nii')), 'BAD_INPUT', 'empty-image.nii', /the image is empty \(10 × 10 × 0 voxels\)/);
  });

  it('a vector image (a displacement field) is refused as a scalar image', async () => {
    const file = fx.file('field.mha');
    const { writeVectorImage } = await import('../../../main/engine/io/index');
    await writeVectorImage(file, { grid: { size: [3, 4], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] }, components: 2, pixels: new Float32Array(24) });
    await expectEngineError(readImageFile(file), 'UNSUPPORTED', 'field.mha', /each voxel holds 2 values/);
  });

  it('a NIfTI-2 file, which itk-wasm cannot read, gets a reason', async () => {
    await expectEngineError(readImageFile(path.join(nibabelData, 'example_nifti2.nii.gz')), 'UNSUPPORTED', 'example_nifti2.nii.gz', /NIfTI-2/);
  });
});

describe('folders', () => {
  it('a folder without DICOM images', async () => {
    await expectEngineError(loadImageSource({ kind: 'path', path: fx.file('no-dicom') }, {}, silentJob), 'BAD_INPUT', 'no-dicom', /holds no DICOM images/);
  });

  it('an empty folder', async () => {
    mkdirSync(fx.file('empty-folder'));
    await expectEngineError(loadImageSource({ kind: 'path', path: fx.file('empty-folder') }, {}, silentJob), 'BAD_INPUT', 'empty-folder', /holds no DICOM images/);
  });
});
