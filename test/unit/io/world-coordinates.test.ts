// Physical space is law: for sample voxels, the LPS world position of our grid must equal
// what an independent reader computes from the file (nibabel's affine for NIfTI, the
// header's own fields for NRRD and MetaImage), including oblique, anisotropic and
// axis-flipping geometry.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../../main/engine/io/index';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, worldToIndex } from '../../../shared/geometry/grid';
import type { Fixtures } from './helpers';
import { itkData, makeFixtures, maxAbsDifference, nibabelWorldLps, templates } from './helpers';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx.cleanup());

/** Corners, the centre and a few off-axis voxels. */
function sampleIndices(size: readonly number[]): number[][] {
  const d = size.length;
  const samples: number[][] = [];
  for (let bits = 0; bits < 1 << d; bits++) samples.push(size.map((n, a) => ((bits >> a) & 1 ? n - 1 : 0)));
  samples.push(size.map((n) => (n - 1) / 2));
  samples.push(size.map((n, a) => Math.min(n - 1, 1 + 2 * a)));
  samples.push(size.map((n, a) => (n - 1) * (a % 2 === 0 ? 0.25 : 0.8)));
  return samples;
}

function expectRoundTrip(grid: ImageGrid): void {
  for (const index of sampleIndices(grid.size)) expect(maxAbsDifference(worldToIndex(grid, indexToWorld(grid, index)), index)).toBeLessThan(1e-9);
}

describe('NIfTI against nibabel', () => {
  const cases: [string, () => string][] = [
    ['ch2.nii.gz', () => path.join(templates, 'ch2.nii.gz')],
    ['HarvardOxford-cort-maxprob-thr0-1mm.nii.gz', () => path.join(templates, 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz')],
    ['oblique-flipped.nii.gz', () => fx.file('oblique-flipped.nii.gz')],
    ['qform-sform-conflict.nii.gz', () => fx.file('qform-sform-conflict.nii.gz')],
    ['big-endian.nii', () => fx.file('big-endian.nii')],
  ];
  for (const [name, file] of cases) {
    it(`${name}: every sampled voxel lands where nibabel's affine puts it`, async () => {
      const affine = fx.report[name] as number[][];
      const { info } = await readImageFile(file());
      for (const index of sampleIndices(info.grid.size)) {
        const ours = indexToWorld(info.grid, index);
        expect(maxAbsDifference(ours, nibabelWorldLps(affine, index)), `voxel ${index}`).toBeLessThan(1e-4);
      }
      expectRoundTrip(info.grid);
    });
  }

  it('keeps the handedness of an axis-flipping sform', async () => {
    const { info } = await readImageFile(fx.file('oblique-flipped.nii.gz'));
    const d = info.grid.direction;
    const det = d[0] * (d[4] * d[8] - d[5] * d[7]) - d[1] * (d[3] * d[8] - d[5] * d[6]) + d[2] * (d[3] * d[7] - d[4] * d[6]);
    // The sform has one negative scale (det < 0 in RAS); LPS flips two axes, which keeps the sign.
    expect(det).toBeLessThan(-0.999);
    expect(maxAbsDifference(info.grid.spacing, [1.5, 2, 3])).toBeLessThan(1e-6);
  });
});

describe('NRRD and MetaImage against their headers', () => {
  it('the .nhdr: origin + Σ index_j · space direction_j', async () => {
    const file = path.join(itkData, 'BrainProtonDensitySliceBorder20DirectionPlus30.nhdr');
    const header = readFileSync(file, 'latin1');
    const vectors = [...header.match(/^space directions:(.*)$/m)![1].matchAll(/\(([^)]*)\)/g)].map((m) => m[1].split(',').map(Number));
    const origin = header.match(/^space origin:\s*\(([^)]*)\)/m)![1].split(',').map(Number);
    const { info } = await readImageFile(file);
    for (const index of sampleIndices(info.grid.size)) {
      const expected = origin.map((o, r) => o + index.reduce((s, i, j) => s + i * vectors[j][r], 0));
      expect(maxAbsDifference(indexToWorld(info.grid, index), expected), `voxel ${index}`).toBeLessThan(1e-4);
    }
    expectRoundTrip(info.grid);
  });

  it('the .mhd: Offset + Σ index_j · ElementSpacing_j · TransformMatrix row j', async () => {
    const file = path.join(itkData, 'BrainProtonDensitySliceBorder20DirectionPlus30.mhd');
    const header = readFileSync(file, 'latin1');
    const field = (key: string) => header.match(new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm'))![1].trim().split(/\s+/).map(Number);
    const [matrix, offset, spacing] = [field('TransformMatrix'), field('Offset'), field('ElementSpacing')];
    const { info } = await readImageFile(file);
    for (const index of sampleIndices(info.grid.size)) {
      // MetaImage lists each axis' direction in turn: axis j is matrix[j*2 .. j*2+1].
      const expected = offset.map((o, r) => o + index.reduce((s, i, j) => s + i * spacing[j] * matrix[j * 2 + r], 0));
      expect(maxAbsDifference(indexToWorld(info.grid, index), expected), `voxel ${index}`).toBeLessThan(1e-6);
    }
    expectRoundTrip(info.grid);
  });
});
