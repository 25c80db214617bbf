// Writers: what we save, ITK and nibabel read back with the same grid and values; vector
// fields follow ITK's displacement-field convention; a failed or cancelled write leaves
// nothing behind.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readImageNode } from '@itk-wasm/image-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFile, readVectorImageFile, writeScalarImage, writeVectorImage } from '../../../main/engine/io/index';
import { writeAtomically } from '../../../main/engine/io/atomic-write';
import type { JobContext } from '../../../main/engine/job-context';
import { silentJob } from '../../../main/engine/job-context';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorldMatrix } from '../../../shared/geometry/grid';
import type { VectorImage } from '../../../shared/image/voxel-image';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import { expectEngineError, maxAbsDifference, obliqueGrid, pythonJson, tempDir, templates } from './helpers';

let out: ReturnType<typeof tempDir>;
beforeAll(() => {
  out = tempDir();
});
afterAll(() => out.cleanup());

function smoothField(grid: ImageGrid): VectorImage {
  const n = grid.size.reduce((a, b) => a * b, 1);
  const pixels = new Float32Array(3 * n);
  for (let v = 0; v < n; v++) for (let k = 0; k < 3; k++) pixels[3 * v + k] = Math.sin(0.3 * v + k) * (k + 1);
  return { grid, components: 3, pixels };
}

describe('displacement fields', () => {
  it('a .nii.gz field is a 5D vector NIfTI for nibabel: shape (X,Y,Z,1,3), intent vector, the grid as affine', async () => {
    const field = smoothField(obliqueGrid);
    const file = path.join(out.dir, 'field.nii.gz');
    await writeVectorImage(file, field);
    const nib = pythonJson<{ shape: number[]; intent: string; affine: number[][]; values: number[] }>(
      `import sys, json, nibabel as nib, numpy as np
im = nib.load(sys.argv[1])
d = np.asanyarray(im.dataobj)
print(json.dumps({'shape': list(im.shape), 'intent': im.header.get_intent()[0], 'affine': im.affine.tolist(),
  'values': d[:, :, :, 0, :].transpose(2, 1, 0, 3).ravel().astype(float).tolist()}))`,
      [file],
    );
    expect(nib.shape).toEqual([9, 7, 5, 1, 3]);
    expect(nib.intent).toBe('vector');
    // nibabel's affine is RAS: our LPS index-to-world matrix with the first two rows negated.
    const lps = indexToWorldMatrix(obliqueGrid);
    const ras = [0, 1, 2].map((r) => [0, 1, 2, 3].map((col) => (r < 2 ? -1 : 1) * lps[r * 4 + col]));
    expect(maxAbsDifference(nib.affine.slice(0, 3).flat(), ras.flat())).toBeLessThan(1e-5);
    // Components are stored as given (LPS mm, ITK's convention), x fastest.
    expect(maxAbsDifference(nib.values, field.pixels)).toBe(0);
  });

  for (const ext of ['.nii.gz', '.mha', '.nrrd']) {
    it(`ITK reads a ${ext} field back as a vector image on the same grid`, async () => {
      const field = smoothField(obliqueGrid);
      const file = path.join(out.dir, `field${ext}`);
      await writeVectorImage(file, field, { compress: true });
      const raw = await readImageNode(file);
      expect(raw.imageType).toMatchObject({ dimension: 3, pixelType: 'Vector', components: 3, componentType: 'float32' });
      const { field: back, warnings } = await readVectorImageFile(file);
      expect(warnings).toEqual([]);
      expect(back.grid.size).toEqual(obliqueGrid.size);
      expect(maxAbsDifference(back.grid.spacing, obliqueGrid.spacing)).toBeLessThan(1e-5);
      expect(maxAbsDifference(back.grid.origin, obliqueGrid.origin)).toBeLessThan(1e-4);
      expect(maxAbsDifference(back.grid.direction, obliqueGrid.direction)).toBeLessThan(1e-5);
      expect(maxAbsDifference(back.pixels, field.pixels)).toBe(0);
    });
  }

  it('a 2D field round-trips too', async () => {
    const grid: ImageGrid = { size: [6, 4], spacing: [0.5, 2], origin: [-3, 4], direction: [0, -1, 1, 0] };
    const field: VectorImage = { grid, components: 2, pixels: Float32Array.from({ length: 48 }, (_, i) => i / 7) };
    const file = path.join(out.dir, 'field2d.nii.gz');
    await writeVectorImage(file, field);
    const { field: back } = await readVectorImageFile(file);
    expect(back.grid).toEqual(grid);
    expect(back.components).toBe(2);
    expect(maxAbsDifference(back.pixels, field.pixels)).toBe(0);
  });
});

describe('scalar images', () => {
  it('ch2 written as .nii.gz, .nii, .mha and .nrrd reads back identical', async () => {
    const { image } = await readImageFile(path.join(templates, 'ch2.nii.gz'));
    for (const ext of ['.nii.gz', '.nii', '.mha', '.nrrd']) {
      const file = path.join(out.dir, `ch2${ext}`);
      await writeScalarImage(file, image, { compress: true });
      const back = await readImageFile(file);
      expect(back.info.grid).toEqual(image.grid);
      expect(maxAbsDifference(back.image.pixels, image.pixels)).toBe(0);
    }
  });

  it('converts the component type by rounding and clamping, not wrapping', async () => {
    const grid: ImageGrid = { size: [4, 1], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
    const file = path.join(out.dir, 'converted.nrrd');
    await writeScalarImage(file, { grid, pixels: Float32Array.from([-3.6, 1.5, 254.6, 300]) }, { componentType: 'uint8' });
    const { image, info } = await readImageFile(file);
    expect(info.componentType).toBe('uint8');
    expect([...image.pixels]).toEqual([0, 2, 255, 255]);
  });

  it('keeps NaN in formats that store it, and the reader counts it', async () => {
    const grid: ImageGrid = { size: [3, 2], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
    const file = path.join(out.dir, 'nan.mha');
    await writeScalarImage(file, { grid, pixels: Float32Array.from([NaN, 1, 2, Infinity, 4, 5]) });
    const { info } = await readImageFile(file);
    expect(info.nonFinite).toBe(2);
  });

  it('refuses formats it cannot write, naming the file', async () => {
    const grid: ImageGrid = { size: [2, 2], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
    await expectEngineError(writeScalarImage(path.join(out.dir, 'picture.jpg'), { grid, pixels: new Uint8Array(4) }), 'BAD_INPUT', 'picture.jpg', /cannot save as "\.jpg"/);
    await expectEngineError(writeScalarImage(path.join(out.dir, 'no-such-folder', 'x.nii'), { grid, pixels: new Uint8Array(4) }), 'NOT_FOUND', 'no-such-folder', /does not exist/);
  });
});

describe('atomic writes', () => {
  it('a cancelled write of a large field leaves no file and no temporary file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const big: ImageGrid = { size: [128, 128, 96], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
      const source = new CancellationTokenSource();
      // Cancel as soon as compression reports progress: mid-write.
      const job: JobContext = { token: source.token, progress: (p) => p.stage === 'compressing' && source.cancel() };
      await expect(writeVectorImage(path.join(dir, 'field.nii.gz'), smoothField(big), {}, job)).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('a failing writer leaves the previous file untouched and no temporary file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const target = path.join(dir, 'result.nii.gz');
      writeFileSync(target, 'previous contents');
      await expect(
        writeAtomically(target, silentJob, async (staging) => {
          writeFileSync(staging, 'half a file');
          throw new Error('disk full');
        }),
      ).rejects.toThrow('disk full');
      expect(readdirSync(dir)).toEqual(['result.nii.gz']);
      expect(readFileSync(target, 'utf8')).toBe('previous contents');
    } finally {
      cleanup();
    }
  });

  it('replaces an existing file, and moves a MetaImage header with its data file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const target = path.join(dir, 'image.mhd');
      writeFileSync(target, 'old');
      const grid: ImageGrid = { size: [3, 2], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
      await writeScalarImage(target, { grid, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
      expect(readdirSync(dir).sort()).toEqual(['image.mhd', 'image.raw']);
      const { image } = await readImageFile(target);
      expect([...image.pixels]).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      cleanup();
    }
  });
});
