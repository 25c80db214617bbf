// Synthetic registration results for the harness, built from a real image: a moving image
// (the fixed one moved by a rigid transform, resampled on the fixed grid, as the engine
// delivers warped images) and a smooth displacement field with a folding bump.
import type { LoadedImage } from '../../shared/contract/image-channels';
import type { ImageGrid } from '../../shared/geometry/grid';
import { gridCenter, indexToWorld, worldToIndexMatrix } from '../../shared/geometry/grid';
import { interpolateLinearAt } from '../../shared/image/interpolate';
import type { VectorImage } from '../../shared/image/voxel-image';
import { applyAffineToPoint } from '../../shared/transforms/transform';

/** fixed(R·(x − c) + c + t) on the fixed grid: what a misregistered moving image looks like. */
export function movedCopy(fixed: LoadedImage, degreesAboutZ: number, translation: readonly number[], id: string): LoadedImage {
  const grid = fixed.info.grid;
  const d = grid.size.length;
  const c = gridCenter(grid);
  const a = (degreesAboutZ * Math.PI) / 180;
  const toIndex = worldToIndexMatrix(grid);
  const out = new Float32Array(fixed.pixels.length);
  const index = new Array<number>(d).fill(0);
  const world: number[] = [];
  const ci: number[] = [];
  const v: number[] = [];
  for (let li = 0; li < out.length; li++) {
    indexToWorld(grid, index, world);
    const x = world[0] - c[0];
    const y = world[1] - c[1];
    const p = [Math.cos(a) * x - Math.sin(a) * y + c[0] + translation[0], Math.sin(a) * x + Math.cos(a) * y + c[1] + translation[1]];
    if (d === 3) p.push(world[2] + translation[2]);
    applyAffineToPoint(toIndex, p, ci);
    out[li] = interpolateLinearAt(grid.size, fixed.pixels, 1, ci, v) ? v[0] : 0;
    for (let k = 0; k < d; k++) {
      if (++index[k] < grid.size[k]) break;
      index[k] = 0;
    }
  }
  return { info: { ...fixed.info, id, name: id, componentType: 'float32' }, pixels: out };
}

/** A coarse grid over the same field of view, for light synthetic fields. */
export function coarseGrid(grid: ImageGrid, factor: number): ImageGrid {
  const size = grid.size.map((n) => Math.max(1, Math.round(n / factor)));
  const spacing = grid.spacing.map((s, a) => (s * grid.size[a]) / size[a]);
  const origin = indexToWorld(grid, grid.size.map((_, a) => -0.5 + (0.5 * spacing[a]) / grid.spacing[a]));
  return { size, spacing, origin, direction: [...grid.direction] };
}

/**
 * A smooth swirl plus a strong Gaussian push at `bumpCenter` that folds space near it
 * (det J < 0 where the push's gradient exceeds 1).
 */
export function syntheticField(grid: ImageGrid, bumpCenter: readonly number[]): VectorImage {
  const d = grid.size.length;
  const n = grid.size.reduce((x, y) => x * y, 1);
  const pixels = new Float32Array(n * d);
  const index = new Array<number>(d).fill(0);
  const p: number[] = [];
  const sigma = 8;
  for (let li = 0; li < n; li++) {
    indexToWorld(grid, index, p);
    const r2 = p.reduce((s, x, k) => s + (x - bumpCenter[k]) ** 2, 0);
    const bump = 14 * Math.exp(-r2 / (2 * sigma * sigma));
    pixels[li * d] = 3 * Math.sin(p[1] / 15) + bump;
    pixels[li * d + 1] = 3 * Math.sin(p[0] / 15);
    if (d === 3) pixels[li * d + 2] = 2 * Math.sin(p[0] / 20 + p[1] / 25);
    for (let k = 0; k < d; k++) {
      if (++index[k] < grid.size[k]) break;
      index[k] = 0;
    }
  }
  return { grid, components: d, pixels };
}
