// The WebAssembly match kernel at its edges, against what the softmax says by hand: ties, a
// uniform map, a match far sharper than a voxel, 2D grids, and maps whose voxel count is not a
// multiple of the kernel's 64-voxel chunks (the padding must never be chosen nor weigh).

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { FeatureMap } from '../../../main/engine/inspection/feature-maps';
import { attentionKeys, matchFeature, voxelWorldPoints } from '../../../main/engine/inspection/point-match';

const grid3: ImageGrid = { size: [5, 4, 3], spacing: [2, 1, 3], origin: [-4, 10, 7], direction: [0, 1, 0, -1, 0, 0, 0, 0, 1] };
const voxels = (g: ImageGrid) => g.size.reduce((a, b) => a * b, 1);

function mapOf(grid: ImageGrid, channels: number, feature: (j: number) => number[], scale = 4): FeatureMap {
  const n = voxels(grid);
  const features = new Float32Array(n * channels);
  for (let j = 0; j < n; j++) features.set(feature(j), j * channels);
  return { grid, features, channels, featurizer: 'test', scale };
}

describe('the match kernel', () => {
  it('a uniform map: every voxel equally likely, the heatmap all at its peak, the match at the grid centroid', () => {
    const map = mapOf(grid3, 2, () => [0.3, -0.2]);
    const m = matchFeature(Float32Array.of(1, 1), attentionKeys(map), true);
    const n = voxels(grid3);
    expect(m.peakProbability).toBeCloseTo(1 / n, 6);
    expect([...m.heatmap!].every((b) => b === 255)).toBe(true);
    const world = voxelWorldPoints(grid3);
    const centroid = [0, 1, 2].map((a) => world.filter((_, i) => i % 3 === a).reduce((s, v) => s + v, 0) / n);
    m.attention.forEach((v, a) => expect(v).toBeCloseTo(centroid[a], 4));
    // The first voxel of the tie, as a scan from the first would find it.
    expect(m.argmax).toEqual(Array.from(world.subarray(0, 3)));
  });

  it('a tie between two best voxels goes to the lower index; the match lies halfway', () => {
    const n = voxels(grid3);
    const [a, b] = [7, n - 3];
    const map = mapOf(grid3, 1, (j) => [j === a || j === b ? 1 : -1], 20);
    const m = matchFeature(Float32Array.of(1), attentionKeys(map));
    const world = voxelWorldPoints(grid3);
    expect(m.argmax).toEqual(Array.from(world.subarray(a * 3, a * 3 + 3)));
    expect(m.peakProbability).toBeCloseTo(0.5, 6);
    m.attention.forEach((v, axis) => expect(v).toBeCloseTo((world[a * 3 + axis] + world[b * 3 + axis]) / 2, 4));
  });

  it('a match far sharper than a voxel sits on its voxel with no spread', () => {
    const target = 33;
    const map = mapOf(grid3, 3, (j) => (j === target ? [1, 0, 0] : [0, 1, 0]), 200);
    const m = matchFeature(Float32Array.of(1, 0, 0), attentionKeys(map), true);
    expect(m.peakProbability).toBeCloseTo(1, 9);
    expect(m.spreadMm).toBeLessThan(1e-6);
    expect(m.attention).toEqual(m.argmax);
    expect(m.heatmap!.filter((v) => v > 0)).toEqual(Uint8Array.of(255));
  });

  it('2D: points have two coordinates, and a grid of 63, 64 or 65 voxels weighs only its own', () => {
    for (const width of [63, 64, 65]) {
      const grid2: ImageGrid = { size: [width, 1], spacing: [0.5, 1], origin: [3, -2], direction: [-1, 0, 0, 1] };
      // Logits fall off linearly along x from voxel 10: p_j ∝ exp(−|j − 10|).
      const map = mapOf(grid2, 1, (j) => [-Math.abs(j - 10)], 1);
      const q = Float32Array.of(1);
      const m = matchFeature(q, attentionKeys(map), true);
      let sum = 0;
      let mean = 0;
      for (let j = 0; j < width; j++) {
        const logit = -Math.abs(j - 10) - 0.5 * (j - 10) ** 2;
        const e = Math.exp(logit);
        sum += e;
        mean += e * (3 - 0.5 * j);
      }
      expect(m.attention).toHaveLength(2);
      expect(m.argmax).toEqual([3 - 0.5 * 10, -2]);
      expect(m.peakProbability).toBeCloseTo(1 / sum, 6);
      expect(m.attention[0]).toBeCloseTo(mean / sum, 4);
      expect(m.attention[1]).toBeCloseTo(-2, 6);
      expect(m.heatmap).toHaveLength(width);
    }
  });
});
