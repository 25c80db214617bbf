// What the viewer shows once a result is in: the result's layers over the fixed image, and, as
// the "before" of before/after, the moving image itself on its own grid (the engine sends no
// resampled copy of it).
import { describe, expect, it } from 'vitest';
import { displayCompare, displayLayers } from '../../../renderer/src/state/display-layers';
import type { LoadedImage, ResultOf } from '../../../shared/contract/index';

const grid = (origin: number[]) => ({ size: [4, 3, 2], spacing: [1, 1, 2], origin, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });

function image(id: string, name: string, origin = [0, 0, 0]): LoadedImage {
  const info = { id, name, source: `${name}.nii.gz`, format: 'NIfTI', grid: grid(origin), componentType: 'float32', pixelType: 'Scalar', components: 1, range: { min: 0, max: 1 }, percentiles: { p1: 0, p50: 0.5, p99: 1 }, role: 'intensity', nonFinite: 0, warnings: [] } as const;
  return { info: { ...info, grid: grid(origin) }, pixels: new Float32Array(24) } as unknown as LoadedImage;
}

const fixed = image('f', 'fixed');
const moving = image('m', 'moving', [5, -3, 2]);
const movingLabels = image('ml', 'moving labels', [5, -3, 2]);
const warped = image('w', 'moving (warped)');
const result = {
  jobId: 'j1',
  warpedMoving: { info: warped.info, pixels: warped.pixels },
  displayField: { grid: grid([0, 0, 0]), components: 3, vectors: new Float32Array(72) },
} as unknown as ResultOf<'registration.run'>;

describe('the layers of a shown result', () => {
  it('shows the moving image itself, on its own grid, as the "before"', () => {
    const layers = displayLayers({ fixed, moving, movingLabels }, result);
    const before = layers.find((l) => l.id === 'before');
    expect(before?.kind === 'image' && before.image).toBe(moving);
    expect(before?.name).toBe('moving (before)');
    expect(layers.map((l) => l.id)).toEqual(['fixed', 'before', 'moving-labels', 'warped', 'jacobian', 'displacement', 'grid']);
    expect(displayCompare({ fixed, moving, movingLabels }, result, null)?.before).toEqual(['before', 'moving-labels']);
  });

  it('has no "before" image without a moving image', () => {
    const layers = displayLayers({ fixed }, result);
    expect(layers.some((l) => l.id === 'before')).toBe(false);
  });
});
