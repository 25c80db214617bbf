// Colour bars say what the colours on screen mean: for each colour-mapped layer, the colours of
// its own transfer function over the values drawn, and those values at its marks.

import { describe, expect, it } from 'vitest';
import type { LoadedImage } from '../../../shared/contract/image-channels';
import type { VectorImage } from '../../../shared/image/voxel-image';
import { COLORMAPS, FOLD_COLOR, JACOBIAN_COLORMAP, sampleColormap } from '../../../renderer/src/viewer/colormaps';
import { colourBarOf, tickLabel } from '../../../renderer/src/viewer/colour-bar';
import type { ImageLayer } from '../../../renderer/src/viewer/layers';

const grid = { size: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
const image = { info: { id: 'a', name: 'a.nii.gz', grid, range: { min: 0, max: 400 }, percentiles: { p1: 10, p50: 100, p99: 300 } }, pixels: new Float32Array(64) } as unknown as LoadedImage;
const field: VectorImage = { grid, components: 3, pixels: Float32Array.from({ length: 192 }, (_, i) => (i % 3 === 0 ? (i / 3) % 4 : 0)) };
const noWindow = (): never => {
  throw new Error('not an image layer');
};

describe('colour bars', () => {
  it('an image layer: its colour map over the display window, the window ends marked', () => {
    const layer: ImageLayer = { id: 'a', kind: 'image', image, colormap: 'hot' };
    const bar = colourBarOf(layer, () => ({ window: 200, level: 150 }))!;
    expect(bar.ticks.map((t) => t.label)).toEqual(['50', '250']);
    expect(bar.stops[0].rgb).toEqual(COLORMAPS.hot[0].rgb);
    expect(bar.stops[bar.stops.length - 1].rgb).toEqual(COLORMAPS.hot[COLORMAPS.hot.length - 1].rgb);
    // Halfway along the bar is the map's middle.
    expect(bar.stops[(bar.stops.length - 1) / 2].rgb).toEqual(sampleColormap(COLORMAPS.hot, 0.5));
  });

  it('det J: folds in their own colour at the left, 1 (no volume change) in the middle', () => {
    const bar = colourBarOf({ id: 'j', kind: 'jacobian', field }, noWindow)!;
    expect(bar.stops[0].rgb).toEqual(FOLD_COLOR);
    expect(bar.ticks).toEqual([
      { offset: 0, label: '≤ 0 folds' },
      { offset: 0.5, label: '1' },
      { offset: 1, label: '≥ 2' },
    ]);
    expect(bar.stops[(bar.stops.length - 1) / 2].rgb).toEqual(sampleColormap(JACOBIAN_COLORMAP, 1));
  });

  it('|u|: millimetres, from 0 to the window the layer draws with', () => {
    const bar = colourBarOf({ id: 'u', kind: 'displacement', field, window: { window: 6, level: 3 } }, noWindow)!;
    expect(bar.ticks.map((t) => t.label)).toEqual(['0 mm', '6 mm']);
    expect(bar.caption).toMatch(/displacement/);
  });

  it('a heatmap: from its faintest shown similarity to the peak, in the chosen map', () => {
    const values = { grid, pixels: new Uint8Array(64) };
    const log = colourBarOf({ id: 'h', kind: 'heatmap', values, colormap: 'viridis' }, noWindow)!;
    expect(log.ticks.map((t) => t.label)).toEqual(['1/255 of the peak', 'peak']);
    expect(log.stops[log.stops.length - 1].rgb).toEqual(COLORMAPS.viridis[COLORMAPS.viridis.length - 1].rgb);
    const linear = colourBarOf({ id: 'h', kind: 'heatmap', values, scale: 'linear' }, noWindow)!;
    expect(linear.caption).toBe('similarity (linear)');
  });

  it('none for label maps and grids', () => {
    expect(colourBarOf({ id: 'l', kind: 'labels', image }, noWindow)).toBeNull();
    expect(colourBarOf({ id: 'g', kind: 'grid', field }, noWindow)).toBeNull();
  });

  it('marks values as people read them', () => {
    expect([0, 1, 2.5, 1234.5, -600, 0.004, 13.333333].map(tickLabel)).toEqual(['0', '1', '2.5', '1.23e+3', '-600', '4e-3', '13.3']);
  });
});
