// What a registration will need, from the images' grids and the working resolution alone,
// judged before anything is allocated. A 0.001 mm working resolution, or a 0.1 mm fixed image
// against a 10 mm moving one (whose own working grid then spans a metre in tenths of a
// millimetre), asks for more voxels than any machine holds; without this check the job died
// deep inside with "Invalid typed array length" and exit status 1.
//
// Bytes per voxel, from runs on the 1 mm ch2bet pair (7.1 M fixed voxels) at 2.5 and 3.5 mm
// (451 k and 168 k working voxels): peak tensor memory grew by 140 B per working voxel, and
// the process by about 60 B per fixed voxel (the four full-resolution outputs, 32 B, plus the
// full-resolution similarity signals). The figures below are about twice those, since tfjs and
// the wasm heap keep freed memory for reuse.

import { EngineError } from '../../../shared/contract/errors';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import { availableMemoryBytes, formatBytes, registrationShareOfMemory } from '../memory-budget';
import type { RegistrationInputs } from './result';
import { workingGrid } from './working-space';

const bytesPerWorkingVoxel = 300;
/**
 * A working grid is resampled, filtered and featurized as whole tensors. On the wasm backend
 * they all live in one WebAssembly heap of at most 4 GiB, so no grid may exceed 2^27 voxels
 * (512 MiB per float32 channel), whatever the machine: the default working grid has 500 k.
 */
export const maxWorkingVoxels = 2 ** 27;
/** The moving image in its own frame at the working resolution: a normalized copy and its pooling. */
const bytesPerMovingWorkingVoxel = 16;
const bytesPerFixedVoxel = 128;
/** The moving image at full resolution, as float32 to warp it and normalized for the similarity. */
const bytesPerMovingVoxel = 12;

interface Need {
  readonly what: string;
  readonly grid: ImageGrid;
  readonly bytes: number;
}

/** Bad input, but no one file's fault: the pair and the parameters together ask too much. */
function refusal(reason: string, details?: Record<string, unknown>): EngineError {
  return new EngineError('BAD_INPUT', `registration: ${reason}`, { details });
}

/** A grid's size for a message; the sizes of absurd grids are written as powers of ten. */
function describeSize(grid: ImageGrid): string {
  return grid.size.map((n) => (n < 1e6 ? String(n) : n.toExponential(1))).join(' × ');
}

/**
 * Refuses a registration whose grids need more than its share of the memory available now;
 * `available` is a parameter so that tests can pose a machine.
 */
export function checkRegistrationMemory(inputs: RegistrationInputs, spacingMm: number, available = availableMemoryBytes()): void {
  if (!(spacingMm > 0) || !Number.isFinite(spacingMm)) throw refusal(`the working resolution ${spacingMm} mm is not a positive number`);
  const mm = `${+spacingMm.toPrecision(6)} mm`;
  const fixedWorking = workingGrid(inputs.fixed.grid, spacingMm);
  const movingWorking = workingGrid(inputs.moving.grid, spacingMm);
  const needs: Need[] = [
    { what: `the working grid (the fixed image at ${mm})`, grid: fixedWorking, bytes: voxelCount(fixedWorking) * bytesPerWorkingVoxel },
    { what: `the moving image at ${mm} in its own frame`, grid: movingWorking, bytes: voxelCount(movingWorking) * bytesPerMovingWorkingVoxel },
    { what: 'the outputs at the fixed image’s full resolution', grid: inputs.fixed.grid, bytes: voxelCount(inputs.fixed.grid) * bytesPerFixedVoxel },
    { what: 'the moving image at full resolution', grid: inputs.moving.grid, bytes: voxelCount(inputs.moving.grid) * bytesPerMovingVoxel },
  ];
  for (const [what, grid] of [[needs[0].what, fixedWorking], [needs[1].what, movingWorking]] as const)
    if (voxelCount(grid) > maxWorkingVoxels)
      throw refusal(
        `${what} would be ${describeSize(grid)} voxels, more than the ${(maxWorkingVoxels / 1e6).toFixed(0)} million a working grid may hold; choose a coarser working resolution (resolutionMm) or resample the images to similar voxel sizes`,
        { voxels: voxelCount(grid), limit: maxWorkingVoxels },
      );
  const total = needs.reduce((sum, n) => sum + n.bytes, 0);
  const allowed = available * registrationShareOfMemory;
  if (total <= allowed) return;
  const largest = needs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  throw refusal(
    `needs about ${formatBytes(total)}, more than the ${formatBytes(allowed)} (half of the memory available now) it may use: ${largest.what} is ${describeSize(largest.grid)} voxels; choose a coarser working resolution (resolutionMm) or resample the images to similar voxel sizes`,
    { neededBytes: total, allowedBytes: allowed },
  );
}
