// Stage 1, the working space: both images resampled in physical space at a working resolution,
// with intensities normalized to [0, 1] by percentiles (or a fixed window, for CT), and an
// optional mask. The moving image is first brought to the working resolution in its own frame
// (where the initial alignment works), then into the fixed frame through the affine. Resampling goes through world coordinates, so images on any grids (flipped,
// anisotropic, oblique) meet in the same frame.

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { regridToSpacing, sameGrid } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { percentiles } from '../../../shared/image/statistics';
import type { Interpolation, Padding } from '../compute/grid-sample';
import { resampleSlab } from '../compute/slab-resampling';
import { downsampleByAveraging, downsampledGrid, smoothNormalized } from './filters';
import type { GridTensor } from './levels';
import { imageToTensor, indexToIndexMatrix, tensorShapeOf } from './grid-tensors';
import type { NormalizationParameters } from './parameters';

/** Voxel budget of the working grid: 2.5 mm for a 1 mm brain, full resolution for a 2D slice.
 * (The similarity is evaluated at full resolution regardless; see optimization.similarityResolution.) */
const workingVoxelBudget = { 2: 65_536, 3: 500_000 } as const;

export function chooseWorkingSpacing(grid: ImageGrid, requestedMm?: number): number {
  if (requestedMm !== undefined) return requestedMm;
  const d = grid.size.length as 2 | 3;
  const extent = grid.size.reduce((v, n, a) => v * n * grid.spacing[a], 1);
  const budgetSpacing = (extent / workingVoxelBudget[d]) ** (1 / d);
  const finest = Math.min(...grid.spacing);
  // Quarter-millimetre steps keep the choice stable and readable in reports.
  return Math.max(finest, Math.round(budgetSpacing * 4) / 4);
}

export function workingGrid(grid: ImageGrid, spacingMm: number): ImageGrid {
  return regridToSpacing(
    grid,
    grid.size.map(() => spacingMm),
  );
}

/** The intensity range mapped to [0, 1]: a fixed window, or percentiles of the image. */
export function intensityRange(image: ScalarImage, p: NormalizationParameters): [number, number] {
  if (p.window) return [p.window.center - p.window.width / 2, p.window.center + p.window.width / 2];
  const [lo, hi] = percentiles(image.pixels, [p.lowPercentile, p.highPercentile]);
  // (lo + 1 is lo itself for values around 1e17 and above.)
  return hi > lo ? [lo, hi] : [lo, lo + (Math.abs(lo) || 1)];
}

/**
 * An image's intensities mapped to [0, 1] by `range`, computed in double precision before
 * they become float32: a float64 image around 1e302 (or 1e-302) has no float32 values of its
 * own (they would be Infinity, or 0), but its normalized ones are ordinary. Where even the
 * range's width overflows a double, both sides are halved first.
 */
export function normalizedImageValues(image: ScalarImage, [lo, hi]: [number, number], out: Float32Array = new Float32Array(image.pixels.length)): Float32Array {
  const pixels = image.pixels;
  if (out.length !== pixels.length) throw new Error(`normalizedImageValues: ${out.length} outputs for ${pixels.length} voxels`);
  const halve = !Number.isFinite(hi - lo);
  const base = halve ? lo / 2 : lo;
  const width = halve ? hi / 2 - lo / 2 : hi - lo;
  for (let i = 0; i < pixels.length; i++) {
    const v = ((halve ? pixels[i] / 2 : pixels[i]) - base) / width;
    out[i] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  return out;
}

/** normalizedImageValues as a [spatial, 1] tensor. */
export function normalizedImageTensor(image: ScalarImage, range: [number, number]): tf.Tensor {
  return tf.tensor(normalizedImageValues(image, range), tensorShapeOf(image.grid, 1), 'float32');
}

export interface ResampleOptions {
  interpolation?: Interpolation;
  padding?: Padding;
}

/**
 * Resamples a [spatial, c] tensor on `sourceGrid` onto `targetGrid`; a target point x reads the
 * source at worldMap(x) (identity when omitted): the fixed-to-moving convention.
 */
export function resampleTensor(
  source: tf.Tensor,
  sourceGrid: ImageGrid,
  targetGrid: ImageGrid,
  worldMap?: readonly number[],
  options: ResampleOptions = {},
): tf.Tensor {
  return tf.tidy(() => {
    // The whole grid as one slab: its points are generated row by row, never held as a tensor
    // (85 MB for a 1 mm brain).
    const d = targetGrid.size.length;
    const slab = { size: targetGrid.size, first: 0, last: targetGrid.size[d - 1] };
    const values = resampleSlab(source, slab, indexToIndexMatrix(targetGrid, sourceGrid, worldMap), { interpolation: options.interpolation ?? 'linear', padding: options.padding ?? 'zeros' });
    return tf.reshape(values, [...[...targetGrid.size].reverse(), source.shape[source.rank - 1]]);
  });
}

/**
 * An image's normalized intensities on the working grid of its own frame at `spacingMm`.
 * Block averaging by the whole part of the spacing ratio removes what the coarse grid cannot
 * represent (a 1 mm image at 2 mm: 2×2×2 blocks, whose centres are the working grid's voxels);
 * linear interpolation covers any remainder.
 */
export function workingImage(image: ScalarImage, range: [number, number], spacingMm: number): GridTensor {
  const target = workingGrid(image.grid, spacingMm);
  const factors = image.grid.spacing.map((s) => Math.max(1, Math.floor(spacingMm / s + 1e-6)));
  const tensor = tf.tidy(() => {
    const pooled = downsampleByAveraging(normalizedImageTensor(image, range), factors);
    const pooledGrid = downsampledGrid(image.grid, factors);
    return sameGrid(pooledGrid, target) ? pooled : resampleTensor(pooled, pooledGrid, target);
  });
  return { grid: target, tensor };
}

/** A mask (nonzero inside) on `targetGrid`, as 0/1 floats. */
export function maskOnGrid(mask: ScalarImage, targetGrid: ImageGrid, worldMap?: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const binary = tf.cast(tf.notEqual(imageToTensor(mask), 0), 'float32');
    return resampleTensor(binary, mask.grid, targetGrid, worldMap, { interpolation: 'nearest' });
  });
}

/**
 * Where to sample: the mask where given, else the voxels brighter than a small threshold after
 * smoothing (so that noise in the background does not qualify), grown by a few voxels so that
 * edges (the most informative places) are covered. Falls back to the whole grid when the
 * threshold leaves almost nothing (images without background).
 */
export function samplingRegion(normalized: tf.Tensor, mask?: tf.Tensor, growVoxels = 2): tf.Tensor {
  return tf.tidy(() => {
    if (mask) return mask.clone();
    const bright = tf.cast(tf.greater(smoothNormalized(normalized, 1), 0.05), 'float32');
    const dims = normalized.rank - 1;
    const k = 2 * growVoxels + 1;
    const batched = tf.expandDims(bright, 0);
    const grown = tf.squeeze(
      dims === 3 ? tf.maxPool3d(batched as tf.Tensor5D, k, 1, 'same') : tf.maxPool(batched as tf.Tensor4D, k, 1, 'same'),
      [0],
    );
    // Decided on the device (no read back): the whole grid where almost nothing qualified.
    return tf.where(tf.less(tf.mean(grown), 0.02), tf.onesLike(grown), grown);
  });
}
