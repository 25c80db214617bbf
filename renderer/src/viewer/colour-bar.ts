// What a colour bar shows for a layer: the colours its transfer function gives over the values
// on screen, and the values at its ends (and at the marks that matter, such as det J = 1).
// Plain data, drawn by ColourBar.svelte; label layers have a legend (the label list) instead.

import type { Rgb } from './label-table';
import { COLORMAPS, heatmapTransfer, JACOBIAN_COLORMAP, JACOBIAN_RANGE, sampleColormap, type ColormapName, type ColorPoint, type HeatmapScale } from './colormaps';
import { magnitudeOf } from './derived-data';
import type { ImageLayer, ViewerLayer } from './layers';
import { windowRange, type WindowLevel } from './window-level';

export interface ColourBar {
  /** Colours along the bar, left (low) to right (high): offset 0..1. */
  readonly stops: readonly { readonly offset: number; readonly rgb: Rgb }[];
  /** Values marked under the bar, at offsets 0..1. */
  readonly ticks: readonly { readonly offset: number; readonly label: string }[];
  /** What the values are. */
  readonly caption: string;
}

/** Stops enough that a piecewise-linear map is drawn exactly and a smooth one smoothly. */
const STOPS = 32;

/** The map's colours at evenly spaced values from `low` to `high` (data values, the map's own x). */
function sampledStops(points: readonly ColorPoint[], low: number, high: number) {
  return Array.from({ length: STOPS + 1 }, (_, i) => ({ offset: i / STOPS, rgb: sampleColormap(points, low + ((high - low) * i) / STOPS) }));
}

/** Numbers as people read them on a bar: three significant digits, no trailing noise. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 || magnitude < 0.01) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(3)));
}

const ends = (low: number, high: number, unit = '') => [
  { offset: 0, label: `${tickLabel(low)}${unit}` },
  { offset: 1, label: `${tickLabel(high)}${unit}` },
];

/** A similarity heatmap's bar: over the map's position t, linear in the similarity or in its logarithm. */
export function heatmapColourBar(colormap: ColormapName, scale: HeatmapScale): ColourBar {
  const { colors } = heatmapTransfer(colormap, scale);
  const stops = Array.from({ length: STOPS + 1 }, (_, i) => {
    const t = i / STOPS;
    return { offset: t, rgb: sampleColormap(colors, scale === 'linear' ? 255 * t : 255 ** t) };
  });
  return { stops, ticks: [{ offset: 0, label: scale === 'log' ? '1/255 of the peak' : '0' }, { offset: 1, label: 'peak' }], caption: `similarity (${scale})` };
}

/** The bar of a layer as drawn, or null for layers without one (labels, grids). */
export function colourBarOf(layer: ViewerLayer, windowOf: (layer: ImageLayer) => WindowLevel): ColourBar | null {
  switch (layer.kind) {
    case 'image': {
      // The window maps onto the whole map; values outside it take the end colours.
      const [low, high] = windowRange(windowOf(layer));
      return { stops: sampledStops(COLORMAPS[layer.colormap ?? 'gray'], 0, 1), ticks: ends(low, high), caption: 'intensity (window)' };
    }
    case 'jacobian': {
      const [low, high] = JACOBIAN_RANGE;
      // The determinant's colours are fixed values, whatever the field: folds always yellow.
      return {
        stops: sampledStops(JACOBIAN_COLORMAP, low, high),
        ticks: [
          { offset: 0, label: '≤ 0 folds' },
          { offset: (1 - low) / (high - low), label: '1' },
          { offset: 1, label: `≥ ${high}` },
        ],
        caption: 'det J (volume change)',
      };
    }
    case 'displacement': {
      const [low, high] = windowRange(layer.window ?? magnitudeOf(layer.field).window);
      return { stops: sampledStops(COLORMAPS.inferno, 0, 1), ticks: ends(Math.max(0, low), high, ' mm'), caption: '|u| (displacement)' };
    }
    case 'heatmap':
      return heatmapColourBar(layer.colormap ?? 'hot', layer.scale ?? 'log');
    default:
      return null;
  }
}
