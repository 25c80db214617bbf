// What training learns, in runs short enough for a test suite: with the equivariance
// augmentation, on synthetic data alone, features that follow anatomy get better (label
// propagation on held-out pairs rises above the untrained network's); without it, and with
// zero padding that shows the network where it is, the loss falls while the features learn
// nothing about anatomy — they encode position, so on a pair whose anatomy moved, label
// propagation is no better than chance.

import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { silentJob } from '../../../main/engine/job-context';
import { roll } from '../../../main/engine/training/equivariance-augmentation';
import { labelPropagationDice, learnedPointFeaturizer, mindPointFeaturizer, validationPairs } from '../../../main/engine/training/feature-validation';
import { meanDice } from '../../../main/engine/training/label-propagation';
import { readModelFolder, readTrainingCheckpoint } from '../../../main/engine/training/model-files';
import { initialWeights } from '../../../main/engine/training/network/feature-network';
import type { LabelledPair } from '../../../main/engine/training/synthetic-training-pairs';
import { syntheticPair } from '../../../main/engine/training/synthetic-training-pairs';
import { defaultTrainingRequest } from '../../../main/engine/training/training-defaults';
import { trainingData } from '../../../main/engine/training/training-data';
import { runTrainingJob } from '../../../main/engine/training/training-job';
import { tempFolder } from '../cli/run-cli';

describe('what training learns', () => {
  const scratch = tempFolder('ximorph-learning-test-');
  const options = { cacheFolder: path.join(scratch.dir, 'cache'), backend: 'wasm' };
  beforeAll(async () => void (await selectComputeBackend('wasm')));
  afterAll(() => scratch.cleanup());

  it('with augmentation, on synthetic data alone, lowers the loss and raises label propagation by the features alone above the untrained network on held-out synthetic pairs', async () => {
    const request = {
      ...defaultTrainingRequest(2),
      data: { kind: 'synthetic' as const },
      resolutionMm: 4,
      exampleEdge: 48,
      steps: 24,
      batch: 2,
      samples: 1024,
      threads: 1,
      validateEvery: 24,
      checkpointEvery: 1000,
      out: path.join(scratch.dir, 'augmented'),
    };
    await runTrainingJob(request, options, silentJob);
    const { settings, state } = await readTrainingCheckpoint(request.out);
    const losses = state.history.map((h) => h.loss);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const [first, last] = [mean(losses.slice(0, 8)), mean(losses.slice(-8))];
    console.log(`training loss, mean of the first and last 8 steps: ${first.toFixed(3)} → ${last.toFixed(3)}`);
    expect(last).toBeLessThan(first - 0.3);

    // The same held-out pairs the run validated on (two acquisitions each of random anatomies), before and after.
    const pairs = await validationPairs(settings.data.size, 4, settings.seed, (await trainingData(settings.data)).labelledPair);
    const before = await labelPropagationDice(learnedPointFeaturizer(settings.spec, initialWeights(settings.spec, settings.seed)), pairs);
    const after = state.validation.at(-1)!.dice;
    expect(after).toBeCloseTo(await labelPropagationDice(learnedPointFeaturizer(settings.spec, state.weights), pairs), 6);
    const mind = await labelPropagationDice(mindPointFeaturizer(2), pairs);
    console.log(`label propagation Dice by the features alone on held-out synthetic pairs: untrained ${before.toFixed(3)}, after ${request.steps} steps ${after.toFixed(3)}, MIND-SSC ${mind.toFixed(3)}`);
    expect(after).toBeGreaterThan(before + 0.1);
    // 24 real training steps: about 45 s with the suite's other file running beside it.
  }, 300_000);

  it('without augmentation, lowers the loss by encoding position: on a pair whose anatomy moved, label propagation falls to chance', async () => {
    const request = {
      ...defaultTrainingRequest(2),
      resolutionMm: 4,
      exampleEdge: 24,
      steps: 80,
      batch: 2,
      samples: 64,
      threads: 1,
      learningRate: 5e-3,
      augmentation: { affine: false, roll: false },
      // Position codes need a network that sees position: zeros at the border show it.
      padding: 'zero' as const,
      validateEvery: 1000,
      checkpointEvery: 1000,
      out: path.join(scratch.dir, 'no-augmentation'),
    };
    await runTrainingJob(request, options, silentJob);
    const model = await readModelFolder(request.out);
    const { state } = await readTrainingCheckpoint(request.out);
    const last = state.history.slice(-10).reduce((s, h) => s + h.loss, 0) / 10;
    // log K for K = 64 points is what features that say nothing give; position codes take the
    // loss to 0 (0.15 after these 80 steps, 0.000 after 300).
    expect(last).toBeLessThan(0.075 * Math.log(64));

    // Each held-out anatomy moved by a cyclic shift of half the grid: position now says nothing.
    const edge = request.exampleEdge;
    const moved: LabelledPair[] = [];
    for (const i of [0, 1, 2, 3]) {
      const pair = await syntheticPair([edge, edge], 1000 + i);
      const shift = (values: Float32Array | Int32Array) => tf.tidy(() => roll(tf.tensor(Float32Array.from(values), [edge, edge, 1]), [edge / 2, edge / 2 - 3]).dataSync());
      moved.push({ ...pair, b: Float32Array.from(shift(pair.a)), labelsB: Int32Array.from(shift(pair.labelsA)) });
    }
    const chance = moved.reduce((s, p) => s + meanDice(p.labelsA, p.labelsB), 0) / moved.length;
    const positionCodes = await labelPropagationDice(learnedPointFeaturizer(model.spec, model.weights), moved, Infinity);
    const anatomy = await labelPropagationDice(mindPointFeaturizer(2), moved, Infinity);
    console.log(`moved anatomy: chance ${chance.toFixed(3)}, no-augmentation model ${positionCodes.toFixed(3)}, MIND-SSC ${anatomy.toFixed(3)}; loss ${last.toFixed(2)} (log K ${Math.log(64).toFixed(2)})`);
    expect(Math.abs(positionCodes - chance)).toBeLessThan(0.03);
    // Features that follow anatomy do see it on the same pairs.
    expect(anatomy).toBeGreaterThan(chance + 0.05);
  });
});
