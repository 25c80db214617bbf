// What each pane draws for each compare mode, before/after, labels and overlays.

import { describe, expect, it } from 'vitest';
import type { LoadedImage } from '../../../shared/contract/image-channels';
import { planDisplay, paneLayers, type PlanInput } from '../../../renderer/src/viewer/display-plan';
import { DEFAULT_COMPARE, type CompareMode, type CompareSettings, type ViewerLayer } from '../../../renderer/src/viewer/layers';
import type { SliceLayerSpec } from '../../../renderer/src/viewer/render-spec';
import { autoWindow } from '../../../renderer/src/viewer/window-level';

const grid = { size: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
const image = (id: string, role: 'intensity' | 'labels' = 'intensity'): LoadedImage => ({
  info: {
    id,
    name: id,
    source: id,
    format: 'test',
    grid,
    componentType: 'uint8',
    pixelType: 'scalar',
    components: 1,
    range: { min: 0, max: 9 },
    percentiles: { p1: 1, p50: 4, p99: 9 },
    role,
    nonFinite: 0,
    warnings: [],
    ...(role === 'labels' ? { labels: [{ value: 3, name: 'three' }] } : {}),
  },
  pixels: new Uint8Array(64).map((_, i) => i % 4),
});

const field = { grid, components: 3, pixels: new Float32Array(192) };
const layers: ViewerLayer[] = [
  { id: 'fixed', kind: 'image', image: image('fixed') },
  { id: 'before', kind: 'image', image: image('before') },
  { id: 'after', kind: 'image', image: image('after') },
  { id: 'labels', kind: 'labels', image: image('labels', 'labels'), outline: true },
  { id: 'jac', kind: 'jacobian', field },
  { id: 'grid', kind: 'grid', field, spacingMm: 4 },
];
const compare = (mode: CompareMode, showing: 'before' | 'after' = 'after'): CompareSettings => ({
  ...DEFAULT_COMPARE,
  fixedLayerId: 'fixed',
  before: ['before'],
  after: ['after', 'jac', 'grid'],
  mode,
  showing,
});
const input = (c: CompareSettings | null, extra: Partial<PlanInput> = {}): PlanInput => ({
  layers,
  compare: c,
  pane: 'primary',
  flickerOn: true,
  windowOf: (l) => l.window ?? autoWindow(l.image.info),
  selectedLabel: null,
  ...extra,
});
const keys = (slices: SliceLayerSpec[]) => slices.map((s) => s.key);
const find = (slices: SliceLayerSpec[], key: string) => slices.find((s) => s.key === `primary:${key}`)!;

describe('display plan', () => {
  it('draws every visible layer bottom to top without compare settings', () => {
    const plan = planDisplay(input(null));
    expect(keys(plan.slices)).toEqual(['primary:fixed', 'primary:before', 'primary:after', 'primary:labels', 'primary:jac']);
    expect(plan.grids.map((g) => g.key)).toEqual(['primary:grid']);
    expect(plan.volume?.key).toBe('primary:fixed');
  });

  it('shows the after set and hides the before set, and swaps them with "showing"', () => {
    const after = planDisplay(input(compare('blend')));
    expect(keys(after.slices)).toEqual(['primary:fixed', 'primary:after', 'primary:labels', 'primary:jac', 'primary:before']);
    expect(find(after.slices, 'before')).toMatchObject({ opacity: 0 }); // kept on the GPU, not drawn
    const before = planDisplay(input(compare('blend', 'before')));
    expect(keys(before.slices)).toEqual(['primary:fixed', 'primary:before', 'primary:labels', 'primary:after']);
    expect(find(before.slices, 'after')).toMatchObject({ opacity: 0 });
    expect(before.grids).toEqual([]);
  });

  it('blends the moving image at the blend opacity', () => {
    const plan = planDisplay(input({ ...compare('blend'), blendOpacity: 0.3 }));
    expect(find(plan.slices, 'after')).toMatchObject({ kind: 'scalar', opacity: 0.3, region: null });
    expect(find(plan.slices, 'fixed')).toMatchObject({ opacity: 1 });
  });

  it('limits the moving image to tiles or to the curtain', () => {
    expect(find(planDisplay(input({ ...compare('checkerboard'), tileMm: 12 })).slices, 'after')).toMatchObject({ region: { kind: 'checkerboard', tileMm: 12 }, opacity: 1 });
    expect(find(planDisplay(input({ ...compare('curtain'), curtain: 0.25 })).slices, 'after')).toMatchObject({ region: { kind: 'curtain', fraction: 0.25 } });
  });

  it('flickers by hiding the moving image, keeping its actor', () => {
    expect(find(planDisplay(input(compare('flicker'), { flickerOn: false })).slices, 'after')).toMatchObject({ opacity: 0 });
    expect(find(planDisplay(input(compare('flicker'), { flickerOn: true })).slices, 'after')).toMatchObject({ opacity: 1 });
  });

  it('replaces fixed and moving by one GPU composite for fusion and difference', () => {
    for (const mode of ['fusion', 'difference'] as const) {
      const plan = planDisplay(input(compare(mode)));
      expect(keys(plan.slices)).toEqual([`primary:fixed:${mode}`, 'primary:labels', 'primary:jac', 'primary:before']);
      const composite = plan.slices[0];
      expect(composite.kind === 'composite' && composite.mode).toBe(mode);
    }
  });

  it('moves the showing set to a second pane side by side', () => {
    const c = compare('side-by-side');
    expect(paneLayers(layers, c, 'primary').map((l) => l.id)).toEqual(['fixed', 'labels']);
    expect(paneLayers(layers, c, 'secondary').map((l) => l.id)).toEqual(['after', 'jac', 'grid']);
    expect(planDisplay(input(c, { pane: 'secondary' })).volume?.key).toBe('secondary:after');
  });

  it('outlines labels and highlights the selected one', () => {
    const plan = planDisplay(input(null, { selectedLabel: { layerId: 'labels', value: 3 } }));
    const labels = find(plan.slices, 'labels');
    expect(labels).toMatchObject({ kind: 'labels', outlineWidth: 1, highlight: 3 });
  });

  it('ignores compare settings that name no image layer as fixed', () => {
    const plan = planDisplay(input({ ...compare('fusion'), fixedLayerId: 'nope' }));
    expect(plan.slices.every((s) => s.kind !== 'composite')).toBe(true);
  });
});
