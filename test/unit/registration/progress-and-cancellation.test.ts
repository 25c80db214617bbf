// A registration streams its stages with metrics, can be cancelled in any stage, and a cancelled
// job releases every tensor it made.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/contract/errors';
import type { Progress } from '../../../shared/contract/common-schemas';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import { registerImages } from '../../../main/engine/registration/register-images';
import { readItkSlice } from './fixtures';

describe('progress and cancellation', () => {
  let fixed: ScalarImage;
  let moving: ScalarImage;
  beforeAll(async () => {
    fixed = await readItkSlice('BrainProtonDensitySliceBorder20.png');
    moving = await readItkSlice('BrainProtonDensitySliceR10X13Y17.png');
  });

  it('reports every stage, with the similarity per optimization iteration, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const updates: Progress[] = [];
    const source = new CancellationTokenSource();
    const result = await registerImages({ fixed, moving }, { optimization: { levels: [{ controlDownsample: 4, iterations: 30 }] } }, { token: source.token, progress: (p) => updates.push(p) });
    const stages = [...new Set(updates.map((u) => u.stage))];
    expect(stages).toEqual(['preparation', 'alignment', 'features', 'attention level 1', 'attention level 2', 'attention level 3', 'optimization', 'outputs']);
    const curve = updates.filter((u) => u.stage === 'optimization' && u.metrics?.similarity !== undefined);
    expect(curve.length).toBeGreaterThan(1);
    expect(curve.every((u) => Number.isFinite(u.metrics!.similarity) && u.iteration! >= 1)).toBe(true);
    // Fractions never go back, and the job ends at 1.
    expect(updates.every((u, i) => i === 0 || u.fraction >= updates[i - 1].fraction - 1e-9)).toBe(true);
    expect(updates[updates.length - 1].fraction).toBe(1);
    expect(Object.keys(result.timings)).toEqual(stages);
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const stage of ['alignment', 'attention level 1', 'optimization', 'outputs']) {
    it(`stops when cancelled during ${stage}, releasing its tensors`, async () => {
      const before = tf.memory().numTensors;
      const source = new CancellationTokenSource();
      const progress = (p: Progress) => {
        if (p.stage === stage) source.cancel();
      };
      const error = await registerImages({ fixed, moving }, {}, { token: source.token, progress }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('CANCELLED');
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('the other optimization models', () => {
  for (const [name, optimization] of [
    ['displacement field, inverted afterwards', { model: 'displacement', levels: [{ controlDownsample: 4, iterations: 20 }] }],
    ['displacement fields tied by GradICON', { model: 'displacement', gradIconWeight: 0.5, levels: [{ controlDownsample: 4, iterations: 20 }] }],
    ['MIND similarity on the working grid', { similarity: 'mind', similarityResolution: 'working', levels: [{ controlDownsample: 4, iterations: 20 }] }],
  ] as const) {
    it(`runs with a ${name}, consistently and without leaks`, async () => {
      const fixed = await readItkSlice('BrainProtonDensitySliceBorder20.png');
      const moving = await readItkSlice('BrainProtonDensitySliceR10X13Y17.png');
      const before = tf.memory().numTensors;
      const result = await registerImages({ fixed, moving }, { optimization });
      expect(result.metrics.nccAfter).toBeGreaterThan(0.97);
      expect(result.metrics.inverseConsistency.meanMm).toBeLessThan(0.5);
      expect(result.metrics.foldPercent).toBeLessThan(0.05);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
