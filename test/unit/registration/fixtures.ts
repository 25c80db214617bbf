// Shared test data: the ITK example slices and the mricron brain, and helpers to measure
// transforms against known truths.

import { readImageFile } from '../../../main/engine/io';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { Transform } from '../../../shared/transforms/transform';
import { pointMap } from '../../../shared/transforms/transform';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld } from '../../../shared/geometry/grid';

export const itkData = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';
export const mricron = '/usr/share/mricron/templates/';

export async function readImage(file: string): Promise<ScalarImage> {
  return (await readImageFile(file)).image;
}

/** An ITK example slice (the PNGs are gray RGB; the IO layer reads them as scalar images). */
export function readItkSlice(name: string): Promise<ScalarImage> {
  return readImage(itkData + name);
}

/** Rotation angle (degrees) of the linear part of a 2D affine, by polar decomposition. */
export function rotationDegrees(matrix: readonly number[]): number {
  // For M = R·S (S symmetric positive), the angle of R is atan2(m10 − m01, m00 + m11).
  const [a, b, , c, d] = [matrix[0], matrix[1], matrix[2], matrix[3], matrix[4]];
  return (Math.atan2(c - b, a + d) * 180) / Math.PI;
}

/** Mean and max distance between two transforms over world points. */
export function transformDistance(a: Transform, b: Transform, points: readonly number[][]): { mean: number; max: number } {
  const fa = pointMap(a);
  const fb = pointMap(b);
  let sum = 0;
  let max = 0;
  for (const p of points) {
    const pa = fa(p);
    const pb = fb(p);
    const d = Math.hypot(...pa.map((v, i) => v - pb[i]));
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / points.length, max };
}

/** World points of every `step`-th voxel of `image` brighter than `threshold`. */
export function foregroundPoints(image: ScalarImage, threshold: number, step: number): number[][] {
  const grid: ImageGrid = image.grid;
  const [nx, ny] = grid.size;
  const nz = grid.size[2] ?? 1;
  const out: number[][] = [];
  for (let z = 0; z < nz; z += grid.size.length === 3 ? step : 1)
    for (let y = 0; y < ny; y += step)
      for (let x = 0; x < nx; x += step) {
        if (!(image.pixels[(z * ny + y) * nx + x] > threshold)) continue;
        out.push(indexToWorld(grid, grid.size.length === 3 ? [x, y, z] : [x, y]));
      }
  return out;
}
