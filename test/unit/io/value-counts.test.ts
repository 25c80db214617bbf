import { describe, expect, it } from 'vitest';
import { detectImageRole, valueCounts } from '../../../main/engine/io/image-role';

/** The plain count, one map update per voxel: what valueCounts must equal. */
function reference(pixels: ArrayLike<number>, limit: number): Map<number, number> | undefined {
  const counts = new Map<number, number>();
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (!counts.has(v) && counts.size === limit) return undefined;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

describe('counting an image’s values', () => {
  it('equals the voxel-by-voxel count on runs, single voxels, NaN and −0', () => {
    let seed = 3;
    const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const pixels = new Float32Array(20_000);
    for (let i = 0; i < pixels.length; ) {
      const value = [0, -0, 1, 2, 7, NaN][Math.floor(random() * 6)];
      const run = 1 + Math.floor(random() * (random() < 0.5 ? 3 : 60));
      for (let k = 0; k < run && i < pixels.length; k++) pixels[i++] = value;
    }
    expect(valueCounts(pixels, 1000)).toEqual(reference(pixels, 1000));
    const labels = Uint16Array.from({ length: 5000 }, (_, i) => Math.floor(i / 37) % 50);
    expect(valueCounts(labels, 1000)).toEqual(reference(labels, 1000));
  });

  it('gives up past the limit, as before', () => {
    const ramp = Float32Array.from({ length: 3000 }, (_, i) => i);
    expect(valueCounts(ramp, 1000)).toBeUndefined();
    expect(valueCounts(ramp.subarray(0, 1000), 1000)?.size).toBe(1000);
    expect(valueCounts(ramp.subarray(0, 1001), 1000)).toBeUndefined();
  });

  it('still tells a label map from an intensity image', () => {
    const labels = Uint8Array.from({ length: 64 * 64 }, (_, i) => (Math.floor((i % 64) / 16) + 4 * Math.floor(i / 1024)) % 5);
    expect(detectImageRole(labels, 64, { hasLabelNames: false, declaredLabels: false })).toBe('labels');
    const smooth = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i / 7) * 100 + (i % 64));
    expect(detectImageRole(smooth, 64, { hasLabelNames: false, declaredLabels: false })).toBe('intensity');
  });
});
