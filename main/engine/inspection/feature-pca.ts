// Features as colours: the first three principal components of an image's feature vectors
// mapped to red, green and blue. Voxels with similar features get similar colours, so a
// glance shows whether features follow anatomy (smooth regions with distinct colours) or
// position, texture or nothing.

import type { FeatureMap } from './feature-maps';

export interface PcaBasis {
  readonly mean: Float64Array;
  /** Three principal directions, each of length channels. */
  readonly axes: Float64Array[];
  /** 1st and 99th percentiles of each component, for colour scaling. */
  readonly ranges: [number, number][];
}

/** The symmetric matrix's eigenvector of largest eigenvalue, orthogonal to `previous` (power iteration). */
function leadingEigenvector(matrix: Float64Array, n: number, previous: Float64Array[]): Float64Array {
  let v = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  for (let iteration = 0; iteration < 200; iteration++) {
    for (const p of previous) {
      const dot = v.reduce((s, x, i) => s + x * p[i], 0);
      for (let i = 0; i < n; i++) v[i] -= dot * p[i];
    }
    const next = new Float64Array(n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) next[r] += matrix[r * n + c] * v[c];
    const norm = Math.hypot(...next) || 1;
    for (let i = 0; i < n; i++) next[i] /= norm;
    v = next;
  }
  return v;
}

export function pcaBasis(map: FeatureMap, sampleEvery = 7): PcaBasis {
  const C = map.channels;
  const voxels = map.features.length / C;
  const mean = new Float64Array(C);
  let count = 0;
  for (let v = 0; v < voxels; v += sampleEvery, count++) for (let c = 0; c < C; c++) mean[c] += map.features[v * C + c];
  for (let c = 0; c < C; c++) mean[c] /= count;
  const covariance = new Float64Array(C * C);
  for (let v = 0; v < voxels; v += sampleEvery)
    for (let r = 0; r < C; r++) {
      const a = map.features[v * C + r] - mean[r];
      for (let c = 0; c < C; c++) covariance[r * C + c] += a * (map.features[v * C + c] - mean[c]);
    }
  const axes: Float64Array[] = [];
  for (let k = 0; k < Math.min(3, C); k++) axes.push(leadingEigenvector(covariance, C, axes));
  const ranges = axes.map((axis) => {
    const values: number[] = [];
    for (let v = 0; v < voxels; v += sampleEvery) values.push(project(map, v, mean, axis));
    values.sort((a, b) => a - b);
    return [values[Math.floor(0.01 * (values.length - 1))], values[Math.floor(0.99 * (values.length - 1))]] as [number, number];
  });
  return { mean, axes, ranges };
}

function project(map: FeatureMap, voxel: number, mean: Float64Array, axis: Float64Array): number {
  let s = 0;
  for (let c = 0; c < map.channels; c++) s += (map.features[voxel * map.channels + c] - mean[c]) * axis[c];
  return s;
}

export type SliceAxis = 'axial' | 'coronal' | 'sagittal';

/** One slice (index along the axis's tensor axis: z, y or x) as RGB bytes, row by row. */
export function pcaSlice(map: FeatureMap, basis: PcaBasis, axis: SliceAxis, index: number): { width: number; height: number; rgb: Uint8Array } {
  const [nx, ny] = map.grid.size;
  const nz = map.grid.size[2] ?? 1;
  const along = axis === 'axial' || map.grid.size.length === 2 ? 2 : axis === 'coronal' ? 1 : 0;
  const [width, height] = along === 2 ? [nx, ny] : along === 1 ? [nx, nz] : [ny, nz];
  const fixed = Math.max(0, Math.min(index, [nx, ny, nz][along] - 1));
  const rgb = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++)
    for (let col = 0; col < width; col++) {
      const [x, y, z] = along === 2 ? [col, row, fixed] : along === 1 ? [col, fixed, row] : [fixed, col, row];
      const voxel = (z * ny + y) * nx + x;
      for (let k = 0; k < 3; k++) {
        const axisVector = basis.axes[k];
        const value = axisVector ? project(map, voxel, basis.mean, axisVector) : 0;
        const [lo, hi] = basis.ranges[k] ?? [0, 1];
        rgb[(row * width + col) * 3 + k] = Math.round(255 * Math.min(1, Math.max(0, (value - lo) / (hi - lo || 1))));
      }
    }
  return { width, height, rgb };
}
