// Resampling an image onto another grid through a transform: out(x) = image(T(x)) for every
// voxel x of the reference grid (ITK's resampling convention). Linear interpolation for
// intensities, nearest neighbour for labels, which must never be blended. Outside the image
// the value is 0.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount, worldToIndexMatrix } from '../../../shared/geometry/grid';
import type { PixelArray, ScalarImage } from '../../../shared/image/voxel-image';
import type { Transform } from '../../../shared/transforms/transform';
import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { continuousIndexOf, mapPointsInPlace } from './map-points';
import { slabRanges, slabWorldPoints } from './grid-points';

export type Interpolation = 'linear' | 'nearest';

function sampleAt(
  image: ScalarImage,
  points: Float64Array,
  interpolation: Interpolation,
  out: PixelArray | Float32Array,
  offset: number,
): void {
  const d = image.grid.size.length;
  const size = image.grid.size;
  const toIndex = worldToIndexMatrix(image.grid);
  const pixels = image.pixels;
  const strides = [1, size[0], size[0] * (size[1] ?? 1)];
  const ci = new Float64Array(d);
  for (let i = 0, p = 0; p < points.length; i++, p += d) {
    if (!continuousIndexOf(toIndex, size, points, p, ci)) {
      out[offset + i] = 0;
      continue;
    }
    if (interpolation === 'nearest') {
      let li = 0;
      for (let a = 0; a < d; a++) li += Math.min(size[a] - 1, Math.max(0, Math.round(ci[a]))) * strides[a];
      out[offset + i] = pixels[li];
      continue;
    }
    let value = 0;
    for (let corner = 0; corner < 1 << d; corner++) {
      let w = 1;
      let li = 0;
      for (let a = 0; a < d; a++) {
        const f = Math.floor(ci[a]);
        const bit = (corner >> a) & 1;
        const t = ci[a] - f;
        w *= bit ? t : 1 - t;
        li += Math.min(size[a] - 1, Math.max(0, f + bit)) * strides[a];
      }
      if (w !== 0) value += w * pixels[li];
    }
    out[offset + i] = value;
  }
}

/**
 * Linear results are float32; nearest-neighbour results keep the image's pixel type, so a
 * uint8 label map stays a uint8 label map.
 */
export function resampleImage(
  image: ScalarImage,
  reference: ImageGrid,
  transform: Transform,
  interpolation: Interpolation,
  context: JobContext = silentJob,
): ScalarImage {
  const n = voxelCount(reference);
  const Ctor = (interpolation === 'nearest' ? image.pixels.constructor : Float32Array) as new (length: number) => PixelArray;
  const out = new Ctor(n);
  const plane = reference.size[0] * reference.size[1];
  for (const [z0, z1] of slabRanges(reference)) {
    throwIfCancelled(context.token);
    const points = slabWorldPoints(reference, z0, z1);
    mapPointsInPlace(transform, points);
    sampleAt(image, points, interpolation, out, z0 * plane);
  }
  return { grid: reference, pixels: out };
}

/** A displacement field's vectors at the voxels of another grid (zero outside the field). */
export function resampleDisplacement(field: Extract<Transform, { kind: 'displacement' }>, grid: ImageGrid): Float32Array {
  const d = grid.size.length;
  const out = new Float32Array(voxelCount(grid) * d);
  const plane = grid.size[0] * grid.size[1];
  for (const [z0, z1] of slabRanges(grid)) {
    const points = slabWorldPoints(grid, z0, z1);
    const moved = points.slice();
    mapPointsInPlace(field, moved);
    for (let i = 0; i < points.length; i++) out[z0 * plane * d + i] = moved[i] - points[i];
  }
  return out;
}
