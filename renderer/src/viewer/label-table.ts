// Label maps as drawn: each label value gets a small display index (1..255, 0 = background)
// and a colour. Indices keep label outlines working for any label values (AAL's 2001..9170,
// FreeSurfer's 1000s) because vtk.js outlines need 8-bit labels; colours come from the
// image's label table when it has them, else from a stable generated palette.

import type { LabelEntry } from '../../../shared/contract/image-channels';
import type { PixelArray } from '../../../shared/image/voxel-image';
import { distinctSmallIntegers } from '../../../shared/image/statistics';

export type Rgb = readonly [number, number, number];

/** At most this many distinct nonzero labels can be drawn (and outlined) per layer. */
export const MAX_DISPLAY_LABELS = 255;

export interface LabelTable {
  /** values[i] is the label value drawn with display index i; values[0] = 0, the background. */
  readonly values: readonly number[];
  /** colors[i] in 0..1 for display index i. */
  readonly colors: readonly Rgb[];
  /** names[i] where the image names it. */
  readonly names: readonly (string | undefined)[];
  /** Labels beyond MAX_DISPLAY_LABELS, drawn as background. */
  readonly dropped: number;
}

export interface IndexedLabels {
  readonly table: LabelTable;
  /** One display index per voxel. */
  readonly indices: Uint8Array;
}

/** Colours in label tables may be 0..1 or 0..255; a component above 1 means the latter. */
export function normalizeColor(color: readonly number[]): Rgb {
  const scale = color.some((c) => c > 1) ? 1 / 255 : 1;
  const c = (v: number) => Math.min(1, Math.max(0, v * scale));
  return [c(color[0]), c(color[1]), c(color[2])];
}

function hsvToRgb(h: number, s: number, v: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

/**
 * A colour for a label value that never changes with which other labels exist: golden-ratio
 * hue steps keep neighbouring values apart; saturation and brightness alternate in a short
 * cycle so that labels with similar hues still differ.
 */
export function generatedLabelColor(value: number): Rgb {
  const hue = (((value * 0.6180339887498949) % 1) + 1) % 1;
  const saturation = [0.75, 0.55, 0.9][Math.abs(value) % 3];
  const brightness = [0.95, 0.8][Math.abs(value) % 2];
  return hsvToRgb(hue, saturation, brightness);
}

/**
 * Distinct nonzero values of a label image, ascending, stopping past `limit`. 8- and 16-bit maps
 * take a flag per value (a 1 mm AAL map 64 → 10–14 ms, in the task that takes a registration's
 * result in); past `limit`, and for other types, a Set's scan decides which values are kept.
 */
export function distinctNonzero(pixels: ArrayLike<number>, limit: number): { values: number[]; overflow: boolean } {
  const values = distinctSmallIntegers(pixels)?.filter((v) => v !== 0);
  return values && values.length <= limit ? { values, overflow: false } : distinctBySet(pixels, limit);
}

function distinctBySet(pixels: ArrayLike<number>, limit: number): { values: number[]; overflow: boolean } {
  const seen = new Set<number>();
  let overflow = false;
  // Labels come in runs along a row: a value like the last one needs no lookup.
  let previous = 0;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v === previous) continue;
    previous = v;
    if (v === 0 || seen.has(v)) continue;
    if (seen.size >= limit) {
      overflow = true;
      continue;
    }
    seen.add(v);
  }
  return { values: [...seen].sort((a, b) => a - b), overflow };
}

export function buildLabelTable(values: readonly number[], entries: readonly LabelEntry[] = []): LabelTable {
  const byValue = new Map(entries.map((e) => [e.value, e]));
  const all = [0, ...values.filter((v) => v !== 0)].slice(0, MAX_DISPLAY_LABELS + 1);
  return {
    values: all,
    colors: all.map((v) => {
      const c = byValue.get(v)?.color;
      return v === 0 ? ([0, 0, 0] as Rgb) : c ? normalizeColor(c) : generatedLabelColor(v);
    }),
    names: all.map((v) => byValue.get(v)?.name),
    dropped: Math.max(0, values.filter((v) => v !== 0).length - MAX_DISPLAY_LABELS),
  };
}

/**
 * Display indices for a label image. Values present in the voxels come first (the table's
 * named labels that no voxel carries are not drawn). Runs once per label image.
 */
export function indexLabels(pixels: PixelArray, entries: readonly LabelEntry[] = []): IndexedLabels {
  const { values } = distinctNonzero(pixels, 4096);
  const table = buildLabelTable(values, entries);
  const indexOf = new Map<number, number>();
  table.values.forEach((v, i) => indexOf.set(v, i));
  // 8-bit maps whose values run 0, 1, 2, ... already are their own indices: no copy.
  if (pixels instanceof Uint8Array && table.values.every((v, i) => v === i)) return { table, indices: pixels };
  const indices = new Uint8Array(pixels.length);
  let last = NaN;
  let lastIndex = 0;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v !== last) {
      last = v;
      lastIndex = indexOf.get(v) ?? 0;
    }
    indices[i] = lastIndex;
  }
  return { table, indices };
}

/** The entry of a label value, for readouts. */
export function labelName(table: LabelTable, value: number): string | undefined {
  const i = table.values.indexOf(value);
  return i >= 0 ? table.names[i] : undefined;
}
