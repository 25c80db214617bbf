// Colour maps as control points. Intensity-like layers use maps over 0..1 (black to white
// of the display window); the Jacobian map is over fixed determinant values so that folds
// are always the same colour whatever the window.

import type { Rgb } from './label-table';

export interface ColorPoint {
  readonly x: number;
  readonly rgb: Rgb;
}

export type ColormapName = 'gray' | 'hot' | 'inferno' | 'viridis' | 'jet' | 'green' | 'magenta' | 'cool-warm';

/** The maps offered for an image layer (green and magenta are fusion's halves). */
export const IMAGE_COLORMAPS: readonly ColormapName[] = ['gray', 'hot', 'inferno', 'viridis', 'jet', 'cool-warm'];

export const COLORMAPS: Record<ColormapName, readonly ColorPoint[]> = {
  gray: [
    { x: 0, rgb: [0, 0, 0] },
    { x: 1, rgb: [1, 1, 1] },
  ],
  hot: [
    { x: 0, rgb: [0, 0, 0] },
    { x: 0.4, rgb: [1, 0, 0] },
    { x: 0.8, rgb: [1, 1, 0] },
    { x: 1, rgb: [1, 1, 1] },
  ],
  // Perceptually ordered, for displacement magnitude.
  inferno: [
    { x: 0, rgb: [0, 0, 0.016] },
    { x: 0.25, rgb: [0.341, 0.062, 0.431] },
    { x: 0.5, rgb: [0.733, 0.216, 0.329] },
    { x: 0.75, rgb: [0.976, 0.557, 0.035] },
    { x: 1, rgb: [0.988, 1, 0.643] },
  ],
  // Perceptually uniform, luminance rising throughout; its top is yellow, not white.
  viridis: [
    { x: 0, rgb: [0.267, 0.005, 0.329] },
    { x: 0.125, rgb: [0.283, 0.141, 0.458] },
    { x: 0.25, rgb: [0.229, 0.322, 0.546] },
    { x: 0.375, rgb: [0.173, 0.449, 0.558] },
    { x: 0.5, rgb: [0.128, 0.567, 0.551] },
    { x: 0.625, rgb: [0.135, 0.659, 0.518] },
    { x: 0.75, rgb: [0.267, 0.749, 0.441] },
    { x: 0.875, rgb: [0.478, 0.821, 0.318] },
    { x: 1, rgb: [0.993, 0.906, 0.144] },
  ],
  // The classic rainbow: familiar from other viewers, though not perceptually ordered.
  jet: [
    { x: 0, rgb: [0, 0, 0.5] },
    { x: 0.11, rgb: [0, 0, 1] },
    { x: 0.125, rgb: [0, 0, 1] },
    { x: 0.34, rgb: [0, 0.875, 1] },
    { x: 0.375, rgb: [0, 1, 1] },
    { x: 0.625, rgb: [1, 1, 0] },
    { x: 0.89, rgb: [1, 0, 0] },
    { x: 1, rgb: [0.5, 0, 0] },
  ],
  // The two halves of magenta/green fusion: equal where the images agree.
  green: [
    { x: 0, rgb: [0, 0, 0] },
    { x: 1, rgb: [0, 1, 0] },
  ],
  magenta: [
    { x: 0, rgb: [0, 0, 0] },
    { x: 1, rgb: [1, 0, 1] },
  ],
  'cool-warm': [
    { x: 0, rgb: [0.23, 0.3, 0.75] },
    { x: 0.5, rgb: [0.87, 0.87, 0.87] },
    { x: 1, rgb: [0.71, 0.02, 0.15] },
  ],
};

/** Folds (det J ≤ 0) stand out in a colour the rest of the map never uses. */
export const FOLD_COLOR: Rgb = [1, 1, 0];

/**
 * Jacobian determinant: compression blue, volume-preserving near white, expansion red, folds
 * yellow. Over determinant values; values past 2 read as 2.
 */
export const JACOBIAN_COLORMAP: readonly ColorPoint[] = [
  { x: 0, rgb: FOLD_COLOR },
  { x: 0.002, rgb: [0.1, 0.2, 0.9] },
  { x: 0.5, rgb: [0.45, 0.6, 1] },
  { x: 1, rgb: [0.95, 0.95, 0.95] },
  { x: 1.5, rgb: [1, 0.55, 0.45] },
  { x: 2, rgb: [0.85, 0.05, 0.05] },
];

export const JACOBIAN_RANGE: readonly [number, number] = [0, 2];

export interface OpacityPoint {
  readonly x: number;
  readonly alpha: number;
}

/** Volume-preserving regions fade out so the anatomy shows; folds are opaque. */
export const JACOBIAN_OPACITY: readonly OpacityPoint[] = [
  { x: 0, alpha: 1 },
  { x: 0.002, alpha: 0.9 },
  { x: 0.6, alpha: 0.7 },
  { x: 0.92, alpha: 0.12 },
  { x: 1, alpha: 0 },
  { x: 1.08, alpha: 0.12 },
  { x: 1.4, alpha: 0.7 },
  { x: 2, alpha: 0.9 },
];

/**
 * Heatmaps: a softmax puts most of its mass on a few voxels, so the faint tail is transparent
 * and only the hot region covers the anatomy. Opacity over the colour map's position t.
 */
const HEATMAP_ALPHA: Record<'linear' | 'log', (t: number) => number> = {
  linear: (t) => (t < 0.05 ? 0 : Math.min(1, 0.15 + 0.85 * Math.sqrt((t - 0.05) / 0.95))),
  // The tail fades in, so a diffuse match tints rather than hides the anatomy.
  log: (t) => t ** 0.8,
};

export type HeatmapScale = 'linear' | 'log';

/** Control points per transfer function: enough that a log ramp is smooth. */
const HEATMAP_STEPS = 24;

const heatmapTransfers = new Map<string, { colors: readonly ColorPoint[]; opacity: readonly OpacityPoint[] }>();

/**
 * Colour and opacity over a heatmap's values 0..`top`. Linear: value v sits at t = v/top. Log:
 * t = log(v)/log(top), so everything from 1/top of the peak up shows (where the attention's
 * weighted mean gathers its tail), and 0 is transparent. One object per map, scale and top.
 */
export function heatmapTransfer(name: ColormapName, scale: HeatmapScale, top = 255): { colors: readonly ColorPoint[]; opacity: readonly OpacityPoint[] } {
  const key = `${name}:${scale}:${top}`;
  let t = heatmapTransfers.get(key);
  if (!t) {
    const steps = Array.from({ length: HEATMAP_STEPS + 1 }, (_, i) => i / HEATMAP_STEPS);
    const valueAt = (u: number) => (scale === 'linear' ? u * top : top ** u);
    const colors = steps.map((u) => ({ x: valueAt(u), rgb: sampleColormap(COLORMAPS[name], u) }));
    const opacity = steps.map((u) => ({ x: valueAt(u), alpha: HEATMAP_ALPHA[scale](u) }));
    // Log: zero (below the first step, 1) is no similarity at all.
    if (scale === 'log') {
      colors.unshift({ x: 0, rgb: colors[0].rgb });
      opacity.unshift({ x: 0, alpha: 0 }, { x: 0.999, alpha: 0 });
    }
    t = { colors, opacity };
    heatmapTransfers.set(key, t);
  }
  return t;
}

/** Linear interpolation between control points; clamped at both ends. */
export function sampleColormap(points: readonly ColorPoint[], x: number): Rgb {
  if (x <= points[0].x) return points[0].rgb;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (x <= b.x) {
      const t = (x - a.x) / (b.x - a.x);
      return [0, 1, 2].map((c) => a.rgb[c] + t * (b.rgb[c] - a.rgb[c])) as unknown as Rgb;
    }
  }
  return points[points.length - 1].rgb;
}
