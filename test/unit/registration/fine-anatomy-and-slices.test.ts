// Issue 12: accuracy end to end beyond the human brain, with the defaults a user gets and
// bounds set a little under what was measured (2-core machine, wasm backend):
//   - fine anatomy: the inia19 macaque T1 at 0.5 mm and its NeuroMaps labels under the
//     project's synthetic warp (4 mm mean, seed 1), the bench's macaque pair: mean label Dice
//     0.054 → 0.811, no folds (0.668 before the coarse-to-fine control levels, 0.793 before the
//     spline level; elastix 0.773 and SyN 0.753 in the bench, so above SyN + 0.01);
//   - a 2D slice: the ITK proton-density slice with four intensity classes as labels under the
//     same generator (seed 1), the bench's slice pair, with the 2D preset ximorph register gives
//     2D images: 0.545 → 0.861 (0.830 before; elastix 0.818, SyN 0.829), no folds.

import { beforeAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { registerImages } from '../../../main/engine/registration/register-images';
import { presetOverrides } from '../../../main/engine/registration-job/registration-presets';
import { generateSyntheticPair } from '../../../main/engine/synthetic/synthetic-pair';
import { intensityClasses } from '../../../bench/pairs';
import { itkData, mricron, readImage } from './fixtures';

describe('accuracy beyond the human brain', () => {
  beforeAll(async () => {
    await selectComputeBackend('auto');
  });

  it('registers the macaque at 0.5 mm: NeuroMaps Dice above 0.80, no folds', async () => {
    const fixed = await readImage(mricron + 'inia19-t1-brain.nii.gz');
    const labels = await readImage(mricron + 'inia19-NeuroMaps.nii.gz');
    const pair = await generateSyntheticPair(fixed, labels, { seed: 1, meanDisplacementMm: 4 });
    const result = await registerImages({ fixed, moving: pair.moving, fixedLabels: labels, movingLabels: pair.movingLabels });
    const { diceBefore, diceAfter, foldPercent } = result.metrics;
    console.log(`macaque: Dice ${diceBefore!.mean.toFixed(3)} → ${diceAfter!.mean.toFixed(3)}, folds ${foldPercent} %`);
    expect(diceAfter!.mean).toBeGreaterThan(0.8);
    expect(diceAfter!.mean - diceBefore!.mean).toBeGreaterThan(0.5);
    expect(foldPercent).toBe(0);
  }, 180_000);

  it('registers a 2D slice with the 2D preset: class Dice above 0.845, no folds', async () => {
    const fixed = await readImage(itkData + 'BrainProtonDensitySliceBorder20.png');
    const labels = intensityClasses(fixed);
    const pair = await generateSyntheticPair(fixed, labels, { seed: 1 });
    const result = await registerImages({ fixed, moving: pair.moving, fixedLabels: labels, movingLabels: pair.movingLabels }, presetOverrides('2d'));
    const { diceBefore, diceAfter, foldPercent } = result.metrics;
    console.log(`slice: Dice ${diceBefore!.mean.toFixed(3)} → ${diceAfter!.mean.toFixed(3)}, folds ${foldPercent} %`);
    expect(diceAfter!.mean).toBeGreaterThan(0.845);
    expect(foldPercent).toBe(0);
  }, 120_000);
});
