// Which of a NIfTI file's two transforms to believe. NIfTI stores a qform (rotation, from a
// quaternion) and an sform (a general affine), each with a code saying what it means.
// ITK prefers the qform when both are set; nibabel, FSL, SPM and MRIcron prefer the sform,
// and atlases such as Harvard-Oxford only overlay their templates with the sform. So where
// the two disagree we take the sform, as long as an ITK grid can hold it (no shear), and say
// so. NIfTI's world is RAS, ITK's is LPS: the first two rows change sign.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { directionNonOrthogonality, gridCorners } from '../../../shared/geometry/grid';
import type { NiftiHeader } from './nifti-header';
import { describeXformCode } from './nifti-header';

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

/**
 * The grid to use for a 3D NIfTI image that ITK read onto `itkGrid`. Unchanged unless the
 * sform is set and disagrees with ITK's choice by more than a hundredth of a voxel.
 */
export function reconcileNiftiGeometry(fileName: string, header: NiftiHeader, itkGrid: ImageGrid): NiftiGeometryDecision {
  if (header.sformCode <= 0 || itkGrid.size.length !== 3) return { grid: itkGrid };
  const { grid: fromSform, shear } = sformGrid(header, itkGrid.size);
  if (fromSform.spacing.some((s) => !(s > 0))) return { grid: itkGrid, warning: `${fileName}: its sform is degenerate (an axis has zero length); kept ITK's geometry` };
  const tolerance = Math.max(1e-3, 0.01 * Math.min(...fromSform.spacing));
  const disagreement = cornerDisagreement(itkGrid, fromSform);
  if (disagreement <= tolerance) return { grid: itkGrid };
  const itkSource = header.qformCode > 0 ? `qform (${describeXformCode(header.qformCode)})` : 'pixdim (its qform is unset)';
  const sform = `sform (${describeXformCode(header.sformCode)})`;
  const by = `${disagreement.toFixed(disagreement < 1 ? 3 : 1)} mm`;
  if (shear > shearTolerance)
    return {
      grid: itkGrid,
      warning: `${fileName}: ITK places the image by its ${itkSource}, which disagrees with its ${sform} by up to ${by}; kept ITK's placement because the sform has shear, which an image grid cannot hold`,
    };
  return {
    grid: fromSform,
    warning: `${fileName}: ITK places the image by its ${itkSource}, which disagrees with its ${sform} by up to ${by}; using the sform, as nibabel, FSL and SPM do`,
  };
}
