// Writes the outputs a user picks, each atomically (a file appears whole or not at all).
// report.json comes last, listing what was written, so its presence means the set is whole.

import path from 'node:path';
import type { OutputItem, RegistrationReport } from '../../../shared/contract/index';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { invertAffine } from '../../../shared/transforms/transform';
import { writeScalarImage, writeTransformFile, writeVectorImage } from '../io/index';
import { writeAtomically } from '../io/atomic-write';
import type { JobContext } from '../job-context';
import type { RegistrationResult } from '../registration/result';
import { mkdir, writeFile } from 'node:fs/promises';

interface OutputFile {
  file: string;
  description: string;
  write(target: string, context: JobContext): Promise<void>;
}

function filesOf(item: OutputItem, result: RegistrationResult): OutputFile[] {
  const field = (vectors: RegistrationResult['deformable']) => ({ grid: vectors.grid, components: vectors.grid.size.length, pixels: vectors.vectors });
  switch (item) {
    case 'warpedMoving':
      return [{ file: 'warped_moving.nii.gz', description: 'moving image resampled onto the fixed grid through T (linear)', write: (t, c) => writeScalarImage(t, result.warpedMoving, {}, c) }];
    case 'warpedLabels':
      return result.warpedMovingLabels
        ? [{ file: 'warped_moving_labels.nii.gz', description: 'moving labels on the fixed grid through T (nearest neighbour)', write: (t, c) => writeScalarImage(t, result.warpedMovingLabels!, {}, c) }]
        : [];
    case 'affine':
      return [{ file: 'affine.txt', description: 'A, the initial alignment alone (ITK AffineTransform, fixed → moving)', write: (t, c) => writeTransformFile(t, result.affine, c) }];
    case 'forwardField':
      return ['nii.gz', 'mha'].map((ext) => ({
        file: `forward_field.${ext}`,
        description: 'u, the deformable part: displacement in mm (LPS) on the fixed grid, applied before A',
        write: (t: string, c: JobContext) => writeVectorImage(t, field(result.deformable), {}, c),
      }));
    case 'inverseField':
      return ['nii.gz', 'mha'].map((ext) => ({
        file: `inverse_field.${ext}`,
        description: 'v, the inverse of the deformable part, on the fixed grid: T⁻¹(y) = A⁻¹(y) + v(A⁻¹(y))',
        write: (t: string, c: JobContext) => writeVectorImage(t, field(result.inverseDeformable), {}, c),
      }));
    case 'transform':
      return [{ file: 'transform.h5', description: 'T as an ITK CompositeTransform (affine + displacement field)', write: (t, c) => writeTransformFile(t, result.transform, c) }];
    case 'inverseTransform':
      return [
        {
          file: 'inverse_transform.h5',
          description: 'T⁻¹ as an ITK CompositeTransform (inverse displacement field + inverse affine)',
          write: (t, c) => writeTransformFile(t, { kind: 'composite', sequence: [invertAffine(result.affine), result.inverseDeformable] }, c),
        },
      ];
    case 'jacobian':
      return [{ file: 'jacobian.nii.gz', description: 'det J of T on the fixed grid; folds where ≤ 0', write: (t, c) => writeScalarImage(t, result.jacobianDeterminant, {}, c) }];
    case 'report':
      return [];
  }
}

export function describeOutputs(items: readonly OutputItem[], result: RegistrationResult): { file: string; description: string }[] {
  const listed = items.flatMap((item) => filesOf(item, result)).map(({ file, description }) => ({ file, description }));
  if (items.includes('report')) listed.push({ file: 'report.json', description: 'parameters, software, backend, timings, memory and metrics' });
  return listed;
}

/** Writes the chosen items into `directory`; returns the paths written, report.json last. */
export async function writeRegistrationOutputs(
  result: RegistrationResult,
  items: readonly OutputItem[],
  directory: string,
  finalReport: (outputs: { file: string; description: string }[]) => RegistrationReport,
  context: JobContext,
): Promise<string[]> {
  const files = items.flatMap((item) => filesOf(item, result));
  // A result folder is the user's to name: make it if it is new.
  await mkdir(directory, { recursive: true });
  // One write at a time: overlapping them gained half a second on a 1 mm brain and cost
  // a second itk-wasm heap (peak memory past 2 GB).
  const written: string[] = [];
  for (const [i, output] of files.entries()) {
    throwIfCancelled(context.token);
    context.progress({ stage: 'writing outputs', fraction: i / (files.length + 1), message: output.file });
    const target = path.join(directory, output.file);
    await output.write(target, context);
    written.push(target);
  }
  if (items.includes('report')) {
    const report = finalReport(describeOutputs(items, result));
    const target = path.join(directory, 'report.json');
    await writeAtomically(target, context, (staging) => writeFile(staging, JSON.stringify(report, null, 2) + '\n'));
    written.push(target);
  }
  return written;
}
