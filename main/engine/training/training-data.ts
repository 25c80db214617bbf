// What training learns from, as a recipe (plain data, so that every worker thread can rebuild
// the same source) and the source it makes: pairs of images on the network's input grid,
// each pair a function of its seed alone.
//   synthetic — random anatomies and contrasts (synthetic-training-pairs.ts), from random blobs
//               or from a real atlas's label map;
//   scans     — the user's own scans, resampled once to the training resolution and cached
//               (scan-cache.ts): a pair is one scan twice (the augmentation makes the
//               difference) or two scans, cropped (3D) or sliced (2D) at the same place;
//   mixed     — each pair drawn from the scans or, with a given probability, synthetic: real
//               anatomy, and contrasts the scans do not have.

import { seededRandom } from '../registration/random';
import type { CachedLabels, CachedScan } from './scan-cache';
import { readCachedLabels, readCachedScan } from './scan-cache';
import type { LabelledPair } from './synthetic-training-pairs';
import { defaultSyntheticOptions, reacquired, realScanPair, syntheticAcquisitions, syntheticPair } from './synthetic-training-pairs';
import { boxStartAround, extractBox } from './training-grids';
import type { TrainingPair } from './pair-loss';

/** A scan and its label map on the same grid, prepared at the training resolution. */
export interface LabelledScan {
  readonly scan: CachedScan;
  readonly labels: CachedLabels;
}

interface RecipeBase {
  readonly dimension: 2 | 3;
  /** The examples' grid size (x, y[, z]). */
  readonly size: readonly number[];
  /**
   * A labelled scan for the held-out pairs (its two deformed acquisitions), when the user
   * gives one, whatever the training data: else the data's own labelled pairs, if it has any.
   */
  readonly validation?: LabelledScan;
}

export interface SyntheticRecipe extends RecipeBase {
  readonly kind: 'synthetic';
  readonly atlas?: CachedLabels;
}

export interface ScansRecipe extends RecipeBase {
  readonly kind: 'scans';
  readonly scans: readonly CachedScan[];
  readonly samePairFraction: number;
}

export interface MixedRecipe extends RecipeBase {
  readonly kind: 'mixed';
  readonly scans: ScansRecipe;
  readonly synthetic: SyntheticRecipe;
  /** The probability that a pair is synthetic. */
  readonly syntheticFraction: number;
}

export type TrainingDataRecipe = SyntheticRecipe | ScansRecipe | MixedRecipe;

/** Half the pairs are one image twice: the augmentation alone makes them differ (an easier lesson, and the equivariance one). */
const samePairFraction = 0.5;

/** The pair, or with probability samePairFraction its first image twice. */
function maybeSameImage(pair: LabelledPair, random: () => number): LabelledPair {
  return random() < samePairFraction ? { ...pair, b: pair.a, labelsB: pair.labelsA } : pair;
}

export interface TrainingData {
  readonly recipe: TrainingDataRecipe;
  /** The pair a seed stands for; synthetic pairs carry their labels. */
  pair(seed: number): Promise<TrainingPair | LabelledPair>;
  /** For validation: two different scans of one anatomy with their labels (a labelled scan's, or synthetic data's). */
  labelledPair?(seed: number): Promise<LabelledPair>;
}

/** Label values made consecutive (0 stays background), so that synthetic contrasts need one intensity per label only. */
function compactLabels(values: ArrayLike<number>): Int32Array {
  const codes = new Map<number, number>([[0, 0]]);
  return Int32Array.from(values, (v) => {
    let code = codes.get(v);
    if (code === undefined) codes.set(v, (code = codes.size));
    return code;
  });
}

/**
 * Training pairs: one anatomy in two random contrasts, or one image of it twice. Held-out pairs:
 * two acquisitions of one anatomy in one contrast, as for a labelled scan.
 */
async function syntheticData(recipe: SyntheticRecipe): Promise<TrainingData> {
  type Generator = typeof syntheticPair;
  let anatomy: (generate: Generator, seed: number) => Promise<LabelledPair> = (generate, seed) => generate(recipe.size, seed);
  if (recipe.atlas) {
    const atlasSize = recipe.atlas.size;
    const labels = compactLabels(await readCachedLabels(recipe.atlas));
    anatomy = (generate, seed) => {
      const random = seededRandom(seed);
      const box = extractBox(labels, atlasSize, recipe.size, boxStartAround(labels, atlasSize, recipe.size, random), Int32Array);
      return generate(recipe.size, Math.floor(random() * 2 ** 31), defaultSyntheticOptions, compactLabels(box));
    };
  }
  return {
    recipe,
    labelledPair: (seed) => anatomy(syntheticAcquisitions, seed),
    pair: async (seed) => maybeSameImage(await anatomy(syntheticPair, seed), seededRandom(seed ^ 0x5bd1e995)),
  };
}

async function scanData(recipe: ScansRecipe): Promise<TrainingData> {
  const scans = await Promise.all(recipe.scans.map(readCachedScan));
  return {
    recipe,
    pair: async (seed) => {
      const random = seededRandom(seed);
      const first = scans[Math.floor(random() * scans.length)];
      const second = scans.length > 1 && random() >= recipe.samePairFraction ? scans[Math.floor(random() * scans.length)] : first;
      // The same place in both: scans in a common space (or one scan twice) then show the same
      // anatomy. Each image is acquired anew (bias, gamma, noise), so that one scan twice differs.
      const start = boxStartAround(first.intensities, first.size, recipe.size, random);
      const take = (scan: typeof first) => reacquired(extractBox(scan.intensities, scan.size, recipe.size, start, Float32Array), recipe.size, Math.floor(random() * 2 ** 31));
      const a = await take(first);
      return { a, b: await take(second), size: recipe.size };
    },
  };
}

/** Held-out pairs from a labelled scan: a box of it, deformed and acquired twice. */
async function labelledScanPairs(validation: LabelledScan, size: readonly number[]): Promise<(seed: number) => Promise<LabelledPair>> {
  const scan = await readCachedScan(validation.scan);
  const labels = await readCachedLabels(validation.labels);
  return (seed) => {
    const random = seededRandom(seed);
    const start = boxStartAround(labels, scan.size, size, random);
    const image = extractBox(scan.intensities, scan.size, size, start, Float32Array);
    return realScanPair(image, extractBox(labels, scan.size, size, start, Int32Array), size, Math.floor(random() * 2 ** 31));
  };
}

async function mixedData(recipe: MixedRecipe): Promise<TrainingData> {
  const scans = await scanData(recipe.scans);
  const synthetic = await syntheticData(recipe.synthetic);
  return {
    recipe,
    // Its own stream for the choice, so that each source sees the seed it would see alone.
    pair: (seed) => (seededRandom(seed ^ 0x2545f491)() < recipe.syntheticFraction ? synthetic : scans).pair(seed),
    labelledPair: synthetic.labelledPair,
  };
}

function sourceOf(recipe: TrainingDataRecipe): Promise<TrainingData> {
  switch (recipe.kind) {
    case 'synthetic':
      return syntheticData(recipe);
    case 'scans':
      return scanData(recipe);
    case 'mixed':
      return mixedData(recipe);
  }
}

export async function trainingData(recipe: TrainingDataRecipe): Promise<TrainingData> {
  const source = await sourceOf(recipe);
  // The user's labelled scan where given: validation then measures what the user cares about.
  return recipe.validation ? { ...source, labelledPair: await labelledScanPairs(recipe.validation, recipe.size) } : source;
}
