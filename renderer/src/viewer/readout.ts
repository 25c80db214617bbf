// What is under the cursor: the world point, the base image's voxel and value there, and the
// label of the top-most label map that has one. Nearest-voxel lookups: a readout reports
// stored values, never interpolated ones.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { linearIndex } from '../../../shared/geometry/grid';
import type { LabelEntry } from '../../../shared/contract/image-channels';
import { voxelAt } from './grid-view';
import type { Vec3, WorldBox } from './view-types';

export interface SampledImage {
  readonly id: string;
  readonly name: string;
  readonly grid: ImageGrid;
  readonly pixels: ArrayLike<number>;
  /** Components per voxel: 1, or D for displacement fields (the readout shows |u|). */
  readonly components?: number;
}

export interface SampledLabels extends SampledImage {
  readonly labels?: readonly LabelEntry[];
}

export interface LayerValue {
  readonly id: string;
  readonly name: string;
  readonly value: number;
}

export interface Readout {
  readonly world: Vec3;
  /** The base image's voxel at the point, or null outside it. */
  readonly index: number[] | null;
  readonly value: number | null;
  readonly label: { readonly layerId: string; readonly value: number; readonly name?: string } | null;
  /** Values of the other sampled layers at the point (moving image, Jacobian, ...). */
  readonly others: readonly LayerValue[];
}

/** The stored value of the voxel nearest `world`; |u| for vector images. */
export function sampleNearest(image: SampledImage, world: readonly number[]): { index: number[]; value: number } | null {
  const index = voxelAt(image.grid, world);
  if (!index) return null;
  const li = linearIndex(image.grid.size, index);
  const c = image.components ?? 1;
  if (c === 1) return { index, value: image.pixels[li] };
  let s = 0;
  for (let k = 0; k < c; k++) s += image.pixels[li * c + k] ** 2;
  return { index, value: Math.sqrt(s) };
}

export function readoutAt(
  world: Vec3,
  base: SampledImage | null,
  labelLayersTopFirst: readonly SampledLabels[],
  others: readonly SampledImage[] = [],
): Readout {
  const at = base ? sampleNearest(base, world) : null;
  let label: Readout['label'] = null;
  for (const layer of labelLayersTopFirst) {
    const s = sampleNearest(layer, world);
    if (s && s.value !== 0) {
      label = { layerId: layer.id, value: s.value, name: layer.labels?.find((e) => e.value === s.value)?.name };
      break;
    }
  }
  const values: LayerValue[] = [];
  for (const o of others) {
    const s = sampleNearest(o, world);
    if (s) values.push({ id: o.id, name: o.name, value: s.value });
  }
  return { world, index: at?.index ?? null, value: at?.value ?? null, label, others: values };
}

/** Numbers for data attributes: enough digits to compare with a computation, no float noise. */
export function formatForAttribute(values: readonly number[] | null, digits = 3): string {
  if (!values) return '';
  return values.map((v) => String(+v.toFixed(digits))).join(',');
}

/** Numbers for people: mm to one decimal, intensities to four significant digits. */
export function formatValue(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toPrecision(4) : String(+v.toFixed(3));
}

/** The readout as the text of its parts, as shown. */
export interface ReadoutText {
  readonly world: string;
  readonly index: string;
  readonly value: string;
  readonly label: string | null;
  readonly others: readonly { readonly id: string; readonly name: string; readonly value: string }[];
}

export const labelText = (label: NonNullable<Readout['label']>): string => label.name ?? `label ${label.value}`;

export function readoutText(r: Readout): ReadoutText {
  return {
    world: r.world.map((v) => v.toFixed(1)).join(', '),
    index: r.index ? r.index.join(', ') : 'outside',
    value: formatValue(r.value),
    label: r.label ? `${labelText(r.label)} (${r.label.value})` : null,
    others: r.others.map((o) => ({ id: o.id, name: o.name, value: formatValue(o.value) })),
  };
}

/** What a layer's values can be, for sizing the readout: their range (if known) and whether they are whole. */
export interface ValueKind {
  readonly range: { readonly min: number; readonly max: number } | null;
  readonly whole: boolean;
}

const integerDigits = (v: number) => String(Math.floor(Math.abs(v))).length;
const longest = (texts: readonly string[]) => texts.reduce((a, b) => (b.length > a.length ? b : a));

/** The longest a value of this kind reads (digits are equally wide: the readout uses tabular figures). */
function widestValue(kind: ValueKind): string {
  if (!kind.range) return '-888.888';
  const { min, max } = kind.range;
  const candidates = [formatValue(min), formatValue(max), formatValue(null)];
  if (!kind.whole) candidates.push(`${min < 0 ? '-' : ''}${'8'.repeat(integerDigits(Math.max(-min, max)))}.888`);
  return longest(candidates);
}

/**
 * Text as long as any the readout shows for these layers while the pointer is over the views:
 * world points within the field of view and its margins, every voxel index, each layer's values,
 * the longest label name, every other layer. Laid out unseen under the live readout, it makes
 * the readout's height depend on its width and its layers, not on the point: a readout that
 * wrapped to another line as the pointer moved would shrink the views and move the picture
 * under a resting pointer, so that a click would land elsewhere than where it hovered.
 */
export function widestReadoutText(
  fov: WorldBox,
  base: { readonly grid: ImageGrid; readonly values: ValueKind } | null,
  labelLayers: readonly { readonly labels?: readonly LabelEntry[]; readonly values: ValueKind }[],
  others: readonly { readonly id: string; readonly name: string; readonly values: ValueKind }[],
): ReadoutText {
  // A view shows the field of view with margins up to about its own size beside it.
  const extent = Math.max(...fov.max.map((v, a) => v - fov.min[a]));
  const reach = Math.max(...fov.min.map(Math.abs), ...fov.max.map(Math.abs)) + extent;
  const coordinate = `-${'8'.repeat(integerDigits(reach))}.8`;
  const labels = labelLayers.flatMap(({ labels, values }) => {
    if (labels?.length) return labels.map((e) => `${e.name} (${e.value})`);
    const top = -Math.max(Math.abs(values.range?.min ?? 0), Math.abs(values.range?.max ?? 0));
    return [`label ${top} (${top})`];
  });
  return {
    world: [coordinate, coordinate, coordinate].join(', '),
    index: longest(['outside', base ? base.grid.size.map((n) => '8'.repeat(integerDigits(n - 1))).join(', ') : '']),
    value: base ? widestValue(base.values) : formatValue(null),
    label: labels.length > 0 ? longest(labels) : null,
    others: others.map((o) => ({ id: o.id, name: o.name, value: widestValue(o.values) })),
  };
}
