// det J of a transform's point map on a grid, by central differences in world space. Works
// for any transform read from a file (affine, displacement field, composite); a fold is
// where det J ≤ 0.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { Transform } from '../../../shared/transforms/transform';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import { mapPointsInPlace } from './map-points';
import { slabRanges, slabWorldPoints } from './grid-points';

function determinantOf(j: Float64Array, d: number): number {
  if (d === 2) return j[0] * j[3] - j[1] * j[2];
  return j[0] * (j[4] * j[8] - j[5] * j[7]) - j[1] * (j[3] * j[8] - j[5] * j[6]) + j[2] * (j[3] * j[7] - j[4] * j[6]);
}

export function transformJacobianDeterminant(transform: Transform, grid: ImageGrid, context: JobContext = silentJob): ScalarImage<Float32Array> {
  const d = grid.size.length;
  const out = new Float32Array(voxelCount(grid));
  const plane = grid.size[0] * grid.size[1];
  // Steps of one voxel along each world axis: central differences at the grid's scale.
  const h = Math.min(...grid.spacing);
  const j = new Float64Array(d * d);
  for (const [z0, z1] of slabRanges(grid)) {
    throwIfCancelled(context.token);
    const base = slabWorldPoints(grid, z0, z1);
    const shifted: Float64Array[] = [];
    for (let axis = 0; axis < d; axis++)
      for (const sign of [1, -1]) {
        const p = base.slice();
        for (let i = axis; i < p.length; i += d) p[i] += sign * h;
        mapPointsInPlace(transform, p);
        shifted.push(p);
      }
    const count = base.length / d;
    for (let i = 0; i < count; i++) {
      for (let axis = 0; axis < d; axis++) {
        const plus = shifted[2 * axis];
        const minus = shifted[2 * axis + 1];
        for (let r = 0; r < d; r++) j[r * d + axis] = (plus[i * d + r] - minus[i * d + r]) / (2 * h);
      }
      out[z0 * plane + i] = determinantOf(j, d);
    }
  }
  return { grid, pixels: out };
}
