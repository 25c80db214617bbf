// Windows, label tables and colours, readouts: the numbers the viewer shows.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld } from '../../../shared/geometry/grid';
import { autoWindow, dragWindowLevel, matchingPreset, presetWindow, WINDOW_PRESETS, windowRange } from '../../../renderer/src/viewer/window-level';
import { buildLabelTable, distinctNonzero, generatedLabelColor, indexLabels, normalizeColor } from '../../../renderer/src/viewer/label-table';
import { readoutAt, readoutText, widestReadoutText } from '../../../renderer/src/viewer/readout';
import { worldBoundingBox } from '../../../renderer/src/viewer/grid-view';
import { JACOBIAN_COLORMAP, FOLD_COLOR, sampleColormap } from '../../../renderer/src/viewer/colormaps';
import type { Vec3 } from '../../../renderer/src/viewer/view-types';

const mr = { range: { min: 0, max: 1000 }, percentiles: { p1: 40, p50: 300, p99: 840 } };

describe('window/level', () => {
  it('offers the CT presets with their standard numbers', () => {
    expect(presetWindow('ct-brain', mr)).toEqual({ window: 80, level: 40 });
    expect(presetWindow('ct-lung', mr)).toEqual({ window: 1500, level: -600 });
    expect(presetWindow('ct-bone', mr)).toEqual({ window: 1800, level: 400 });
    expect(presetWindow('ct-abdomen', mr)).toEqual({ window: 400, level: 50 });
    expect(WINDOW_PRESETS.map((p) => p.id)).toContain('mri-auto');
  });

  it('sets MRI auto from the 1st to the 99th percentile', () => {
    const wl = presetWindow('mri-auto', mr);
    expect(windowRange(wl)).toEqual([40, 840]);
    expect(matchingPreset(wl, mr)).toBe('mri-auto');
    expect(matchingPreset({ window: 81, level: 40 }, mr)).toBeNull();
  });

  it('falls back to the full range when the percentiles collapse (binary images)', () => {
    expect(autoWindow({ range: { min: 0, max: 1 }, percentiles: { p1: 1, p50: 1, p99: 1 } })).toEqual({ window: 1, level: 0.5 });
  });

  it('widens the window dragging right and brightens dragging up', () => {
    const start = { window: 100, level: 50 };
    expect(dragWindowLevel(start, 10, 0, 2)).toEqual({ window: 120, level: 50 });
    expect(dragWindowLevel(start, 0, -10, 2).level).toBe(30);
    expect(dragWindowLevel(start, -1000, 0, 2).window).toBeGreaterThan(0);
  });
});

describe('label colours and display indices', () => {
  it('reads label-table colours given as 0..255 or as 0..1', () => {
    expect(normalizeColor([255, 128, 0])).toEqual([1, 128 / 255, 0]);
    expect(normalizeColor([1, 0.5, 0])).toEqual([1, 0.5, 0]);
  });

  it('generates the same colour for a value whatever else is present, and tells neighbours apart', () => {
    expect(buildLabelTable([5, 9]).colors[1]).toEqual(buildLabelTable([1, 2, 3, 5]).colors[4]);
    for (let v = 1; v < 200; v++) {
      const a = generatedLabelColor(v);
      const b = generatedLabelColor(v + 1);
      expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeGreaterThan(0.15);
    }
  });

  it('maps large label values (AAL codes) to small display indices, keeping names', () => {
    const pixels = new Int16Array([0, 2001, 2001, 9170, 0, 2002]);
    const { table, indices } = indexLabels(pixels, [
      { value: 2001, name: 'Precentral_L' },
      { value: 9170, name: 'Vermis_10', color: [10, 20, 30] },
    ]);
    expect(table.values).toEqual([0, 2001, 2002, 9170]);
    expect([...indices]).toEqual([0, 1, 1, 3, 0, 2]);
    expect(table.names[1]).toBe('Precentral_L');
    expect(table.colors[3]).toEqual([10 / 255, 20 / 255, 30 / 255]);
    expect(table.colors[2]).toEqual(generatedLabelColor(2002));
  });

  it('finds the same distinct nonzero values in every pixel type, negative ones and past the limit too', () => {
    const values = [0, 0, 7, 7, 7, -3, 0, 100, 7, 5, 5, 0, 9];
    for (const Type of [Int8Array, Int16Array, Int32Array, Float32Array, Float64Array])
      expect(distinctNonzero(Type.from(values), 4096), Type.name).toEqual({ values: [-3, 5, 7, 9, 100], overflow: false });
    for (const Type of [Uint8Array, Uint16Array]) expect(distinctNonzero(Type.from(values.filter((v) => v >= 0)), 4096), Type.name).toEqual({ values: [5, 7, 9, 100], overflow: false });
    // Past the limit, the first values met are kept, whatever the type.
    const many = Uint16Array.from({ length: 5000 }, (_, i) => 5000 - i);
    const kept = distinctNonzero(many, 10);
    expect(kept).toEqual({ values: [4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000], overflow: true });
    expect(distinctNonzero(Float32Array.from(many), 10)).toEqual(kept);
  });

  it('uses an 8-bit map with values 0, 1, 2, ... as is, without a copy', () => {
    const pixels = new Uint8Array([0, 1, 2, 2, 1, 3]);
    expect(indexLabels(pixels).indices).toBe(pixels);
  });

  it('keeps at most 255 labels and says how many it dropped', () => {
    const table = buildLabelTable(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(table.values.length).toBe(256);
    expect(table.dropped).toBe(45);
  });
});

describe('Jacobian colours', () => {
  it('shows folds in the fold colour and det J = 1 as near white', () => {
    expect(sampleColormap(JACOBIAN_COLORMAP, -0.3)).toEqual(FOLD_COLOR);
    expect(sampleColormap(JACOBIAN_COLORMAP, 0)).toEqual(FOLD_COLOR);
    expect(sampleColormap(JACOBIAN_COLORMAP, 1).every((c) => c > 0.9)).toBe(true);
    const compress = sampleColormap(JACOBIAN_COLORMAP, 0.5);
    const expand = sampleColormap(JACOBIAN_COLORMAP, 1.5);
    expect(compress[2]).toBeGreaterThan(compress[0]);
    expect(expand[0]).toBeGreaterThan(expand[2]);
  });
});

describe('readout', () => {
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const grid: ImageGrid = { size: [4, 3, 2], spacing: [2, 1.5, 3], origin: [10, -5, 7], direction: [c, -s, 0, s, c, 0, 0, 0, 1] };
  const pixels = Float32Array.from({ length: 24 }, (_, i) => i * 10);
  const labels = new Uint8Array(24).fill(0);
  labels[1 + 4 * 2 + 12] = 7;

  it('reports the nearest voxel of an oblique, anisotropic grid and its stored value', () => {
    const world = indexToWorld(grid, [1.3, 1.8, 0.6]) as Vec3;
    const r = readoutAt(world, { id: 'img', name: 'img', grid, pixels }, []);
    expect(r.index).toEqual([1, 2, 1]);
    expect(r.value).toBe((1 + 4 * 2 + 12) * 10);
    expect(r.world).toBe(world);
  });

  it('names the label under the point from the top-most label map that has one', () => {
    const world = indexToWorld(grid, [1, 2, 1]) as Vec3;
    const empty = { id: 'a', name: 'a', grid, pixels: new Uint8Array(24) };
    const named = { id: 'b', name: 'b', grid, pixels: labels, labels: [{ value: 7, name: 'Hippocampus_L' }] };
    const r = readoutAt(world, null, [empty, named]);
    expect(r.label).toEqual({ layerId: 'b', value: 7, name: 'Hippocampus_L' });
    expect(r.value).toBeNull();
  });

  it('says outside when the point is past the outer voxel faces', () => {
    const r = readoutAt(indexToWorld(grid, [3.6, 1, 1]) as Vec3, { id: 'img', name: 'img', grid, pixels }, []);
    expect(r.index).toBeNull();
    expect(r.value).toBeNull();
  });

  it('reports |u| for displacement fields', () => {
    const field = { id: 'u', name: 'u', grid, pixels: new Float32Array(72).fill(0), components: 3 };
    field.pixels.set([3, 4, 12], 3 * (1 + 4 * 2 + 12));
    const r = readoutAt(indexToWorld(grid, [1, 2, 1]) as Vec3, null, [], [field]);
    expect(r.others).toEqual([{ id: 'u', name: 'u', value: 13 }]);
  });

  // Its height must not follow the pointer: a new line would shrink the views under it.
  it('reads no longer anywhere over the views, part by part, than its widest text for the layers', () => {
    const fov = worldBoundingBox(grid);
    const base = { id: 'img', name: 'img', grid, pixels, values: { range: { min: 0, max: 230 }, whole: false } };
    const named = { id: 'b', name: 'b', grid, pixels: labels, labels: [{ value: 7, name: 'Hippocampus_L' }], values: { range: { min: 0, max: 7 }, whole: true } };
    const moving = { id: 'm', name: 'moving', grid, pixels: Int16Array.from({ length: 24 }, (_, i) => -i), values: { range: { min: -23, max: 0 }, whole: true } };
    const widest = widestReadoutText(fov, base, [named], [moving]);
    expect(widest.label).toBe('Hippocampus_L (7)');
    expect(widest.others.map((o) => o.name)).toEqual(['moving']);
    const extent = Math.max(...fov.max.map((v, a) => v - fov.min[a]));
    let seen = 0;
    for (let i = 0; i <= 20; i++)
      for (let j = 0; j <= 20; j++)
        for (let k = 0; k <= 4; k++) {
          // The field of view and a margin of its size on every side.
          const world = [i / 20, j / 20, k / 4].map((t, a) => fov.min[a] - extent + t * (fov.max[a] - fov.min[a] + 2 * extent)) as Vec3;
          const text = readoutText(readoutAt(world, base, [named], [moving]));
          expect(text.world.length).toBeLessThanOrEqual(widest.world.length);
          expect(text.index.length).toBeLessThanOrEqual(widest.index.length);
          expect(text.value.length).toBeLessThanOrEqual(widest.value.length);
          expect((text.label ?? '').length).toBeLessThanOrEqual(widest.label!.length);
          text.others.forEach((o, n) => expect(o.value.length).toBeLessThanOrEqual(widest.others[n].value.length));
          if (text.label) seen++;
        }
    expect(seen).toBeGreaterThan(0);
  });
});
