// What a result folder holds: each output item's files, their names and what they mean. The
// writers are in write-result-folder.ts, one per name here (the compiler checks that none is
// missing); this module stays free of image IO so that the command line can check a folder's
// contents before any work without loading itk-wasm.

import type { OutputItem } from '../../../shared/contract/index';
import type { RegistrationResult } from '../registration/result';

export const resultFileNameList = [
  'warped_moving.nii.gz',
  'warped_moving_labels.nii.gz',
  'affine.txt',
  'forward_field.nii.gz',
  'forward_field.mha',
  'inverse_field.nii.gz',
  'inverse_field.mha',
  'transform.h5',
  'inverse_transform.h5',
  'jacobian.nii.gz',
  'report.json',
] as const;
export type ResultFileName = (typeof resultFileNameList)[number];

export interface ResultFile {
  readonly file: ResultFileName;
  readonly description: string;
  /** Whether the result has what this file holds (warped labels need moving labels). */
  present?(result: RegistrationResult): boolean;
}

const forwardField = 'u, the deformable part: displacement in mm (LPS) on the fixed grid, applied before A';
const inverseField = 'v, the inverse of the deformable part, on the fixed grid: T⁻¹(y) = A⁻¹(y) + v(A⁻¹(y))';

export const resultFiles: Record<OutputItem, ResultFile[]> = {
  warpedMoving: [{ file: 'warped_moving.nii.gz', description: 'moving image resampled onto the fixed grid through T (linear)' }],
  warpedLabels: [{ file: 'warped_moving_labels.nii.gz', description: 'moving labels on the fixed grid through T (nearest neighbour)', present: (r) => r.warpedMovingLabels !== undefined }],
  affine: [{ file: 'affine.txt', description: 'A, the initial alignment alone (ITK AffineTransform, fixed → moving)' }],
  forwardField: [{ file: 'forward_field.nii.gz', description: forwardField }],
  inverseField: [{ file: 'inverse_field.nii.gz', description: inverseField }],
  fieldsMha: [
    { file: 'forward_field.mha', description: `${forwardField} (a MetaImage copy)` },
    { file: 'inverse_field.mha', description: `${inverseField} (a MetaImage copy)` },
  ],
  transform: [{ file: 'transform.h5', description: 'T as an ITK CompositeTransform (affine + displacement field)' }],
  inverseTransform: [{ file: 'inverse_transform.h5', description: 'T⁻¹ as an ITK CompositeTransform (inverse displacement field + inverse affine)' }],
  jacobian: [{ file: 'jacobian.nii.gz', description: 'det J of T on the fixed grid; folds where ≤ 0' }],
  report: [{ file: 'report.json', description: 'parameters, software, backend, timings, memory and metrics' }],
};

/** The files the chosen items make from this result, report.json last. */
export function filesFor(items: readonly OutputItem[], result: RegistrationResult): ResultFile[] {
  const files = items.filter((item) => item !== 'report').flatMap((item) => resultFiles[item].filter((f) => f.present?.(result) ?? true));
  return items.includes('report') ? [...files, ...resultFiles.report] : files;
}

export function describeOutputs(items: readonly OutputItem[], result: RegistrationResult): { file: string; description: string }[] {
  return filesFor(items, result).map(({ file, description }) => ({ file, description }));
}

/** Every file name a result folder may hold: what a later run may replace without asking. */
export const resultFileNames: ReadonlySet<string> = new Set(resultFileNameList);
