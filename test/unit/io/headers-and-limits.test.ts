// What a header decides before the pixels are read: which NIfTI transform places the image
// when one is broken, where the voxels start, how much of a compressed file is inflated, and
// whether the machine has the memory for the image. Files are written by nibabel, then the
// one field under test is patched, as a damaged file would have it.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../../main/engine/io/index';
import { fileRef } from '../../../main/engine/io/file-problems';
import { checkImageSize, loadBytesPerPixelByte } from '../../../main/engine/io/image-size-limits';
import { checkNiftiFile } from '../../../main/engine/io/nifti-file';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import { expectEngineError, pythonJson, tempDir } from './helpers';

let dir: { dir: string; cleanup(): void };
const file = (name: string) => path.join(dir.dir, name);
const token = new CancellationTokenSource().token;

/** What nibabel writes and reads for a small float32 volume with a rotated, shifted affine. */
interface Written {
  affine: number[][];
}

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.cleanup());

/** nibabel sets transform codes of its own on saving, so the codes are written afterwards. */
function writeNifti(name: string, affine: number[][], qformCode: number, sformCode: number): Written {
  const written = pythonJson<Written>(
    `
import json, sys, numpy as np, nibabel as nib
affine = np.array(json.loads(sys.argv[2]))
data = np.arange(6 * 5 * 4, dtype=np.float32).reshape((6, 5, 4), order='F') + 1
img = nib.Nifti1Image(data, affine)
img.header.set_qform(affine, code=int(sys.argv[3]))
img.header.set_sform(affine, code=int(sys.argv[4]))
nib.save(img, sys.argv[1])
print(json.dumps({'affine': img.header.get_best_affine().tolist()}))
`,
    [file(name), JSON.stringify(affine), String(qformCode), String(sformCode)],
  );
  const bytes = readFileSync(file(name));
  bytes.writeInt16LE(qformCode, 252);
  bytes.writeInt16LE(sformCode, 254);
  writeFileSync(file(name), bytes);
  return written;
}

function patchFloat32(name: string, offset: number, value: number): void {
  const bytes = readFileSync(file(name));
  bytes.writeFloatLE(value, offset);
  writeFileSync(file(name), bytes);
}

const rotated = [
  [0, -2, 0, 10],
  [2, 0, 0, -5],
  [0, 0, 3, 7],
  [0, 0, 0, 1],
];
/** Where nibabel puts voxel 0 of a file it wrote, in LPS (RAS with x and y negated). */
const lpsOrigin = (written: Written) => [-written.affine[0][3], -written.affine[1][3], written.affine[2][3]];

describe('NIfTI transforms that cannot place the image', () => {
  it('a NaN qform beside a usable sform: placed by the sform, with a warning', async () => {
    const written = writeNifti('nan-qform.nii', rotated, 1, 1);
    patchFloat32('nan-qform.nii', 256, NaN); // quatern_b
    const { info } = await readImageFile(file('nan-qform.nii'));
    expect(info.grid.origin).toEqual(lpsOrigin(written));
    expect(info.grid.spacing.map((s) => +s.toFixed(5))).toEqual([2, 2, 3]);
    expect(info.warnings).toEqual([
      'nan-qform.nii: its qform (code 1, scanner) holds NaN (quaternion NaN, 0, 0.707107, offset 10, -5, 7); placed by its sform (code 1, scanner), as nibabel, FSL and SPM do',
    ]);
  });

  it('an infinite sform beside a usable qform: placed by the qform, with a warning', async () => {
    const written = writeNifti('inf-sform.nii', rotated, 1, 1);
    patchFloat32('inf-sform.nii', 280 + 12, Infinity); // srow_x[3]
    const { info } = await readImageFile(file('inf-sform.nii'));
    expect(info.grid.origin.map((v) => +v.toFixed(4))).toEqual(lpsOrigin(written));
    expect(info.warnings).toEqual(['inf-sform.nii: its sform (code 1, scanner) holds an infinite value; placed by its qform (code 1, scanner) instead']);
  });

  it('a NaN qform and no sform: refused, naming the qform', async () => {
    writeNifti('nan-qform-only.nii', rotated, 1, 0);
    patchFloat32('nan-qform-only.nii', 272, NaN); // qoffset_y
    await expectEngineError(readImageFile(file('nan-qform-only.nii')), 'BAD_INPUT', 'nan-qform-only.nii', /^nan-qform-only\.nii: its qform \(code 1, scanner\) holds NaN .* and it has no sform; its position in space is unknown$/);
  });

  it('a zero voxel size with no transform set: ITK takes 1 mm, and says so', async () => {
    writeNifti('zero-pixdim.nii', [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], 0, 0);
    patchFloat32('zero-pixdim.nii', 76 + 8, 0); // pixdim[2]
    const { info } = await readImageFile(file('zero-pixdim.nii'));
    expect(info.grid.spacing).toEqual([1, 1, 1]);
    expect(info.warnings).toEqual(['zero-pixdim.nii: its voxel size is unset along some axes (pixdim 1, 0, 1); ITK, as nifticlib does, takes 1 mm there']);
  });
});

describe('where the voxels start', () => {
  it('vox_offset 0 means right after the 348-byte header, for ITK and for the NaN count alike', async () => {
    writeNifti('offset-zero.nii', rotated, 1, 1);
    const bytes = readFileSync(file('offset-zero.nii'));
    bytes.writeFloatLE(0, 108); // vox_offset
    // NaN bit patterns in header fields that a reader starting at byte 0 would count as voxels.
    bytes.writeFloatLE(NaN, 56); // intent_p1
    bytes.writeFloatLE(NaN, 124); // cal_max
    bytes.writeFloatLE(NaN, 352 + 4 * 7); // the eighth voxel, read at 348 as the ninth
    writeFileSync(file('offset-zero.nii'), bytes);
    const { image, info } = await readImageFile(file('offset-zero.nii'));
    expect(info.nonFinite).toBe(1);
    // Read from byte 348: the 4 bytes of the extension flag (zeros) are the first voxel.
    expect(Array.from(image.pixels.slice(0, 4))).toEqual([0, 1, 2, 3]);
    expect(image.pixels[8]).toBe(0);
  });

  it('a negative vox_offset is a corrupt header', async () => {
    writeNifti('negative-offset.nii', rotated, 1, 1);
    patchFloat32('negative-offset.nii', 108, -352);
    await expectEngineError(readImageFile(file('negative-offset.nii')), 'BAD_INPUT', 'negative-offset.nii', /vox_offset -352/);
  });
});

describe('how much is inflated', () => {
  it('stops at the last declared voxel: 512 MiB of compressed zeros after the data are never inflated', async () => {
    writeNifti('padded.nii', rotated, 1, 1);
    const nifti = readFileSync(file('padded.nii'));
    const zeros = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
    // Gzip members follow one another; zlib (ITK), Python and Node read them as one stream.
    writeFileSync(file('padded.nii.gz'), Buffer.concat([gzipSync(nifti), ...new Array(8).fill(zeros)]));
    const check = await checkNiftiFile(fileRef(file('padded.nii.gz')), 0, token);
    expect(check.storedBytes).toBe(nifti.length);
    expect(check.inflatedBytes).toBeLessThan(nifti.length + (1 << 20));
    const { image } = await readImageFile(file('padded.nii.gz'));
    expect(image.pixels[5]).toBe(6);
  });
});

describe('the memory an image may use', () => {
  const ref = fileRef('/scans/bomb.nii.gz');
  const layout = { size: [812, 812, 812], componentType: 'float32', components: 1 };
  const pixelBytes = 812 ** 3 * 4;

  it('loading takes about four times the pixels; one image may use a quarter of what is available', () => {
    expect(loadBytesPerPixelByte).toBe(4);
    expect(() => checkImageSize(ref, layout, 64 * 1024 ** 3)).not.toThrow();
    let error: unknown;
    try {
      checkImageSize(ref, layout, 16 * 1024 ** 3);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(
      'bomb.nii.gz: the image is too large for the memory available (812 × 812 × 812 voxels, 2.0 GiB of pixels, need about 8.0 GiB to load; one image may use a quarter of the 16.0 GiB available now)',
    );
    expect((error as { details: Record<string, number> }).details).toEqual({ bytes: pixelBytes, neededBytes: 4 * pixelBytes, availableBytes: 16 * 1024 ** 3 });
  });
});
