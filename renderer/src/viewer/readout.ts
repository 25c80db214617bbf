// What is under the cursor: the world point, the base image's voxel and value there, and the
// label of the top-most label map that has one. Nearest-voxel lookups: a readout reports
// stored values, never interpolated ones.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { linearIndex } from '../../../shared/geometry/grid';
import type { LabelEntry } from '../../../shared/contract/image-channels';
import { voxelAt } from './grid-view';
import type { Vec3 } from './view-types';

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
