// Which of a NIfTI file's two transforms to believe. NIfTI stores a qform (rotation, from a
// quaternion) and an sform (a general affine), each with a code saying what it means.
// ITK prefers the qform when both are set; nibabel, FSL, SPM and MRIcron prefer the sform,
// and atlases such as Harvard-Oxford only overlay their templates with the sform. So where
// the two disagree we take the sform, as long as an ITK grid can hold it (no shear), and say
// so. NIfTI's world is RAS, ITK's is LPS: the first two rows change sign.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { directionNonOrthogonality, gridCorners } from '../../../shared/geometry/grid';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import type { NiftiHeader } from './nifti-header';
import { describeXformCode } from './nifti-header';
import { placementProblems, sformProblem } from './nifti-placement';

/** The 3D grid (LPS) the sform describes, and how far its axes are from orthogonal. */
export function sformGrid(header: NiftiHeader, size: readonly number[]): { grid: ImageGrid; shear: number } {
  const lpsSign = [-1, -1, 1];
  const spacing: number[] = [];
  const direction = new Array<number>(9).fill(0);
  for (let c = 0; c < 3; c++) {
    // (+ 0 turns the -0 of a sign flip into 0, for output people read.)
    const column = [0, 1, 2].map((r) => lpsSign[r] * header.sform[r][c] + 0);
    const length = Math.hypot(...column);
    spacing.push(length);
    for (let r = 0; r < 3; r++) direction[r * 3 + c] = length > 0 ? column[r] / length : r === c ? 1 : 0;
  }
  const origin = [0, 1, 2].map((r) => lpsSign[r] * header.sform[r][3] + 0);
  return { grid: { size: size.slice(0, 3), spacing, origin, direction }, shear: directionNonOrthogonality(direction) };
}

/** Largest distance (mm) between where two grids put the same corner voxel. */
function cornerDisagreement(a: ImageGrid, b: ImageGrid): number {
  const ca = gridCorners(a);
  const cb = gridCorners(b);
  return Math.max(...ca.map((p, i) => Math.hypot(...p.map((x, k) => x - cb[i][k]))));
}

const shearTolerance = 1e-4;

export interface NiftiGeometryDecision {
  readonly grid: ImageGrid;
  readonly warning?: string;
}

/** ITK's nifticlib takes a voxel size of 0 to mean 1 mm; the user should know. */
function unsetVoxelSizeWarning(ref: FileRef, header: NiftiHeader): string | undefined {
  if (header.sformCode > 0 && !sformProblem(header)) return undefined;
  const sizes = header.pixdim.slice(1, 1 + Math.min(3, header.dims.length));
  if (!sizes.some((s) => s === 0)) return undefined;
  return `${ref.name}: its voxel size is unset along some axes (pixdim ${sizes.join(', ')}); ITK, as nifticlib does, takes 1 mm there`;
}

/**
 * The grid to use for a NIfTI image that ITK read onto `itkGrid`, following the policy of
 * nifti-placement.ts (the header has been through checkNiftiPlacement). Unchanged unless the
 * sform is set and disagrees with ITK's choice by more than a hundredth of a voxel, or one
 * transform is broken; each change comes with a warning.
 */
export function reconcileNiftiGeometry(ref: FileRef, header: NiftiHeader, itkGrid: ImageGrid): NiftiGeometryDecision {
  const { sform: sformBroken, qform: qformBroken } = placementProblems(header);
  const sform = `sform (${describeXformCode(header.sformCode)})`;
  const qform = `qform (${describeXformCode(header.qformCode)})`;
  if (sformBroken) return { grid: itkGrid, warning: `${ref.name}: its ${sform} ${sformBroken}; placed by its ${qform} instead` };
  const unsetSize = unsetVoxelSizeWarning(ref, header);
  if (header.sformCode <= 0 || itkGrid.size.length !== 3) return { grid: itkGrid, warning: unsetSize };
  const { grid: fromSform, shear } = sformGrid(header, itkGrid.size);
  if (qformBroken) {
    if (shear > shearTolerance)
      throw fileProblem(ref, `its ${qform} ${qformBroken}, and its ${sform} has shear, which an image grid cannot hold; its position in space is unknown`);
    return { grid: fromSform, warning: `${ref.name}: its ${qform} ${qformBroken}; placed by its ${sform}, as nibabel, FSL and SPM do` };
  }
  const tolerance = Math.max(1e-3, 0.01 * Math.min(...fromSform.spacing));
  const disagreement = cornerDisagreement(itkGrid, fromSform);
  if (disagreement <= tolerance) return { grid: itkGrid };
  const itkSource = header.qformCode > 0 ? qform : 'pixdim (its qform is unset)';
  const by = `${disagreement.toFixed(disagreement < 1 ? 3 : 1)} mm`;
  if (shear > shearTolerance)
    return {
      grid: itkGrid,
      warning: `${ref.name}: ITK places the image by its ${itkSource}, which disagrees with its ${sform} by up to ${by}; kept ITK's placement because the sform has shear, which an image grid cannot hold`,
    };
  return {
    grid: fromSform,
    warning: `${ref.name}: ITK places the image by its ${itkSource}, which disagrees with its ${sform} by up to ${by}; using the sform, as nibabel, FSL and SPM do`,
  };
}
