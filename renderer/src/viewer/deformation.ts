// Maps derived from a displacement field u on a grid (ITK convention: the point x maps to
// x + u(x), u in world mm): the Jacobian determinant det(I + ∂u/∂x) and |u|.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import { invertMatrix } from '../../../shared/math/matrix';
import type { ScalarImage, VectorImage } from '../../../shared/image/voxel-image';

function checkField(field: VectorImage): number {
  const d = field.grid.size.length;
  if (field.components !== d) throw new Error(`a ${d}D displacement field needs ${d} components, not ${field.components}`);
  if (field.pixels.length !== voxelCount(field.grid) * d) throw new Error('displacement field size does not match its grid');
  return d;
}

/** (D·diag(spacing))⁻¹, row-major: continuous index per world mm. */
function worldToIndexLinear(grid: ImageGrid): number[] {
  const d = grid.size.length;
  const m: number[] = [];
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) m.push(grid.direction[r * d + c] * grid.spacing[c]);
  return invertMatrix(m);
}

/**
 * det(I + ∂u/∂x) at every voxel, by central differences in index space (one-sided at the
 * border) carried to world space through the grid's direction and spacing.
 */
export function jacobianDeterminant(field: VectorImage): ScalarImage<Float32Array> {
  const d = checkField(field);
  const { size } = field.grid;
  const u = field.pixels;
  const toIndex = worldToIndexLinear(field.grid);
  const strides = [1, size[0], size[0] * (size[1] ?? 1)];
  const out = new Float32Array(voxelCount(field.grid));
  const dIndex = new Float64Array(9); // ∂u_r/∂i_a at [r*3 + a]
  const jac = new Float64Array(9);
  const idx = [0, 0, 0];
  for (let li = 0; li < out.length; li++) {
    for (let a = 0; a < d; a++) {
      const i = idx[a];
      const lo = i > 0 ? li - strides[a] : li;
      const hi = i < size[a] - 1 ? li + strides[a] : li;
      const span = (i > 0 ? 1 : 0) + (i < size[a] - 1 ? 1 : 0);
      for (let r = 0; r < d; r++) dIndex[r * 3 + a] = span === 0 ? 0 : (u[hi * d + r] - u[lo * d + r]) / span;
    }
    // J = I + (∂u/∂i)·(∂i/∂x)
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++) {
        let s = r === c ? 1 : 0;
        for (let a = 0; a < d; a++) s += dIndex[r * 3 + a] * toIndex[a * d + c];
        jac[r * 3 + c] = s;
      }
    out[li] =
      d === 2
        ? jac[0] * jac[4] - jac[1] * jac[3]
        : jac[0] * (jac[4] * jac[8] - jac[5] * jac[7]) - jac[1] * (jac[3] * jac[8] - jac[5] * jac[6]) + jac[2] * (jac[3] * jac[7] - jac[4] * jac[6]);
    // Advance the voxel index, x fastest.
    for (let a = 0; a < d; a++) {
      if (++idx[a] < size[a]) break;
      idx[a] = 0;
    }
  }
  return { grid: field.grid, pixels: out };
}

/** |u(x)| in mm at every voxel. */
export function displacementMagnitude(field: VectorImage): ScalarImage<Float32Array> {
  const d = checkField(field);
  const out = new Float32Array(voxelCount(field.grid));
  for (let li = 0; li < out.length; li++) {
    let s = 0;
    for (let r = 0; r < d; r++) s += field.pixels[li * d + r] ** 2;
    out[li] = Math.sqrt(s);
  }
  return { grid: field.grid, pixels: out };
}

/** Voxels where the map folds (det J ≤ 0). */
export function countFolds(determinant: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < determinant.length; i++) if (determinant[i] <= 0) n++;
  return n;
}
