// The streamed NIfTI writer against ITK's own: for every kind of image XiMorph saves (scalar
// and vector, 2D and 3D, oblique and flipped grids, integer and float types), the .nii it
// writes is the file itk-wasm writes (the voxels byte for byte, the header field by field:
// nifti1-header-writer.test.ts), and its .nii.gz inflates to the same bytes.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Image } from 'itk-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itkImageFromScalarImage, itkImageFromVectorImage } from '../../../main/engine/io/itk-images';
import { writeWithItk } from '../../../main/engine/io/itk-image-writer';
import { niftiByteSource, niftiHeaderFromItk, writeNiftiStreamed } from '../../../main/engine/io/nifti-stream-writer';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import { expectNiftiHeadersAgree, obliqueGrid, tempDir } from './helpers';

let out: ReturnType<typeof tempDir>;
beforeAll(() => {
  out = tempDir();
});
afterAll(() => out.cleanup());

const flipped: ImageGrid = { size: [11, 6, 4], spacing: [1, 1, 3], origin: [90, 125, -71], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
const slice: ImageGrid = { size: [6, 4], spacing: [0.5, 2], origin: [-3, 4], direction: [0, -1, 1, 0] };

const count = (g: ImageGrid) => g.size.reduce((a, b) => a * b, 1);
const ramp = <T extends { length: number; [i: number]: number }>(values: T, scale = 0.37): T => {
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * scale) * 100;
  return values;
};

const cases: [string, Image][] = [
  ['an oblique 3D float32 field', itkImageFromVectorImage({ grid: obliqueGrid, components: 3, pixels: ramp(new Float32Array(3 * count(obliqueGrid))) })],
  ['a 2D float32 field', itkImageFromVectorImage({ grid: slice, components: 2, pixels: ramp(new Float32Array(2 * count(slice))) })],
  ['a flipped 3D float32 image', itkImageFromScalarImage({ grid: flipped, pixels: ramp(new Float32Array(count(flipped))) })],
  ['a flipped 3D uint8 label map', itkImageFromScalarImage({ grid: flipped, pixels: Uint8Array.from({ length: count(flipped) }, (_, i) => i % 117) })],
  ['an oblique 3D int16 image', itkImageFromScalarImage({ grid: obliqueGrid, pixels: ramp(new Int16Array(count(obliqueGrid))) })],
  ['a 2D float64 image', itkImageFromScalarImage({ grid: slice, pixels: ramp(new Float64Array(count(slice))).map((v) => v * 1e300) })],
];

describe('streamed NIfTI', () => {
  for (const [what, image] of cases)
    it(`${what}: ITK's file, plain and gzipped`, async () => {
      const name = what.replace(/\W+/g, '-');
      const byItk = path.join(out.dir, `${name}-itk.nii`);
      await writeWithItk(image, byItk, false, byItk);
      const plain = path.join(out.dir, `${name}.nii`);
      const token = new CancellationTokenSource().token;
      expect(await writeNiftiStreamed(image, plain, plain, token)).toBe(true);
      const expected = readFileSync(byItk);
      const written = readFileSync(plain);
      expect(written.length).toBe(expected.length);
      expectNiftiHeadersAgree(written.subarray(0, 352), expected.subarray(0, 352), Array.from(image.direction as ArrayLike<number>).every((v) => v === 0 || Math.abs(v) === 1));
      expect(written.subarray(352).equals(expected.subarray(352))).toBe(true);
      const gzipped = path.join(out.dir, `${name}.nii.gz`);
      // Small chunks: several gzip members, and chunks that split values.
      expect(await writeNiftiStreamed(image, gzipped, gzipped, token, { level: 1, chunkBytes: 333 })).toBe(true);
      expect(gunzipSync(readFileSync(gzipped)).equals(written)).toBe(true);
    });

  it('reads the same bytes whatever the chunks', async () => {
    const [, image] = cases[0];
    const header = (await niftiHeaderFromItk(image, path.join(out.dir, 'header.nii'), 'header.nii'))!;
    const source = niftiByteSource(header, image.data!, 3);
    const whole = new Uint8Array(source.size);
    await source.read(0, whole);
    for (const chunk of [1, 3, 7, 352, 1000]) {
      const pieces = new Uint8Array(source.size);
      for (let start = 0; start < source.size; start += chunk) await source.read(start, pieces.subarray(start, Math.min(source.size, start + chunk)));
      expect(Buffer.from(pieces).equals(Buffer.from(whole))).toBe(true);
    }
  });
});
