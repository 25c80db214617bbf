// From what the app asked to show (layers, compare settings) and the view state (windows,
// flicker phase, selected label) to what each pane draws. Pure: the facade only executes it.
//
// Compare modes act on the fixed layer F and the moving image M (the first image layer of
// the showing before/after set):
//   blend          M over F at the blend opacity
//   side-by-side   M and the rest of its set move to a second pane
//   checkerboard   M in alternate tiles of the plane; curtain: M right of the split
//   flicker        M on and off
//   fusion         F green + M magenta, difference: F − M (each through its own window)

import { COLORMAPS, heatmapTransfer, JACOBIAN_COLORMAP, JACOBIAN_OPACITY } from './colormaps';
import { displayLabelsOf, heatmapImageOf, jacobianOf, magnitudeOf, scalarImageOf } from './derived-data';
import type { CompareSettings, ImageLayer, LabelSelection, ViewerLayer } from './layers';
import { isVisible, layerOpacity } from './layers';
import type { GridOverlaySpec, RegionSpec, SliceLayerSpec, VolumeSpec } from './render-spec';
import type { WindowLevel } from './window-level';

export type PaneRole = 'primary' | 'secondary';

export interface PlanInput {
  readonly layers: readonly ViewerLayer[];
  readonly compare: CompareSettings | null;
  readonly pane: PaneRole;
  /** Flicker: whether the moving image is on in this phase. */
  readonly flickerOn: boolean;
  readonly windowOf: (layer: ImageLayer) => WindowLevel;
  readonly selectedLabel: LabelSelection | null;
}

export interface DisplayPlan {
  readonly slices: SliceLayerSpec[];
  readonly grids: GridOverlaySpec[];
  readonly volume: VolumeSpec | null;
}

/** The compare settings, if they name layers that exist and make sense together. */
export function activeCompare(layers: readonly ViewerLayer[], compare: CompareSettings | null): CompareSettings | null {
  if (!compare) return null;
  const fixed = layers.find((l) => l.id === compare.fixedLayerId);
  return fixed?.kind === 'image' ? compare : null;
}

/** Ids of the before/after set that is not showing: hidden everywhere. */
function hiddenIds(compare: CompareSettings | null): Set<string> {
  if (!compare) return new Set();
  const hidden = compare.showing === 'after' ? (compare.before ?? []) : compare.after;
  const shown = new Set(compare.showing === 'after' ? compare.after : (compare.before ?? []));
  return new Set(hidden.filter((id) => !shown.has(id)));
}

export function showingIds(compare: CompareSettings): readonly string[] {
  return compare.showing === 'after' ? compare.after : (compare.before ?? compare.after);
}

/** The moving image being compared: the first image layer of the showing set. */
export function comparedMoving(layers: readonly ViewerLayer[], compare: CompareSettings | null): ImageLayer | null {
  if (!compare) return null;
  for (const id of showingIds(compare)) {
    const layer = layers.find((l) => l.id === id);
    if (layer?.kind === 'image' && layer.id !== compare.fixedLayerId) return layer;
  }
  return null;
}

/** The visible layers of one pane, bottom to top. */
export function paneLayers(layers: readonly ViewerLayer[], compareIn: CompareSettings | null, pane: PaneRole): ViewerLayer[] {
  const compare = activeCompare(layers, compareIn);
  const hidden = hiddenIds(compare);
  const visible = layers.filter((l) => isVisible(l) && !hidden.has(l.id));
  if (compare?.mode !== 'side-by-side') return pane === 'primary' ? visible : [];
  const moved = new Set(showingIds(compare));
  moved.delete(compare.fixedLayerId);
  return visible.filter((l) => (pane === 'secondary') === moved.has(l.id));
}

/** The image the pane's readout, paging and 3D view are based on: its bottom image layer. */
export function baseImageLayer(layers: readonly ViewerLayer[]): ImageLayer | null {
  return (layers.find((l) => l.kind === 'image') as ImageLayer | undefined) ?? null;
}

export function planDisplay(input: PlanInput): DisplayPlan {
  const compare = activeCompare(input.layers, input.compare);
  const layers = paneLayers(input.layers, compare, input.pane);
  const moving = comparedMoving(input.layers, compare);
  const fixed = compare ? (input.layers.find((l) => l.id === compare.fixedLayerId) as ImageLayer) : null;
  const composite = compare && moving && fixed && (compare.mode === 'fusion' || compare.mode === 'difference') ? compare.mode : null;

  const slices: SliceLayerSpec[] = [];
  const grids: GridOverlaySpec[] = [];
  for (const layer of layers) {
    const key = `${input.pane}:${layer.id}`;
    switch (layer.kind) {
      case 'image': {
        if (composite && (layer === moving || layer === fixed)) {
          if (layer === fixed)
            slices.push({
              kind: 'composite',
              key: `${key}:${composite}`,
              mode: composite,
              fixed: scalarImageOf(fixed.image),
              moving: scalarImageOf(moving!.image),
              fixedWindow: input.windowOf(fixed),
              movingWindow: input.windowOf(moving!),
            });
          continue;
        }
        let opacity = layerOpacity(layer);
        let region: RegionSpec | null = null;
        if (layer === moving && compare && input.pane === 'primary') {
          if (compare.mode === 'blend') opacity = compare.blendOpacity;
          if (compare.mode === 'flicker') opacity = input.flickerOn ? 1 : 0;
          if (compare.mode === 'checkerboard') region = { kind: 'checkerboard', tileMm: compare.tileMm };
          if (compare.mode === 'curtain') region = { kind: 'curtain', fraction: compare.curtain };
        }
        // Opacity 0 (flicker's off phase) keeps the actor, hidden: no texture re-upload.
        slices.push({
          kind: 'scalar',
          key,
          image: scalarImageOf(layer.image),
          colormap: COLORMAPS[layer.colormap ?? 'gray'],
          window: input.windowOf(layer),
          opacityPoints: null,
          opacity,
          interpolation: layer.interpolation ?? 'linear',
          region,
        });
        break;
      }
      case 'labels': {
        const { indices, table } = displayLabelsOf(layer.image);
        const selected = input.selectedLabel?.layerId === layer.id ? table.values.indexOf(input.selectedLabel.value) : -1;
        slices.push({
          kind: 'labels',
          key,
          image: indices,
          table,
          opacity: layerOpacity(layer),
          outlineWidth: layer.outline ? Math.min(5, Math.max(1, Math.round(layer.outlineWidth ?? 1))) : null,
          highlight: selected > 0 ? selected : null,
          region: null,
        });
        break;
      }
      case 'jacobian':
        slices.push({
          kind: 'scalar',
          key,
          image: jacobianOf(layer.field).determinant,
          colormap: JACOBIAN_COLORMAP,
          window: null,
          opacityPoints: JACOBIAN_OPACITY,
          opacity: layerOpacity(layer),
          interpolation: 'linear',
          region: null,
        });
        break;
      case 'displacement': {
        const m = magnitudeOf(layer.field);
        slices.push({
          kind: 'scalar',
          key,
          image: m.magnitude,
          colormap: COLORMAPS.inferno,
          window: layer.window ?? m.window,
          opacityPoints: null,
          opacity: layerOpacity(layer),
          interpolation: 'linear',
          region: null,
        });
        break;
      }
      case 'heatmap': {
        const transfer = heatmapTransfer(layer.colormap ?? 'hot', layer.scale ?? 'log');
        slices.push({
          kind: 'scalar',
          key,
          image: heatmapImageOf(layer.values),
          colormap: transfer.colors,
          window: null,
          opacityPoints: transfer.opacity,
          opacity: layerOpacity(layer),
          interpolation: 'linear',
          region: null,
        });
        break;
      }
      case 'grid':
        grids.push({ key, field: layer.field, spacingMm: layer.spacingMm ?? 5, color: layer.color ?? '#7fe3ff', opacity: layerOpacity(layer) });
        break;
    }
  }

  // The other before/after image stays on the GPU, drawn fully transparent, so that "b"
  // swaps at once instead of uploading a volume.
  const warmPane: PaneRole = compare?.mode === 'side-by-side' ? 'secondary' : 'primary';
  if (compare && input.pane === warmPane)
    for (const id of hiddenIds(compare)) {
      const layer = input.layers.find((l) => l.id === id);
      if (layer?.kind !== 'image' || !isVisible(layer)) continue;
      slices.push({
        kind: 'scalar',
        key: `${input.pane}:${layer.id}`,
        image: scalarImageOf(layer.image),
        colormap: COLORMAPS[layer.colormap ?? 'gray'],
        window: input.windowOf(layer),
        opacityPoints: null,
        opacity: 0,
        interpolation: layer.interpolation ?? 'linear',
        region: null,
      });
    }

  const base = baseImageLayer(layers);
  const volume: VolumeSpec | null = base ? { key: `${input.pane}:${base.id}`, image: scalarImageOf(base.image), window: input.windowOf(base) } : null;
  return { slices, grids, volume };
}
