// Volumes derived from the layers' data, computed once per input object and kept while it
// lives: label display indices, det J, |u| and their display windows. Nothing here runs per
// frame, per wheel step or per drag.

import type { LoadedImage } from '../../../shared/contract/image-channels';
import { percentiles } from '../../../shared/image/statistics';
import type { ScalarImage, VectorImage } from '../../../shared/image/voxel-image';
import { countFolds, displacementMagnitude, jacobianDeterminant } from './deformation';
import { indexLabels, type LabelTable } from './label-table';
import { rememberValueRange } from './render/image-data';
import type { WindowLevel } from './window-level';

function memoize<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute(key);
      cache.set(key, v);
    }
    return v;
  };
}

export interface DisplayLabels {
  /** Display indices on the label image's grid. */
  readonly indices: ScalarImage<Uint8Array>;
  readonly table: LabelTable;
}

/** Per pixel array and names: a label map moved by hand (a new grid) keeps its indices, and so its texture. */
const labelIndicesOf = memoize((pixels: LoadedImage['pixels']) => memoize((labels: NonNullable<LoadedImage['info']['labels']>) => indexLabels(pixels, labels)));
const noLabels: NonNullable<LoadedImage['info']['labels']> = [];

export const displayLabelsOf = memoize((image: LoadedImage): DisplayLabels => {
  const { table, indices } = labelIndicesOf(image.pixels)(image.info.labels ?? noLabels);
  return { indices: { grid: image.info.grid, pixels: indices }, table };
});

export interface JacobianMap {
  readonly determinant: ScalarImage<Float32Array>;
  readonly folds: number;
}

export const jacobianOf = memoize((field: VectorImage): JacobianMap => {
  const determinant = jacobianDeterminant(field);
  return { determinant, folds: countFolds(determinant.pixels) };
});

export interface MagnitudeMap {
  readonly magnitude: ScalarImage<Float32Array>;
  /** 0 .. the 99th percentile of |u|. */
  readonly window: WindowLevel;
}

export const magnitudeOf = memoize((field: VectorImage): MagnitudeMap => {
  const magnitude = displacementMagnitude(field);
  const [p99] = percentiles(magnitude.pixels, [99]);
  const top = p99 > 0 ? p99 : 1;
  return { magnitude, window: { window: top, level: top / 2 } };
});

/**
 * The scalar image object of an image layer, stable per LoadedImage (the facade caches by it),
 * with its value range told to the texture maker. Values that were not finite arrive as 0.
 */
export const scalarImageOf = memoize((image: LoadedImage): ScalarImage => {
  const { range, nonFinite } = image.info;
  rememberValueRange(image.pixels, nonFinite > 0 ? { min: Math.min(0, range.min), max: Math.max(0, range.max) } : range);
  return { grid: image.info.grid, pixels: image.pixels };
});

/**
 * A similarity heatmap's image, its value range told to the texture maker: 255 · p / max p as
 * bytes spans 0..255 by definition (the best voxel is 255), so no view scans a new heatmap for
 * it (vtk.js did, once per view, for every answer under a moving pointer).
 */
export function heatmapImageOf(values: ScalarImage): ScalarImage {
  rememberValueRange(values.pixels, { min: 0, max: 255 });
  return values;
}
