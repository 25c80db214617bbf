// DICOM folders and series, and the image sources on disk: paths, folders, chosen series.
// Uploads have their own tests (upload-staging.test.ts).

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDicomSeries, loadImageSource, readDicomSeries } from '../../../main/engine/io/index';
import type { JobContext } from '../../../main/engine/job-context';
import { silentJob } from '../../../main/engine/job-context';
import type { Progress } from '../../../shared/contract/common-schemas';
import type { DicomSeries } from '../../../shared/contract/image-channels';
import { indexToWorld } from '../../../shared/geometry/grid';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import type { Fixtures } from './helpers';
import { expectEngineError, makeFixtures, maxAbsDifference, pydicomFiles, templates } from './helpers';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx.cleanup());

function recordingJob(): JobContext & { updates: Progress[] } {
  const updates: Progress[] = [];
  return { token: new CancellationTokenSource().token, progress: (p) => updates.push(p), updates };
}

describe('listing DICOM series', () => {
  it('groups pydicom’s DICOMDIR test tree by series, skipping DICOMDIRs and text files', async () => {
    const series = await listDicomSeries(path.join(pydicomFiles, 'dicomdirtests'));
    expect(series).toHaveLength(13);
    const brain = series.find((s) => s.description === 'Routine Brain')!;
    expect(brain).toMatchObject({ modality: 'CT', files: 4, size: [16, 16, 4] });
    expect(series.reduce((n, s) => n + s.files, 0)).toBe(31);
  });

  it('lists the two series of a folder, with their descriptions', async () => {
    const series = await listDicomSeries(fx.file('dicom-two'));
    expect(series.map((s) => [s.description, s.modality, s.files, s.size])).toEqual([
      ['axial A', 'MR', 4, [10, 12, 4]],
      ['axial B', 'MR', 3, [10, 12, 3]],
    ]);
  });

  it('reports progress and stops when cancelled', async () => {
    const job = recordingJob();
    await listDicomSeries(path.join(pydicomFiles, 'dicomdirtests'), job);
    expect(job.updates.at(-1)).toMatchObject({ stage: 'scanning DICOM files', fraction: 1 });
    const source = new CancellationTokenSource();
    source.cancel();
    await expect(listDicomSeries(fx.file('dicom-two'), { token: source.token, progress: () => {} })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('reading a DICOM series', () => {
  it('stacks an oblique series in the right order and places it where the slice headers say', async () => {
    const truth = fx.report.series.oblique;
    const { image, info } = await readDicomSeries(fx.file('dicom-one'), truth.seriesUid);
    expect(info.format).toBe('DICOM series');
    expect(info.grid.size).toEqual([10, 12, 6]);
    expect(maxAbsDifference(info.grid.spacing, [1.2, 0.8, 2.5])).toBeLessThan(1e-4);
    const [row, col] = [truth.orientation.slice(0, 3), truth.orientation.slice(3)];
    for (const [i, j, k] of [
      [0, 0, 0],
      [9, 0, 0],
      [0, 11, 0],
      [3, 7, 5],
    ]) {
      // Voxel (i, j) of slice k: ImagePositionPatient_k + i·Δcolumn·row + j·Δrow·column.
      const expected = [0, 1, 2].map((r) => truth.firstPosition[r] + k * 2.5 * truth.normal[r] + i * 1.2 * row[r] + j * 0.8 * col[r]);
      expect(maxAbsDifference(indexToWorld(info.grid, [i, j, k]), expected), `voxel ${[i, j, k]}`).toBeLessThan(1e-3);
      // The slices were written shuffled; slice k holds 120·… + 1000·k.
      expect(image.pixels[i + 10 * j + 120 * k]).toBe(i + 10 * j + 1000 * k);
    }
  });

  it('loads a folder holding one series, and asks which one when there are several', async () => {
    const one = await loadImageSource({ kind: 'path', path: fx.file('dicom-one') }, {}, silentJob);
    expect(one.info.grid.size).toEqual([10, 12, 6]);
    const error = await expectEngineError(
      loadImageSource({ kind: 'path', path: fx.file('dicom-two') }, {}, silentJob),
      'NEEDS_CHOICE',
      'dicom-two',
      /holds 2 DICOM series; pick one/,
    );
    const choices = (error.details as { series: DicomSeries[] }).series;
    expect(choices.map((s) => s.description)).toEqual(['axial A', 'axial B']);
    const chosen = await loadImageSource({ kind: 'dicomSeries', folder: fx.file('dicom-two'), seriesUid: choices[1].seriesUid }, {}, silentJob);
    expect(chosen.info.grid.size).toEqual([10, 12, 3]);
    expect(chosen.info.grid.spacing[2]).toBeCloseTo(2, 4);
  });

  it('names the folder when the series is not there', async () => {
    await expectEngineError(readDicomSeries(fx.file('dicom-two'), '1.2.3.4'), 'NOT_FOUND', 'dicom-two', /no DICOM series with UID 1\.2\.3\.4/);
  });
});

describe('paths', () => {
  it('reports staged progress while reading a file', async () => {
    const job = recordingJob();
    await loadImageSource({ kind: 'path', path: path.join(templates, 'ch2bet.nii.gz') }, {}, job);
    const stages = job.updates.map((u) => u.stage);
    expect(stages).toEqual(expect.arrayContaining(['checking', 'reading pixels', 'analysing']));
    // NIfTI's header is checked by our own parser; ITK's header pass would inflate the file twice.
    expect(stages).not.toContain('reading header');
    expect(job.updates.at(-1)!.fraction).toBe(1);
    const fractions = job.updates.map((u) => u.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('reports one growing fraction across scanning a DICOM folder and reading its series', async () => {
    const job = recordingJob();
    const { image } = await loadImageSource({ kind: 'path', path: fx.file('dicom-one') }, {}, job);
    const fractions = job.updates.map((u) => u.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(new Set(job.updates.map((u) => u.stage))).toEqual(new Set(['scanning DICOM files', 'reading', 'analysing']));
    // Pixels live in memory of their own (not itk-wasm's SharedArrayBuffer), so they can be transferred.
    expect(image.pixels.buffer).toBeInstanceOf(ArrayBuffer);
  });
});
