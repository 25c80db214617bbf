// Getting scans and label maps onto the grids training works on: a whole volume resampled once
// to the training resolution, then boxes of it — 3D crops, or 2D slices — of the network's
// input size, zero beyond the volume. Sizes and starts are in voxels, (x, y[, z]).

import type { PixelArray, ScalarImage } from '../../../shared/image/voxel-image';
import { regridToSpacing } from '../../../shared/geometry/grid';
import { identityAffine } from '../../../shared/transforms/transform';
import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import { resampleImage } from '../resample/resample-image';

/** The image on a grid of `resolutionMm` covering the same field of view. */
export function atResolution(image: ScalarImage, resolutionMm: number, interpolation: 'linear' | 'nearest', context: JobContext = silentJob): ScalarImage {
  const grid = regridToSpacing(image.grid, image.grid.size.map(() => resolutionMm));
  return resampleImage(image, grid, identityAffine(image.grid.size.length), interpolation, context);
}

/**
 * A box of `boxSize` from a volume of `size` starting at `start` (may lie partly outside):
 * 3D boxes from 3D volumes, or 2D boxes from one z-slice (`start[2]`) of a 3D volume or from a
 * 2D image.
 */
export function extractBox<T extends Float32Array | Int32Array>(values: PixelArray, size: readonly number[], boxSize: readonly number[], start: readonly number[], Out: new (n: number) => T): T {
  const [nx, ny] = size;
  const nz = size[2] ?? 1;
  const [bx, by] = boxSize;
  const bz = boxSize[2] ?? 1;
  const out = new Out(bx * by * bz);
  let o = 0;
  for (let z = 0; z < bz; z++) {
    const sz = (start[2] ?? 0) + z;
    for (let y = 0; y < by; y++) {
      const sy = start[1] + y;
      for (let x = 0; x < bx; x++, o++) {
        const sx = start[0] + x;
        if (sx >= 0 && sx < nx && sy >= 0 && sy < ny && sz >= 0 && sz < nz) out[o] = values[(sz * ny + sy) * nx + sx];
      }
    }
  }
  return out;
}

/** A box start that centres the box on a random foreground voxel (value > 0), or on the volume. */
export function boxStartAround(foreground: PixelArray, size: readonly number[], boxSize: readonly number[], random: () => number): number[] {
  const voxels = foreground.length;
  let centre: number[] | undefined;
  for (let attempt = 0; attempt < 200 && !centre; attempt++) {
    const v = Math.floor(random() * voxels);
    if (!(foreground[v] > 0)) continue;
    centre = [v % size[0], Math.floor(v / size[0]) % size[1], Math.floor(v / (size[0] * size[1]))];
  }
  centre ??= [(size[0] - 1) / 2, (size[1] - 1) / 2, ((size[2] ?? 1) - 1) / 2];
  // For 2D boxes the z of the start is the slice itself.
  return boxSize.length === 2
    ? [Math.round(centre[0] - boxSize[0] / 2), Math.round(centre[1] - boxSize[1] / 2), Math.round(centre[2])]
    : centre.map((c, a) => Math.round(c - boxSize[a] / 2));
}

/** Intensities mapped to [0, 1] by the 0.5th and 99.5th percentiles of the nonzero voxels. */
export function normalizeIntensities(values: ArrayLike<number>): Float32Array {
  const nonzero = Array.from(values).filter((v) => v !== 0 && Number.isFinite(v)).sort((a, b) => a - b);
  const lo = nonzero.length ? nonzero[Math.floor(0.005 * (nonzero.length - 1))] : 0;
  const hi = nonzero.length ? nonzero[Math.floor(0.995 * (nonzero.length - 1))] : 1;
  const scale = hi > lo ? 1 / (hi - lo) : 1;
  return Float32Array.from(values, (v) => (Number.isFinite(v) ? Math.min(1, Math.max(0, (v - lo) * scale)) : 0));
}
