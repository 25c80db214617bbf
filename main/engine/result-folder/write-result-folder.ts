// Writes the outputs a user picks as one set: into a staging folder first, then in place of
// the result folder's previous contents (result-folder-transaction.ts), so that a folder never
// mixes two runs. report.json comes last and lists what was written.

import path from 'node:path';
import type { OutputItem, RegistrationReport } from '../../../shared/contract/index';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { invertAffine } from '../../../shared/transforms/transform';
import { writeScalarImage, writeTransformFile, writeVectorImage } from '../io/index';
import type { JobContext } from '../job-context';
import { wholeJob } from '../job-context';
import type { RegistrationResult } from '../registration/result';
import { writeFile } from 'node:fs/promises';
import { beginResultFolder } from './result-folder-transaction';
import type { ResultFileName } from './result-files';
import { describeOutputs, filesFor, resultFileNames } from './result-files';

type Writer = (result: RegistrationResult, target: string, context: JobContext) => Promise<void>;

const vectorImageOf = (vectors: RegistrationResult['deformable']) => ({ grid: vectors.grid, components: vectors.grid.size.length, pixels: vectors.vectors });

/** How each file of result-files.ts is written (report.json is written last, from the report). */
const writers: Record<Exclude<ResultFileName, 'report.json'>, Writer> = {
  'warped_moving.nii.gz': (r, t, c) => writeScalarImage(t, r.warpedMoving, {}, c),
  'warped_moving_labels.nii.gz': (r, t, c) => writeScalarImage(t, r.warpedMovingLabels!, {}, c),
  'affine.txt': (r, t, c) => writeTransformFile(t, r.affine, c),
  'forward_field.nii.gz': (r, t, c) => writeVectorImage(t, vectorImageOf(r.deformable), {}, c),
  'forward_field.mha': (r, t, c) => writeVectorImage(t, vectorImageOf(r.deformable), {}, c),
  'inverse_field.nii.gz': (r, t, c) => writeVectorImage(t, vectorImageOf(r.inverseDeformable), {}, c),
  'inverse_field.mha': (r, t, c) => writeVectorImage(t, vectorImageOf(r.inverseDeformable), {}, c),
  'transform.h5': (r, t, c) => writeTransformFile(t, r.transform, c),
  'inverse_transform.h5': (r, t, c) => writeTransformFile(t, { kind: 'composite', sequence: [invertAffine(r.affine), r.inverseDeformable] }, c),
  'jacobian.nii.gz': (r, t, c) => writeScalarImage(t, r.jacobianDeterminant, {}, c),
};

/**
 * Writes the chosen items into `folder`, which must be new or empty (a staging folder);
 * returns the names written, report.json last.
 */
export async function writeResultFiles(
  result: RegistrationResult,
  items: readonly OutputItem[],
  folder: string,
  finalReport: (outputs: { file: string; description: string }[]) => RegistrationReport,
  context: JobContext,
): Promise<string[]> {
  const files = filesFor(items, result).filter((f) => f.file !== 'report.json');
  // One write at a time: overlapping them (itk-wasm's writes serialized, gzip and transform.h5
  // beside them) was 1.11× slower on a 1 mm brain (whole command, median of 3 pairs) and
  // peaked 140 MB higher; before that, unserialized, it cost a second itk-wasm heap (past 2 GB).
  const written: string[] = [];
  const whole = wholeJob(context);
  for (const [i, output] of files.entries()) {
    throwIfCancelled(context.token);
    const part = whole.part(i / files.length, (i + 1) / files.length, { stage: 'writing outputs', message: output.file });
    part.progress({ stage: 'starting', fraction: 0 });
    await writers[output.file as Exclude<ResultFileName, 'report.json'>](result, path.join(folder, output.file), part);
    written.push(output.file);
  }
  if (items.includes('report')) {
    const report = finalReport(describeOutputs(items, result));
    await writeFile(path.join(folder, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    written.push('report.json');
  }
  throwIfCancelled(context.token);
  return written;
}

/** Writes the chosen items as one set in place of `directory`'s contents; returns the paths written. */
export async function writeRegistrationOutputs(
  result: RegistrationResult,
  items: readonly OutputItem[],
  directory: string,
  finalReport: (outputs: { file: string; description: string }[]) => RegistrationReport,
  context: JobContext,
): Promise<string[]> {
  const transaction = await beginResultFolder(directory, resultFileNames);
  try {
    const written = await writeResultFiles(result, items, transaction.staging, finalReport, context);
    await transaction.commit();
    return written.map((name) => path.join(transaction.folder, name));
  } catch (error) {
    await transaction.abort();
    throw error;
  }
}
