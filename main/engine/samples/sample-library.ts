// Sample pairs for first-time users: a fixed image, a moving image made from it by a known
// smooth deformation plus bias, gamma and noise, and label maps for both, so that one click
// loads a pair whose registration can be judged by Dice. Generated once into the cache
// folder, offline. The Colin27 pair needs Debian's mricron-data; the phantom pair needs
// nothing.

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageSource, Sample } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { readImageFile, writeScalarImage } from '../io/index';
import type { LoadableImageSource } from '../io/index';
import type { JobContext } from '../job-context';
import { stagedProgress } from '../job-context';
import { generateSyntheticPair } from '../synthetic/synthetic-pair';
import { headPhantom, phantomLabels } from './head-phantom';

const mricron = '/usr/share/mricron/templates';
/** Bump when the generator or its settings change, so caches are rebuilt. */
const generation = 2;

interface SampleRecipe {
  sample: Sample;
  available(): boolean;
  /** Writes every item into `folder` as <sample>-<item>.nii.gz (and label-name sidecars). */
  build(folder: string, context: JobContext): Promise<void>;
}

const items: Sample['items'] = [
  { item: 'fixed', title: 'Fixed', role: 'fixed' },
  { item: 'moving', title: 'Moving (synthetic deformation)', role: 'moving' },
  { item: 'fixed-labels', title: 'Fixed labels', role: 'fixedLabels' },
  { item: 'moving-labels', title: 'Moving labels', role: 'movingLabels' },
];

const fileOf = (folder: string, sampleId: string, item: string) => path.join(folder, `${sampleId}-${item}.nii.gz`);

async function writePair(folder: string, sampleId: string, fixed: ScalarImage, labels: ScalarImage, labelNames: string, context: JobContext) {
  const progress = stagedProgress(context, { deforming: 3, writing: 1 });
  progress.begin('deforming');
  const pair = await generateSyntheticPair(fixed, labels, { seed: 7 });
  progress.begin('writing');
  await mkdir(folder, { recursive: true });
  const file = (item: string) => fileOf(folder, sampleId, item);
  // Label names first: a label map is only complete with them, and the last file written is
  // what marks the sample as built.
  for (const item of ['fixed-labels', 'moving-labels']) await writeFile(file(item).replace(/\.gz$/, '.txt'), labelNames);
  await writeScalarImage(file('fixed'), fixed, {}, context);
  // Stored as integers, as scanners store them.
  await writeScalarImage(file('moving'), pair.moving, { componentType: 'int16' }, context);
  await writeScalarImage(file('fixed-labels'), labels, {}, context);
  await writeScalarImage(file('moving-labels'), pair.movingLabels!, {}, context);
}

const recipes: SampleRecipe[] = [
  {
    sample: {
      id: 'brain',
      title: 'Colin27 brain pair',
      description: 'Colin27 T1 (1 mm) and its AAL labels, against a copy under a known smooth deformation (mean 3 mm, max 10 mm) with bias, gamma and noise.',
      items,
    },
    available: () => existsSync(path.join(mricron, 'ch2bet.nii.gz')) && existsSync(path.join(mricron, 'aal.nii.gz')),
    async build(folder, context) {
      const fixed = await readImageFile(path.join(mricron, 'ch2bet.nii.gz'));
      const labels = await readImageFile(path.join(mricron, 'aal.nii.gz'));
      const { readFile } = await import('node:fs/promises');
      const names = await readFile(path.join(mricron, 'aal.nii.txt'), 'utf8');
      await writePair(folder, 'brain', fixed.image, labels.image, names, context);
    },
  },
  {
    sample: {
      id: 'phantom',
      title: 'Head phantom pair',
      description: 'A procedural 2 mm head phantom with nine labelled structures, against a copy under a known smooth deformation with bias, gamma and noise. Needs no data package.',
      items,
    },
    available: () => true,
    async build(folder, context) {
      const { image, labels } = headPhantom();
      const names = phantomLabels.map((l) => `${l.value}\t${l.name}`).join('\n') + '\n';
      await writePair(folder, 'phantom', image, labels, names, context);
    },
  },
];

export function availableSamples(): Sample[] {
  return recipes.filter((r) => r.available()).map((r) => r.sample);
}

const building = new Map<string, Promise<void>>();

/** The file behind a sample item, generating the sample on first use. */
export async function resolveSampleSource(
  source: Extract<ImageSource, { kind: 'sample' }>,
  cacheDirectory: string,
  context: JobContext,
  prepareCompute: () => Promise<unknown>,
): Promise<Extract<LoadableImageSource, { kind: 'path' }>> {
  // 'default' is the first sample this machine can make: the brain pair, else the phantom.
  const recipe = recipes.find((r) => (source.sampleId === 'default' || r.sample.id === source.sampleId) && r.available());
  if (!recipe) throw new EngineError('NOT_FOUND', `sample "${source.sampleId}" is not available on this machine`);
  if (!items.some((i) => i.item === source.item)) throw new EngineError('NOT_FOUND', `sample "${source.sampleId}" has no item "${source.item}"`);
  const folder = path.join(cacheDirectory, 'samples', `${recipe.sample.id}-v${generation}`);
  const file = fileOf(folder, recipe.sample.id, source.item);
  if (!existsSync(fileOf(folder, recipe.sample.id, 'moving-labels'))) {
    // Several items of one sample are asked for at once; build it once.
    let pending = building.get(folder);
    if (!pending) {
      pending = prepareCompute().then(() => recipe.build(folder, context));
      building.set(folder, pending);
      pending.finally(() => building.delete(folder)).catch(() => undefined);
    }
    await pending;
  }
  return { kind: 'path', path: file };
}
