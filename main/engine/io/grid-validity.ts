// An image's geometry must be numbers a world can hold: finite, positive voxel sizes, a
// finite origin, and a direction matrix whose axes span the space. Files of every format can
// say otherwise (a MetaImage with "ElementSpacing = 1 0 1", a NRRD whose space directions
// hold NaN), and ITK passes such numbers through; refused here, they never reach a
// resampler, where they would turn into NaN images or an array length of Infinity.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { determinant } from '../../../shared/math/matrix';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';

/** The largest voxel size (mm) and coordinate (mm) an image may have: a kilometre, and 1000 km. */
export const maxSpacingMm = 1e6;
export const maxCoordinateMm = 1e9;

/** Numbers for a message, NaN and Infinity as such. */
export const listNumbers = (values: readonly number[]) => values.map((v) => +v.toPrecision(6)).join(', ');

/** Numbers read through itk-wasm for a message: a non-finite one was NaN or infinite, we cannot tell which. */
const listGridNumbers = (values: readonly number[]) => values.map((v) => (Number.isFinite(v) ? +v.toPrecision(6) : '?')).join(', ');

export function nonFiniteWord(values: readonly number[]): string | undefined {
  if (values.some(Number.isNaN)) return 'NaN';
  if (values.some((v) => !Number.isFinite(v))) return 'an infinite value';
  return undefined;
}

/** The spatial part (at most 3 axes; a 4D file's fourth is time) of a direction matrix. */
function spatialDirection(grid: ImageGrid, d: number): number[] {
  const n = grid.size.length;
  const block: number[] = [];
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) block.push(grid.direction[r * n + c]);
  return block;
}

/**
 * Why the grid's geometry is unusable, or undefined when it is fine. (itk-wasm hands header
 * numbers over as JSON, in which NaN and infinity both become null: gridOfItkImage makes
 * them NaN, so for those we can only say "not finite".)
 */
export function gridGeometryProblem(grid: ImageGrid): string | undefined {
  const d = Math.min(3, grid.size.length);
  const spacing = grid.spacing.slice(0, d);
  const origin = grid.origin.slice(0, d);
  const direction = spatialDirection(grid, d);
  const axis = (values: readonly number[], bad: (v: number) => boolean) => values.findIndex(bad) + 1;
  const notFinite = (v: number) => !Number.isFinite(v);
  if (axis(spacing, notFinite)) return `its voxel spacing is not finite along axis ${axis(spacing, notFinite)} (${listGridNumbers(spacing)})`;
  if (axis(spacing, (s) => s <= 0)) return `its voxel spacing (${listGridNumbers(spacing)} mm) is not positive along axis ${axis(spacing, (s) => s <= 0)}`;
  if (spacing.some((s) => s > maxSpacingMm)) return `its voxel spacing (${listGridNumbers(spacing)} mm) is implausibly large`;
  if (axis(origin, notFinite)) return `its origin is not finite along axis ${axis(origin, notFinite)} (${listGridNumbers(origin)})`;
  if (origin.some((v) => Math.abs(v) > maxCoordinateMm)) return `its origin (${listGridNumbers(origin)} mm) is implausibly far away`;
  if (direction.some(notFinite)) return `its direction matrix is not finite (${listGridNumbers(direction)})`;
  const lengths = Array.from({ length: d }, (_, c) => Math.hypot(...Array.from({ length: d }, (_, r) => direction[r * d + c])));
  const unit = direction.map((v, i) => v / lengths[i % d]);
  if (lengths.some((l) => l === 0) || Math.abs(determinant(unit)) < 1e-6)
    return `its direction matrix is singular (its axes do not span ${d}D space: ${listGridNumbers(direction)})`;
  return undefined;
}

/** Refuses a grid whose geometry is unusable, with the reason. */
export function checkGridGeometry(ref: FileRef, grid: ImageGrid): void {
  const problem = gridGeometryProblem(grid);
  if (problem) throw fileProblem(ref, problem);
}
