// Which of a NIfTI header's ways of placing the image in the world can be trusted. A header
// holds an sform (a general affine), a qform (a rotation from a quaternion, an offset, and
// the voxel sizes in pixdim) and, when neither is set, pixdim alone. A transform whose numbers
// are NaN or infinite, or that squashes an axis to nothing, places nothing; nifticlib
// quietly swaps a NaN voxel size for 1 mm and ITK then produces a NaN origin or fails with a
// dump of its SVD. What NIfTI users expect, following nibabel, FSL and SPM, which place an
// image by its sform first:
//   - a usable sform places the image; a broken qform beside it is only a warning;
//   - a broken sform with a usable qform: the qform places it, with a warning;
//   - otherwise the file is refused, naming what is broken: with no usable transform its
//     position in space is unknown, and registration results would be meaningless.

import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import { listNumbers as listed, maxCoordinateMm, maxSpacingMm, nonFiniteWord } from './grid-validity';
import type { NiftiHeader } from './nifti-header';
import { describeXformCode } from './nifti-header';

function spatialAxes(header: NiftiHeader): number {
  return Math.min(3, header.dims.length);
}

/** Why pixdim cannot give the voxel sizes (it does for the qform, and alone). */
export function pixdimProblem(header: NiftiHeader): string | undefined {
  const sizes = header.pixdim.slice(1, 1 + spatialAxes(header));
  const word = nonFiniteWord(sizes);
  if (word) return `its voxel size (pixdim ${listed(sizes)}) holds ${word}`;
  if (sizes.some((s) => Math.abs(s) > maxSpacingMm)) return `its voxel size (pixdim ${listed(sizes)}) is implausibly large`;
  return undefined;
}

export function qformProblem(header: NiftiHeader): string | undefined {
  const word = nonFiniteWord([...header.quatern, ...header.qoffset]);
  if (word) return `holds ${word} (quaternion ${listed(header.quatern)}, offset ${listed(header.qoffset)})`;
  if (header.qoffset.some((v) => Math.abs(v) > maxCoordinateMm)) return `puts the image implausibly far away (offset ${listed(header.qoffset)} mm)`;
  const pixdim = pixdimProblem(header);
  return pixdim ? `is unusable: ${pixdim}` : undefined;
}

export function sformProblem(header: NiftiHeader): string | undefined {
  const numbers = header.sform.flat();
  const word = nonFiniteWord(numbers);
  if (word) return `holds ${word}`;
  const axes = spatialAxes(header);
  for (let c = 0; c < axes; c++) {
    const length = Math.hypot(...header.sform.map((row) => row[c]));
    if (length === 0) return `is degenerate (axis ${c + 1} has zero length)`;
    if (length > maxSpacingMm) return `is implausible (axis ${c + 1} is ${length.toExponential(1)} mm long)`;
  }
  if (header.sform.some((row) => Math.abs(row[3]) > maxCoordinateMm)) return 'puts the image implausibly far away';
  return undefined;
}

/** The problems of the transforms the header sets (an unset one has none). */
export function placementProblems(header: NiftiHeader): { sform?: string; qform?: string } {
  return {
    sform: header.sformCode > 0 ? sformProblem(header) : undefined,
    qform: header.qformCode > 0 ? qformProblem(header) : undefined,
  };
}

/** Refuses a header in which nothing usable places the image (see the policy above). */
export function checkNiftiPlacement(ref: FileRef, header: NiftiHeader): void {
  const { sform, qform } = placementProblems(header);
  const sformSet = header.sformCode > 0;
  const qformSet = header.qformCode > 0;
  if ((sformSet && !sform) || (qformSet && !qform)) return;
  if (!sformSet && !qformSet) {
    const pixdim = pixdimProblem(header);
    if (pixdim) throw fileProblem(ref, `${pixdim}, and it sets neither a qform nor an sform; its position in space is unknown`);
    return;
  }
  const parts = [
    sformSet && `its sform (${describeXformCode(header.sformCode)}) ${sform}`,
    qformSet && `its qform (${describeXformCode(header.qformCode)}) ${qform}`,
  ].filter(Boolean);
  const missing = !sformSet ? ' and it has no sform' : !qformSet ? ' and it has no qform' : '';
  throw fileProblem(ref, `${parts.join(' and ')}${missing}; its position in space is unknown`);
}
