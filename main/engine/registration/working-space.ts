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
import type { BlockShape, IntensityWindow } from '../compute/block-mean-loops';
import { blockMeans, blockMeanSize } from '../compute/block-mean-loops';
import { resampleSlab } from '../compute/slab-resampling';
import { boxFilter, downsampledGrid, smoothNormalized } from './filters';
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
export function normalizedImageValues(image: ScalarImage, range: [number, number], out: Float32Array = new Float32Array(image.pixels.length)): Float32Array {
  const pixels = image.pixels;
  if (out.length !== pixels.length) throw new Error(`normalizedImageValues: ${out.length} outputs for ${pixels.length} voxels`);
  const { scale, base, width } = intensityWindow(range);
  for (let i = 0; i < pixels.length; i++) {
    const v = (pixels[i] * scale - base) / width;
    out[i] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  return out;
}

/** The map of normalizedImageValues: values times `scale` (½ where the range's width overflows a double), less `base`, over `width`. */
function intensityWindow([lo, hi]: [number, number]): IntensityWindow {
  const halve = !Number.isFinite(hi - lo);
  return halve ? { scale: 0.5, base: lo / 2, width: hi / 2 - lo / 2 } : { scale: 1, base: lo, width: hi - lo };
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
  const pooledGrid = downsampledGrid(image.grid, factors);
  const tensor = tf.tidy(() => {
    const pooled = blockMeansOfImage(image, range, factors, pooledGrid);
    return sameGrid(pooledGrid, target) ? pooled : resampleTensor(pooled, pooledGrid, target);
  });
  return { grid: target, tensor };
}

/**
 * The block means of an image's normalized intensities, from its own pixels, on any backend: the
 * full-resolution image is never written out as floats, nor uploaded.
 */
function blockMeansOfImage(image: ScalarImage, range: [number, number], factors: readonly number[], pooledGrid: ImageGrid): tf.Tensor {
  const [nx, ny, nz = 1] = image.grid.size;
  const [fx, fy, fz = 1] = factors;
  const shape: BlockShape = { size: [nx, ny, nz], channels: 1, factors: [fx, fy, fz] };
  const values = blockMeans(image.pixels, shape, new Float32Array(blockMeanSize(shape).reduce((a, b) => a * b)), intensityWindow(range));
  return tf.tensor(values, tensorShapeOf(pooledGrid, 1), 'float32');
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
    // Grown by a (2g+1)^D cube: where the cube's mean of the 0/1 mask is above 0. That is the
    // cube's maximum, exactly: the means of non-negative values are 0 only where all are (as
    // running sums in doubles, the 0/1 values and their float32 means add and subtract exactly).
    // Not a max pool: tfjs-backend-wasm's MaxPool3D starts its maximum at the smallest positive
    // float, so an all-zero window gave 1.2e-38 and the whole grid was "in" the region (the
    // optimizer and the alignment sampled the background; the brains' Dice 0.966/0.969, now
    // 0.967/0.972). A box sum is also a few additions per voxel, not 125 comparisons.
    const grown = tf.greater(boxFilter(bright, growVoxels), 0);
    // Decided on the device (no read back): the whole grid where almost nothing qualified.
    const almostNothing = tf.less(tf.mean(tf.cast(grown, 'float32')), 0.02);
    return tf.cast(tf.logicalOr(grown, almostNothing), 'float32');
  });
}
