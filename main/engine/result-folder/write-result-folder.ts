// Writes the outputs a user picks as one set: into a staging folder first, then in place of
// the result folder's previous contents (result-folder-transaction.ts), so that a folder never
// mixes two runs. report.json comes last and lists what was written.

import path from 'node:path';
import type { OutputItem, RegistrationReport } from '../../../shared/contract/index';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { invertAffine } from '../../../shared/transforms/transform';
import { writeScalarImage, writeTransformFile, writeVectorImage } from '../io/index';
import type { JobContext } from '../job-context';
import type { RegistrationResult } from '../registration/result';
import { writeFile } from 'node:fs/promises';
import { beginResultFolder } from './result-folder-transaction';

interface OutputFile {
  file: string;
  description: string;
  /** Whether the result has what this file holds (warped labels need moving labels). */
  present?(result: RegistrationResult): boolean;
  write(result: RegistrationResult, target: string, context: JobContext): Promise<void>;
}

const vectorImageOf = (vectors: RegistrationResult['deformable']) => ({ grid: vectors.grid, components: vectors.grid.size.length, pixels: vectors.vectors });

/** The files of each output item: one table, so that names, descriptions and writers agree. */
const outputFiles: Record<OutputItem, OutputFile[]> = {
  warpedMoving: [{ file: 'warped_moving.nii.gz', description: 'moving image resampled onto the fixed grid through T (linear)', write: (r, t, c) => writeScalarImage(t, r.warpedMoving, {}, c) }],
  warpedLabels: [
    {
      file: 'warped_moving_labels.nii.gz',
      description: 'moving labels on the fixed grid through T (nearest neighbour)',
      present: (r) => r.warpedMovingLabels !== undefined,
      write: (r, t, c) => writeScalarImage(t, r.warpedMovingLabels!, {}, c),
    },
  ],
  affine: [{ file: 'affine.txt', description: 'A, the initial alignment alone (ITK AffineTransform, fixed → moving)', write: (r, t, c) => writeTransformFile(t, r.affine, c) }],
  forwardField: ['nii.gz', 'mha'].map((ext) => ({
    file: `forward_field.${ext}`,
    description: 'u, the deformable part: displacement in mm (LPS) on the fixed grid, applied before A',
    write: (r: RegistrationResult, t: string, c: JobContext) => writeVectorImage(t, vectorImageOf(r.deformable), {}, c),
  })),
  inverseField: ['nii.gz', 'mha'].map((ext) => ({
    file: `inverse_field.${ext}`,
    description: 'v, the inverse of the deformable part, on the fixed grid: T⁻¹(y) = A⁻¹(y) + v(A⁻¹(y))',
    write: (r: RegistrationResult, t: string, c: JobContext) => writeVectorImage(t, vectorImageOf(r.inverseDeformable), {}, c),
  })),
  transform: [{ file: 'transform.h5', description: 'T as an ITK CompositeTransform (affine + displacement field)', write: (r, t, c) => writeTransformFile(t, r.transform, c) }],
  inverseTransform: [
    {
      file: 'inverse_transform.h5',
      description: 'T⁻¹ as an ITK CompositeTransform (inverse displacement field + inverse affine)',
      write: (r, t, c) => writeTransformFile(t, { kind: 'composite', sequence: [invertAffine(r.affine), r.inverseDeformable] }, c),
    },
  ],
  jacobian: [{ file: 'jacobian.nii.gz', description: 'det J of T on the fixed grid; folds where ≤ 0', write: (r, t, c) => writeScalarImage(t, r.jacobianDeterminant, {}, c) }],
  report: [{ file: 'report.json', description: 'parameters, software, backend, timings, memory and metrics', write: async () => {} }],
};

/** The files the chosen items make from this result, report.json last. */
function filesFor(items: readonly OutputItem[], result: RegistrationResult): OutputFile[] {
  const files = items.filter((item) => item !== 'report').flatMap((item) => outputFiles[item].filter((f) => f.present?.(result) ?? true));
  return items.includes('report') ? [...files, ...outputFiles.report] : files;
}

export function describeOutputs(items: readonly OutputItem[], result: RegistrationResult): { file: string; description: string }[] {
  return filesFor(items, result).map(({ file, description }) => ({ file, description }));
}

/** Every file name a result folder may hold: what a later run may replace without asking. */
export const resultFileNames: ReadonlySet<string> = new Set(Object.values(outputFiles).flatMap((files) => files.map((f) => f.file)));

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
  // One write at a time: overlapping them gained half a second on a 1 mm brain and cost
  // a second itk-wasm heap (peak memory past 2 GB).
  const written: string[] = [];
  for (const [i, output] of files.entries()) {
    throwIfCancelled(context.token);
    context.progress({ stage: 'writing outputs', fraction: i / (files.length + 1), message: output.file });
    await output.write(result, path.join(folder, output.file), context);
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
