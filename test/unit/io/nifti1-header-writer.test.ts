// The NIfTI-1 headers XiMorph makes itself against the ones ITK's writer makes (the one-voxel
// image of nifti-stream-writer.ts): every field the same, the floats exactly where the grid is
// axis-aligned; on oblique grids the quaternion, offsets and sform to float32's precision, since
// ITK reaches them through float arithmetic of its own (its sform comes back from a float
// quaternion: an entry that is 0 reads −1.3e-8). ITK then reads back the grid it was given.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Image } from 'itk-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itkImageFromScalarImage, itkImageFromVectorImage } from '../../../main/engine/io/itk-images';
import { nifti1HeaderFor, quaternionOf, rasRotation } from '../../../main/engine/io/nifti1-header-writer';
import { niftiHeaderFromItk } from '../../../main/engine/io/nifti-stream-writer';
import { readImageFile } from '../../../main/engine/io/index';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { PixelArray } from '../../../shared/image/voxel-image';
import { expectNiftiHeadersAgree, obliqueGrid, tempDir } from './helpers';

let out: ReturnType<typeof tempDir>;
beforeAll(() => {
  out = tempDir();
});
afterAll(() => out.cleanup());

const rotationZ = (angle: number): number[] => [Math.cos(angle), -Math.sin(angle), 0, Math.sin(angle), Math.cos(angle), 0, 0, 0, 1];
const grid3 = (direction: number[], origin = [10, -20, 30]): ImageGrid => ({ size: [5, 6, 7], spacing: [0.5, 2, 3], origin, direction });
const grid2 = (direction: number[], origin = [-3, 4]): ImageGrid => ({ size: [6, 4], spacing: [0.5, 2], origin, direction });
const c = Math.cos(0.5);
const s = Math.sin(0.5);

const grids: [string, ImageGrid][] = [
  ['3D, axis-aligned', grid3([1, 0, 0, 0, 1, 0, 0, 0, 1])],
  ['3D, at the origin', grid3([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0])],
  ['3D, flipped in x and y (RAS-aligned)', grid3([-1, 0, 0, 0, -1, 0, 0, 0, 1])],
  ['3D, improper (z flipped)', grid3([1, 0, 0, 0, 1, 0, 0, 0, -1])],
  ['3D, turned 180° about y', grid3([-1, 0, 0, 0, 1, 0, 0, 0, -1])],
  ['3D, turned 180° about x', grid3([1, 0, 0, 0, -1, 0, 0, 0, -1])],
  ['3D, sagittal (axes permuted)', grid3([0, 0, -1, 1, 0, 0, 0, -1, 0])],
  ['3D, oblique', obliqueGrid],
  ['3D, oblique and improper', { ...obliqueGrid, direction: obliqueGrid.direction.map((v, i) => (i % 3 === 2 ? -v : v)) }],
  ['3D, turned 170° about z', grid3(rotationZ((170 * Math.PI) / 180))],
  ['2D, axis-aligned', grid2([1, 0, 0, 1])],
  ['2D, turned 90°', grid2([0, -1, 1, 0])],
  ['2D, improper (y flipped)', grid2([1, 0, 0, -1])],
  ['2D, oblique', grid2([c, -s, s, c])],
];

const count = (g: ImageGrid) => g.size.reduce((a, b) => a * b, 1);
const scalarImage = (grid: ImageGrid, pixels: PixelArray = new Float32Array(count(grid))) => itkImageFromScalarImage({ grid, pixels });
const vectorImage = (grid: ImageGrid) => itkImageFromVectorImage({ grid, components: grid.size.length, pixels: new Float32Array(grid.size.length * count(grid)) });

async function itkHeader(image: Image): Promise<Uint8Array> {
  const header = await niftiHeaderFromItk(image, path.join(out.dir, 'one-voxel.nii'), 'one-voxel.nii');
  expect(header).not.toBeNull();
  return header!;
}

const axisAligned = (grid: ImageGrid) => grid.direction.every((v) => v === 0 || Math.abs(v) === 1);

describe('NIfTI-1 headers made without ITK', () => {
  for (const [what, grid] of grids) {
    it(`${what}: a scalar image's header is ITK's`, async () => {
      const image = scalarImage(grid);
      expectNiftiHeadersAgree(nifti1HeaderFor(image)!, await itkHeader(image), axisAligned(grid));
    });
    it(`${what}: a displacement field's header is ITK's`, async () => {
      const image = vectorImage(grid);
      expectNiftiHeadersAgree(nifti1HeaderFor(image)!, await itkHeader(image), axisAligned(grid));
    });
  }

  const pixelTypes: [string, PixelArray][] = [
    ['uint8', new Uint8Array(210)],
    ['int8', new Int8Array(210)],
    ['uint16', new Uint16Array(210)],
    ['int16', new Int16Array(210)],
    ['uint32', new Uint32Array(210)],
    ['int32', new Int32Array(210)],
    ['float32', new Float32Array(210)],
    ['float64', new Float64Array(210)],
  ];
  for (const [type, pixels] of pixelTypes)
    it(`a ${type} image's datatype and bits are ITK's`, async () => {
      const image = scalarImage(grids[0][1], pixels);
      expectNiftiHeadersAgree(nifti1HeaderFor(image)!, await itkHeader(image), true);
    });

  it('leaves a direction that is not orthonormal to ITK', () => {
    const sheared = grid3([1, 0.01, 0, 0, 1, 0, 0, 0, 1]);
    expect(nifti1HeaderFor(scalarImage(sheared))).toBeNull();
  });

  it('leaves a grid past NIfTI-1 sizes to ITK', () => {
    const long: ImageGrid = { size: [40000, 1], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
    expect(nifti1HeaderFor(scalarImage(long, new Uint8Array(40000)))).toBeNull();
  });

  it('gives each rotation a unit quaternion that turns back into it', () => {
    for (const [, grid] of grids) {
      const d = grid.size.length;
      const r = rasRotation(grid.direction, d);
      const { b, c: qc, d: qd, qfac } = quaternionOf(r);
      const a = Math.sqrt(Math.max(0, 1 - b * b - qc * qc - qd * qd));
      expect(Math.hypot(a, b, qc, qd)).toBeCloseTo(1, 12);
      // nifti1.h's rotation matrix of (a, b, c, d), its third column times qfac.
      const q = [
        [a * a + b * b - qc * qc - qd * qd, 2 * (b * qc - a * qd), 2 * (b * qd + a * qc)],
        [2 * (b * qc + a * qd), a * a + qc * qc - b * b - qd * qd, 2 * (qc * qd - a * b)],
        [2 * (b * qd - a * qc), 2 * (qc * qd + a * b), a * a + qd * qd - qc * qc - b * b],
      ];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(q[i][j] * (j === 2 ? qfac : 1)).toBeCloseTo(r[i * 3 + j], 12);
    }
  });

  it('writes files ITK reads back on the grid they were given', async () => {
    for (const [what, grid] of grids) {
      const image = scalarImage(grid);
      const file = path.join(out.dir, `${what.replace(/\W+/g, '-')}.nii`);
      const header = nifti1HeaderFor(image)!;
      writeFileSync(file, Buffer.concat([header, Buffer.from((image.data as Float32Array).buffer)]));
      const read = (await readImageFile(file)).image;
      expect(read.grid.size).toEqual(grid.size);
      for (const [key, tolerance] of [['spacing', 1e-6], ['origin', 1e-4], ['direction', 1e-6]] as const)
        read.grid[key].forEach((v, i) => expect(Math.abs(v - grid[key][i]), `${what}: ${key}`).toBeLessThanOrEqual(tolerance));
      expect(readFileSync(file).length).toBe(352 + 4 * count(grid));
    }
  });
});
