// Preconditions of a registration, checked before any work, each failing with one clear line.
// The caller (the IO layer) already rejects NaN and wrong dimensionality per file; these checks
// are about the pair, and a safety net for callers that hand images over directly.

import { badInput } from '../../../shared/contract/errors';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { assertPixelCount } from '../../../shared/image/voxel-image';
import { finiteRange } from '../../../shared/image/statistics';
import { voxelCount } from '../../../shared/geometry/grid';
import { gridGeometryProblem } from '../io/grid-validity';
import { isIntegerValued } from '../io/image-role';
import type { RegistrationInputs } from './result';

/** Fewer voxels than this cannot carry a transform worth estimating. */
const minimumVoxels = 5;

function checkImage(role: string, image: ScalarImage, dimension: number, needsContrast: boolean): void {
  const d = image.grid.size.length;
  if (d !== 2 && d !== 3) throw badInput(role, `is ${d}D; registration takes 2D or 3D images`);
  if (d !== dimension) throw badInput(role, `is ${d}D but the fixed image is ${dimension}D; both images must have the same dimension`);
  try {
    assertPixelCount(image);
  } catch (error) {
    throw badInput(role, (error as Error).message);
  }
  const voxels = voxelCount(image.grid);
  if (voxels < minimumVoxels) throw badInput(role, `has only ${voxels} voxel${voxels === 1 ? '' : 's'}; registration needs an image, not a handful of values`);
  const geometry = gridGeometryProblem(image.grid);
  if (geometry) throw badInput(role, geometry);
  const range = finiteRange(image.pixels);
  if (range.nonFinite > 0) throw badInput(role, `contains ${range.nonFinite} NaN or infinite value${range.nonFinite === 1 ? '' : 's'}; replace them before registering`);
  if (needsContrast && range.min === range.max) throw badInput(role, `is constant (every voxel is ${range.min}); there is nothing to align`);
}

export function validateInputs(inputs: RegistrationInputs): void {
  const dimension = inputs.fixed.grid.size.length;
  checkImage('fixed image', inputs.fixed, dimension, true);
  checkImage('moving image', inputs.moving, dimension, true);
  if (inputs.fixedLabels) checkLabels('fixed labels', inputs.fixedLabels, dimension);
  if (inputs.movingLabels) checkLabels('moving labels', inputs.movingLabels, dimension);
  if (inputs.fixedMask) checkMask('fixed mask', inputs.fixedMask, dimension);
  if (inputs.movingMask) checkMask('moving mask', inputs.movingMask, dimension);
}

/**
 * Labels are warped by nearest neighbour and compared value by value (Dice): a label map holds
 * whole numbers. An intensity image given as labels would be "compared" voxel value by voxel
 * value and reported as if it were a segmentation.
 */
function checkLabels(role: string, labels: ScalarImage, dimension: number): void {
  checkImage(role, labels, dimension, false);
  if (isIntegerValued(labels.pixels)) return;
  let at = 0;
  while (Number.isInteger(labels.pixels[at])) at++;
  const example = labels.pixels[at];
  throw badInput(role, `holds values that are not whole numbers (such as ${Number(example.toPrecision(4))}); a label map numbers its regions 1, 2, 3, … — is this an intensity image?`);
}

/** A mask is where the similarity is measured: one with no voxel inside leaves nothing to compare. */
function checkMask(role: string, mask: ScalarImage, dimension: number): void {
  checkImage(role, mask, dimension, false);
  if (!mask.pixels.some((v) => v !== 0)) throw badInput(role, 'is empty (no voxel is nonzero); it leaves no region in which to compare the images');
}
