// What XiMorph reads from real files: geometry checked against independent readers
// (nibabel, pydicom, the headers themselves), roles, labels and intensity statistics.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../../main/engine/io/index';
import { imageInfoSchema } from '../../../shared/contract/image-channels';
import { sameGrid } from '../../../shared/geometry/grid';
import type { Fixtures } from './helpers';
import { itkData, makeFixtures, maxAbsDifference, pydicomFiles, templates } from './helpers';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx.cleanup());

describe('NIfTI', () => {
  it('reads ch2 with its sform (no qform) as a 1 mm intensity volume in LPS', async () => {
    const { image, info } = await readImageFile(path.join(templates, 'ch2.nii.gz'));
    expect(info.format).toBe('NIfTI');
    expect(info.grid.size).toEqual([181, 217, 181]);
    expect(info.grid.spacing).toEqual([1, 1, 1]);
    // nibabel: affine [[1,0,0,-90],[0,1,0,-125],[0,0,1,-71]] in RAS; LPS negates x and y.
    expect(info.grid.origin).toEqual([90, 125, -71]);
    expect(info.grid.direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(info.componentType).toBe('uint8');
    expect(info.role).toBe('intensity');
    expect(info.labels).toBeUndefined();
    expect(info.nonFinite).toBe(0);
    expect(info.warnings).toEqual([]);
    expect(image.pixels).toBeInstanceOf(Uint8Array);
    expect(image.pixels.length).toBe(181 * 217 * 181);
    expect(info.range.max).toBeGreaterThan(info.percentiles.p99);
    expect(info.percentiles.p1).toBeGreaterThan(0);
    expect(info.percentiles.p1).toBeLessThan(info.percentiles.p50);
  });

  it('takes ch2bet (uint8, 127 values) as intensity and aal as labels with names and colours', async () => {
    const ch2bet = await readImageFile(path.join(templates, 'ch2bet.nii.gz'));
    expect(ch2bet.info.role).toBe('intensity');
    const aal = await readImageFile(path.join(templates, 'aal.nii.gz'));
    expect(aal.info.role).toBe('labels');
    expect(sameGrid(aal.info.grid, ch2bet.info.grid)).toBe(true);
    const labels = aal.info.labels!;
    expect(labels).toHaveLength(116);
    expect(labels[0]).toEqual({ value: 1, name: 'Precentral_L', color: [204, 204, 204] });
    expect(labels.at(-1)).toMatchObject({ value: 116, name: 'Vermis_10' });
    // Every labelled voxel has a name.
    const named = new Set(labels.map((l) => l.value));
    expect([...new Set(aal.image.pixels)].filter((v) => v !== 0 && !named.has(v))).toEqual([]);
  });

  it('names the labels of a colour-only table by value (brodmann has a .lut and no .txt)', async () => {
    const { info } = await readImageFile(path.join(templates, 'brodmann.nii.gz'));
    expect(info.role).toBe('labels');
    expect(info.labels!.length).toBeGreaterThan(30);
    expect(info.labels![0]).toEqual({ value: 1, name: '1', color: [203, 109, 108] });
  });

  it('uses the sform of Harvard-Oxford, where ITK would use the disagreeing qform, and says so', async () => {
    const { info } = await readImageFile(path.join(templates, 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz'));
    expect(info.role).toBe('labels');
    // nibabel: sform [[-1,0,0,90],[0,1,0,-126],[0,0,1,-72]] (RAS); LPS negates the first two rows.
    expect(info.grid.origin).toEqual([-90, 126, -72]);
    expect(info.grid.direction).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0]).toMatch(/^HarvardOxford-cort-maxprob-thr0-1mm\.nii\.gz: /);
    expect(info.warnings[0]).toMatch(/qform \(code 2, aligned\)/);
    expect(info.warnings[0]).toMatch(/sform \(code 2, aligned\)/);
    expect(info.warnings[0]).toMatch(/using the sform/);
  });

  it('reads both byte orders and reports NaN and infinite voxels that ITK would hide', async () => {
    const bigEndian = await readImageFile(fx.file('big-endian.nii'));
    const little = await readImageFile(fx.file('oblique-flipped.nii.gz'));
    expect(maxAbsDifference(bigEndian.image.pixels, little.image.pixels)).toBe(0);
    expect(sameGrid(bigEndian.info.grid, little.info.grid, 1e-5)).toBe(true);

    const { image, info } = await readImageFile(fx.file('with-nans.nii.gz'));
    expect(info.nonFinite).toBe(3);
    expect(info.warnings).toEqual([expect.stringMatching(/^with-nans\.nii\.gz: 3 of 210 voxels are NaN or infinite/)]);
    expect(image.pixels[0]).toBe(0);
    expect(info.range.min).toBe(0);
    expect(Number.isFinite(info.range.max)).toBe(true);
  });
});

describe('NRRD and MetaImage', () => {
  it('reads the same oblique 2D slice from .nhdr and .mhd', async () => {
    const nrrd = await readImageFile(path.join(itkData, 'BrainProtonDensitySliceBorder20DirectionPlus30.nhdr'));
    const meta = await readImageFile(path.join(itkData, 'BrainProtonDensitySliceBorder20DirectionPlus30.mhd'));
    expect(nrrd.info.format).toBe('NRRD');
    expect(meta.info.format).toBe('MetaImage');
    expect(nrrd.info.grid.size).toEqual([221, 257]);
    // space directions (0.866025,0.5) (-0.5,0.866025): column j is axis j.
    expect(maxAbsDifference(meta.info.grid.direction, [0.8660254, -0.5, 0.5, 0.8660254])).toBeLessThan(1e-7);
    expect(sameGrid(nrrd.info.grid, meta.info.grid, 1e-5)).toBe(true);
    expect(maxAbsDifference(nrrd.image.pixels, meta.image.pixels)).toBe(0);
    // The slice has a constant background of 1 and only 32 gray levels: still an intensity image.
    expect(meta.info.role).toBe('intensity');
  });

  it('reads BrainProtonDensitySliceShifted13x17y.mhd with unit geometry from its header', async () => {
    const { info } = await readImageFile(path.join(itkData, 'BrainProtonDensitySliceShifted13x17y.mhd'));
    expect(info.grid).toEqual({ size: [221, 257], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] });
    expect(info.componentType).toBe('uint8');
    expect(info.role).toBe('intensity');
  });
});

describe('DICOM files', () => {
  for (const name of ['CT_small.dcm', 'MR_small.dcm']) {
    it(`places ${name} where pydicom's ImagePositionPatient, ImageOrientationPatient and PixelSpacing say`, async () => {
      const expected = fx.report[name] as { rows: number; columns: number; pixelSpacing: number[]; position: number[]; orientation: number[] };
      const { info } = await readImageFile(path.join(pydicomFiles, name));
      expect(info.format).toBe('DICOM');
      expect(info.grid.size).toEqual([expected.columns, expected.rows, 1]);
      // PixelSpacing is (row spacing, column spacing): x steps along a row, by the column spacing.
      expect(info.grid.spacing.slice(0, 2)).toEqual([expected.pixelSpacing[1], expected.pixelSpacing[0]]);
      expect(maxAbsDifference(info.grid.origin, expected.position)).toBeLessThan(1e-5);
      const [r, c] = [expected.orientation.slice(0, 3), expected.orientation.slice(3)];
      const normal = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
      const columns = [0, 1, 2].map((j) => [0, 1, 2].map((row) => info.grid.direction[row * 3 + j]));
      expect(maxAbsDifference(columns.flat(), [...r, ...c, ...normal])).toBeLessThan(1e-6);
      expect(info.role).toBe('intensity');
    });
  }
});

describe('PNG and TIFF', () => {
  it('loads a gray PNG stored as RGB as one gray channel, with unit spacing and a warning', async () => {
    const { image, info } = await readImageFile(path.join(itkData, 'BrainProtonDensitySlice.png'));
    expect(info.format).toBe('PNG');
    expect(info.pixelType).toBe('RGB');
    expect(info.components).toBe(3);
    expect(info.componentType).toBe('uint8');
    expect(info.grid).toEqual({ size: [181, 217], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] });
    expect(image.pixels.length).toBe(181 * 217);
    expect(info.warnings).toEqual([expect.stringMatching(/^BrainProtonDensitySlice\.png: stored as RGB with equal channels/)]);
    expect(info.role).toBe('intensity');
  });

  it('reads a TIFF (written by PIL as gray-in-RGB) with x fastest', async () => {
    const { image, info } = await readImageFile(fx.file('gray-as-rgb.tiff'));
    expect(info.format).toBe('TIFF');
    expect(info.grid.size).toEqual([30, 20]);
    // PIL wrote value (30·row + column) mod 256 at (row, column).
    expect(image.pixels[1]).toBe(1);
    expect(image.pixels[30]).toBe(30);
    expect(info.grid.spacing).toEqual([1, 1]);
  });
});

describe('roles', () => {
  it('lets the caller override detection', async () => {
    const { info } = await readImageFile(path.join(templates, 'aal.nii.gz'), { role: 'intensity' });
    expect(info.role).toBe('intensity');
    // The names still come along; the role only changes how the image is shown and resampled.
    expect(info.labels).toHaveLength(116);
  });
});

describe('the contract', () => {
  it('every description validates against imageInfoSchema once the store adds an id', async () => {
    const files = [
      path.join(templates, 'aal.nii.gz'),
      path.join(templates, 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz'),
      path.join(itkData, 'BrainProtonDensitySlice.png'),
      path.join(pydicomFiles, 'CT_small.dcm'),
      fx.file('with-nans.nii.gz'),
    ];
    for (const file of files) {
      const { info } = await readImageFile(file);
      expect(() => imageInfoSchema.parse({ ...info, id: 'image-1' }), file).not.toThrow();
    }
  });
});
