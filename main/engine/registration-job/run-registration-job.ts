// One registration as a job, the same for the CLI and the workstation: check the inputs as
// loaded (what the loader had to hide, like NaNs shown as 0, must stop a registration),
// register, and describe where everything came from.

import type { ImageInfo, RegistrationOverrides } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { JobContext } from '../job-context';
import { detectImageRole } from '../io/image-role';
import { registerImages } from '../registration/register-images';
import type { RegistrationResult } from '../registration/result';
import type { Provenance } from '../result-folder/registration-report';

export interface JobImage {
  readonly info: Omit<ImageInfo, 'id'>;
  readonly image: ScalarImage;
}

export interface RegistrationJobInputs {
  readonly fixed: JobImage;
  readonly moving: JobImage;
  readonly fixedLabels?: JobImage;
  readonly movingLabels?: JobImage;
  readonly fixedMask?: JobImage;
  readonly movingMask?: JobImage;
}

const roleNames: Record<keyof RegistrationJobInputs, string> = {
  fixed: 'fixed image',
  moving: 'moving image',
  fixedLabels: 'fixed labels',
  movingLabels: 'moving labels',
  fixedMask: 'fixed mask',
  movingMask: 'moving mask',
};

function checkLoaded(inputs: RegistrationJobInputs): void {
  for (const [role, input] of Object.entries(inputs) as [keyof RegistrationJobInputs, JobImage | undefined][]) {
    if (!input) continue;
    if (input.info.nonFinite > 0)
      throw new EngineError(
        'BAD_INPUT',
        `${input.info.name} (${roleNames[role]}): ${input.info.nonFinite} voxel${input.info.nonFinite === 1 ? ' is' : 's are'} NaN or infinite; XiMorph does not guess values for them — replace or mask them first`,
        { file: input.info.source },
      );
  }
}

/**
 * Whole numbers can still be an intensity image (an 8-bit scan given as labels): its Dice would
 * treat each grey level as a region. Said, not refused, since some label maps look like this.
 */
function labelWarnings(role: keyof RegistrationJobInputs, input: JobImage): string[] {
  if (role !== 'fixedLabels' && role !== 'movingLabels') return [];
  const detected = detectImageRole(input.image.pixels, input.image.grid.size[0], { hasLabelNames: false, declaredLabels: false });
  return detected === 'intensity'
    ? [`${input.info.name} (${roleNames[role]}): looks like an intensity image, not a label map (it is not piecewise constant); Dice counts each of its values as a region`]
    : [];
}

export interface RegistrationJobResult {
  readonly result: RegistrationResult;
  readonly seconds: number;
  readonly provenance: Omit<Provenance, 'command'>;
}

/**
 * The engine names an input by its role ("moving image: is constant …"), as it sees images, not
 * files; the user knows the file: "zeros.nii.gz (the moving image): is constant …", with the
 * file as the error's. (The workstation said "moving image: is 2D but …" of a pair it let through.)
 */
function namingTheFile(error: unknown, inputs: RegistrationJobInputs): unknown {
  if (!(error instanceof EngineError) || !error.file || !error.message.startsWith(`${error.file}: `)) return error;
  const role = (Object.keys(roleNames) as (keyof RegistrationJobInputs)[]).find((r) => roleNames[r] === error.file);
  const input = role && inputs[role];
  if (!input) return error;
  const reason = error.message.slice(error.file.length + 2);
  return new EngineError(error.code, `${input.info.name} (the ${error.file}): ${reason}`, { file: input.info.source, details: error.details, cause: error });
}

export async function runRegistrationJob(inputs: RegistrationJobInputs, overrides: RegistrationOverrides, context: JobContext): Promise<RegistrationJobResult> {
  checkLoaded(inputs);
  const start = performance.now();
  const registering = registerImages(
    {
      fixed: inputs.fixed.image,
      moving: inputs.moving.image,
      fixedLabels: inputs.fixedLabels?.image,
      movingLabels: inputs.movingLabels?.image,
      fixedMask: inputs.fixedMask?.image,
      movingMask: inputs.movingMask?.image,
    },
    overrides,
    context,
  );
  const result = await registering.catch((error: unknown) => {
    throw namingTheFile(error, inputs);
  });
  const provenance = {
    inputs: Object.fromEntries(
      Object.entries(inputs)
        .filter(([, v]) => v)
        .map(([role, v]) => {
          const { info, image } = v as JobImage;
          const warnings = [...info.warnings, ...labelWarnings(role as keyof RegistrationJobInputs, v as JobImage)];
          return [role, { source: info.source, grid: image.grid, ...(warnings.length > 0 ? { warnings } : {}) }];
        }),
    ),
  };
  return { result, seconds: (performance.now() - start) / 1000, provenance };
}
