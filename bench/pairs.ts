// The benchmark's image pairs, written to disk so that both methods read the same files:
//   brain (3D): ch2bet and its 116 AAL labels, moved by the project's synthetic generator;
//   macaque (3D): inia19 at 0.5 mm and its NeuroMaps labels, under a 4 mm synthetic warp: fine
//                 anatomy, where working at a coarser grid than the image costs Dice;
//   slice (2D): the ITK proton-density slice and four intensity classes of it as labels, moved
//               by the same generator;
//   ITK rotation (2D): the slice against its copy rotated by 10° and shifted, a known transform.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ScalarImage } from '../shared/image/voxel-image';
import { percentiles } from '../shared/image/statistics';
import { selectComputeBackend } from '../main/engine/compute/backend';
import { generateSyntheticPair, type SyntheticPairOptions } from '../main/engine/synthetic/synthetic-pair';
import { readImageFile, writeScalarImage } from '../main/engine/io';

const readImage = async (file: string) => (await readImageFile(file)).image;

export const mricron = '/usr/share/mricron/templates/';
export const itkData = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';

export interface BenchPair {
  readonly name: string;
  readonly dimension: number;
  readonly size: readonly number[];
  readonly fixed: string;
  readonly moving: string;
  readonly fixedLabels?: string;
  readonly movingLabels?: string;
  /** Mean displacement of the synthetic truth in the foreground, mm. */
  readonly meanDisplacementMm?: number;
  /** A world point and its true image, for pairs with a known transform. */
  readonly knownPoint?: { readonly point: number[]; readonly image: number[]; readonly angleDegrees: number };
}

/** Tissue-like classes of a slice (four intensity bands of the foreground) as a label map. */
export function intensityClasses(image: ScalarImage): ScalarImage {
  const [p20, p45, p70, p85] = percentiles(image.pixels, [20, 45, 70, 85], { ignoreZeros: true });
  const labels = new Uint8Array(image.pixels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = image.pixels[i];
    labels[i] = v <= p20 ? 0 : v <= p45 ? 1 : v <= p70 ? 2 : v <= p85 ? 3 : 4;
  }
  return { grid: image.grid, pixels: labels };
}

async function synthetic(dir: string, name: string, fixedPath: string, fixed: ScalarImage, labels: ScalarImage, labelsPath: string, seed: number, options: Partial<SyntheticPairOptions> = {}): Promise<BenchPair> {
  const folder = path.join(dir, name);
  await mkdir(folder, { recursive: true });
  const pair = await generateSyntheticPair(fixed, labels, { ...options, seed });
  const moving = path.join(folder, 'moving.nii.gz');
  const movingLabels = path.join(folder, 'moving-labels.nii.gz');
  await writeScalarImage(moving, pair.moving);
  await writeScalarImage(movingLabels, pair.movingLabels!);
  return { name, dimension: fixed.grid.size.length, size: fixed.grid.size, fixed: fixedPath, moving, fixedLabels: labelsPath, movingLabels, meanDisplacementMm: pair.summary.meanDisplacementMm };
}

export async function preparePairs(dir: string, seeds: readonly number[]): Promise<BenchPair[]> {
  await selectComputeBackend('auto');
  const pairs: BenchPair[] = [];
  const brain = await readImage(mricron + 'ch2bet.nii.gz');
  const aal = await readImage(mricron + 'aal.nii.gz');
  for (const seed of seeds) pairs.push(await synthetic(dir, `brain-seed${seed}`, mricron + 'ch2bet.nii.gz', brain, aal, mricron + 'aal.nii.gz', seed));
  const macaque = await readImage(mricron + 'inia19-t1-brain.nii.gz');
  const neuroMaps = await readImage(mricron + 'inia19-NeuroMaps.nii.gz');
  pairs.push(await synthetic(dir, 'macaque-seed1', mricron + 'inia19-t1-brain.nii.gz', macaque, neuroMaps, mricron + 'inia19-NeuroMaps.nii.gz', 1, { meanDisplacementMm: 4 }));

  // 2D files as NIfTI so that elastix reads them as scalar images (the PNGs are gray RGB).
  const sliceDir = path.join(dir, 'slice');
  await mkdir(sliceDir, { recursive: true });
  const slice = await readImage(itkData + 'BrainProtonDensitySliceBorder20.png');
  const sliceFile = path.join(sliceDir, 'fixed.nii.gz');
  const classesFile = path.join(sliceDir, 'fixed-labels.nii.gz');
  const classes = intensityClasses(slice);
  await writeScalarImage(sliceFile, slice);
  await writeScalarImage(classesFile, classes);
  pairs.push(await synthetic(dir, 'slice-seed1', sliceFile, slice, classes, classesFile, 1));

  const rotated = await readImage(itkData + 'BrainProtonDensitySliceR10X13Y17.png');
  const rotatedFile = path.join(sliceDir, 'r10x13y17.nii.gz');
  await writeScalarImage(rotatedFile, rotated);
  pairs.push({
    name: 'slice-R10X13Y17',
    dimension: 2,
    size: slice.grid.size,
    fixed: sliceFile,
    moving: rotatedFile,
    // ITK's Software Guide (ImageRegistration5): 10° about (110, 128), then (13.09, 15.92) mm.
    knownPoint: { point: [110, 128], image: [123.09, 143.92], angleDegrees: 10 },
  });
  return pairs;
}
