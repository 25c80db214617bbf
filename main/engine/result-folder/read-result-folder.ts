// A result folder read back into a registration: report.json for the parameters, metrics
// and provenance, and the files it lists for the transforms and images. The inverse of
// write-result-folder.ts, so that a saved workspace reopens its results and can export them again.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistrationReport } from '../../../shared/contract/index';
import { registrationReportSchema } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import { describeIssues } from '../../../shared/rpc/zod-issues';
import type { AffineTransform, DisplacementFieldTransform } from '../../../shared/transforms/transform';
import { composeTransforms, invertAffine } from '../../../shared/transforms/transform';
import { toFloat32 } from '../../../shared/image/voxel-image';
import { readImageFile, readVectorImageFile } from '../io/index';
import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import type { RegistrationResult } from '../registration/result';
import { transformJacobianDeterminant } from '../resample/transform-jacobian';
import type { Provenance } from './registration-report';

export interface ReadRegistration {
  readonly result: RegistrationResult;
  readonly report: RegistrationReport;
  readonly provenance: Omit<Provenance, 'command'>;
}

async function field(directory: string, name: string): Promise<DisplacementFieldTransform> {
  const { field } = await readVectorImageFile(path.join(directory, name));
  return { kind: 'displacement', grid: field.grid, vectors: field.pixels };
}

export async function readRegistrationFolder(directory: string, context: JobContext = silentJob): Promise<ReadRegistration> {
  const reportPath = path.join(directory, 'report.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(reportPath, 'utf8'));
  } catch (error) {
    throw new EngineError('NOT_FOUND', `${directory}: no readable report.json, so this is not an exported XiMorph result (${(error as Error).message})`, { file: reportPath });
  }
  const parsed = registrationReportSchema.safeParse(raw);
  if (!parsed.success) throw new EngineError('BAD_INPUT', `${reportPath}: not a XiMorph report (${describeIssues(parsed.error)})`, { file: reportPath });
  const report = parsed.data;
  const listed = new Set(report.outputs.map((o) => o.file));
  // Each field as .nii.gz or as its .mha copy (the MetaImage reads faster: no gzip).
  const fieldFile = (name: string) => [`${name}.mha`, `${name}.nii.gz`].find((file) => listed.has(file));
  const [forwardFile, inverseFile] = [fieldFile('forward_field'), fieldFile('inverse_field')];
  for (const [needed, file] of [['warped_moving.nii.gz', listed.has('warped_moving.nii.gz')], ['forward_field', forwardFile], ['inverse_field', inverseFile]] as const)
    if (!file) throw new EngineError('BAD_INPUT', `${directory}: the export lacks ${needed}; export the warped image and both fields to reopen a result`, { file: directory });

  const affine: AffineTransform = { kind: 'affine', matrix: report.affine };
  const deformable = await field(directory, forwardFile!);
  const inverseDeformable = await field(directory, inverseFile!);
  const transform = composeTransforms(deformable, affine);
  const warped = await readImageFile(path.join(directory, 'warped_moving.nii.gz'), { role: 'intensity' });
  const labels = listed.has('warped_moving_labels.nii.gz') ? await readImageFile(path.join(directory, 'warped_moving_labels.nii.gz'), { role: 'labels' }) : undefined;
  // Not exported by default: then computed again from T, on the fixed grid (the warped image's).
  const jacobianDeterminant = listed.has('jacobian.nii.gz')
    ? await readImageFile(path.join(directory, 'jacobian.nii.gz'), { role: 'intensity' }).then(({ image }) => ({ grid: image.grid, pixels: toFloat32(image.pixels) }))
    : transformJacobianDeterminant(transform, warped.image.grid, context);
  const perLabel = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [Number(k), v]));
  const m = report.metrics;
  const result: RegistrationResult = {
    parameters: report.parameters,
    backend: { name: report.backend.name as RegistrationResult['backend']['name'], tfjsBackend: '', detail: report.backend.detail, fallbacks: report.backend.fallbacks as RegistrationResult['backend']['fallbacks'] },
    kernelThreads: report.kernelThreads,
    featurizer: report.featurizer,
    workingGrid: report.workingGrid,
    affine,
    deformable,
    inverseDeformable,
    transform,
    inverseTransform: composeTransforms(invertAffine(affine), inverseDeformable),
    warpedMoving: { grid: warped.image.grid, pixels: warped.image.pixels instanceof Float64Array ? warped.image.pixels : toFloat32(warped.image.pixels) },
    warpedMovingLabels: labels?.image,
    jacobianDeterminant,
    metrics: {
      ...m,
      diceBefore: m.diceBefore && { mean: m.diceBefore.mean, perLabel: perLabel(m.diceBefore.perLabel) },
      diceAfter: m.diceAfter && { mean: m.diceAfter.mean, perLabel: perLabel(m.diceAfter.perLabel) },
    },
    timings: Object.fromEntries(report.stages.map((s) => [s.name, s.seconds])),
    memory: Object.fromEntries(report.stages.map((s) => [s.name, { peakRssMiB: s.peakRssMb ?? 0, peakTensorMiB: 0 }])),
  };
  return { result, report, provenance: { inputs: report.inputs } };
}
