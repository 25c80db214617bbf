// The velocity model's step on the host (velocity-objective.ts) against the same objective as
// tensor ops under tfjs's tape: scaling and squaring of v, the map at sampled points, the
// moving signal there, the similarity and the diffusion. Both give one loss and one gradient,
// up to float rounding, on oblique, anisotropic and flipped grids in 2D and 3D, for 1 − NCC
// and for MIND's squared differences (several channels).

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { voxelCount } from '../../../shared/geometry/grid';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { setKernelThreads } from '../../../main/engine/compute/kernel-pool/kernel-pool';
import { gridSample } from '../../../main/engine/compute/grid-sample';
import { sharedImage } from '../../../main/engine/compute/shared-image';
import { displacedPoints, integrateVelocity, sampleField } from '../../../main/engine/registration/fields/displacement-fields';
import { downsampledGrid } from '../../../main/engine/registration/filters';
import { indexToIndexMatrix, tensorShapeOf, transformPoints } from '../../../main/engine/registration/grid-tensors';
import { diffusionEnergy } from '../../../main/engine/registration/losses/regularizers';
import { featureSsd, nccLoss } from '../../../main/engine/registration/losses/similarity';
import { VelocityObjective, type VelocityObjectiveOptions } from '../../../main/engine/registration/optimization/velocity-objective';
import { seededRandom } from '../../../main/engine/registration/random';

/** A grid rotated by `degrees` about z, with anisotropic spacing and x flipped. */
function obliqueGrid(size: number[], spacing: number[], degrees: number): ImageGrid {
  const t = (degrees * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  const direction = size.length === 3 ? [-c, -s, 0, -s, c, 0, 0, 0, 1] : [-c, -s, -s, c];
  return { size, spacing, origin: size.map((_, a) => 7 - 3 * a), direction };
}

/** A smooth random signal of `channels` channels on `grid`: sums of a few sinusoids. */
function smoothSignal(grid: ImageGrid, channels: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const d = grid.size.length;
  const n = voxelCount(grid);
  const out = new Float32Array(n * channels);
  const waves = Array.from({ length: channels * 3 }, () => ({ k: Array.from({ length: d }, () => (random() - 0.5) * 0.8), phase: random() * 6 }));
  for (let i = 0; i < n; i++) {
    const index = [i % grid.size[0], Math.floor(i / grid.size[0]) % grid.size[1], Math.floor(i / (grid.size[0] * grid.size[1]))];
    for (let c = 0; c < channels; c++) {
      let v = 0;
      for (let w = 0; w < 3; w++) {
        const { k, phase } = waves[c * 3 + w];
        v += Math.sin(phase + k.reduce((sum, kk, a) => sum + kk * index[a], 0));
      }
      out[i * channels + c] = v;
    }
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly signal: ImageGrid;
  readonly controlDownsample: number;
  readonly options: VelocityObjectiveOptions;
  readonly channels: number;
}

const cases: Case[] = [
  { name: '3D, 1 − NCC', signal: obliqueGrid([20, 17, 14], [1.5, 1.2, 2], 25), controlDownsample: 4, channels: 1, options: { similarity: 'lncc', diffusionWeight: 0.1, integrationSteps: 5 } },
  { name: '3D, MIND (3 channels)', signal: obliqueGrid([16, 18, 12], [2, 1.5, 1.8], -30), controlDownsample: 3, channels: 3, options: { similarity: 'mind', diffusionWeight: 0.5, integrationSteps: 4 } },
  { name: '2D, 1 − NCC', signal: obliqueGrid([40, 33], [0.9, 1.3], 15), controlDownsample: 5, channels: 1, options: { similarity: 'ncc', diffusionWeight: 0.1, integrationSteps: 5 } },
  { name: '2D, MIND (2 channels), no squaring', signal: obliqueGrid([30, 26], [1.2, 1.1], 40), controlDownsample: 4, channels: 2, options: { similarity: 'mind', diffusionWeight: 1, integrationSteps: 0 } },
];

/** The objective as tensor ops, as instance-optimization.ts takes it without the host step. */
function tensorObjective(c: Case, control: ImageGrid, fixed: tf.Tensor, moving: tf.Tensor, points: tf.Tensor2D, v: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const reference = gridSample(fixed, points, { constantImage: true });
    const forward = integrateVelocity({ grid: control, tensor: v }, c.options.integrationSteps);
    const displacement = sampleField({ grid: control, tensor: forward }, transformPoints(points, indexToIndexMatrix(c.signal, control)));
    const values = gridSample(moving, displacedPoints(c.signal, points, displacement), { constantImage: true });
    const similarity = c.options.similarity === 'mind' ? featureSsd(reference, values) : nccLoss(reference, values);
    return tf.add(similarity, tf.mul(diffusionEnergy(v, control.spacing), c.options.diffusionWeight)) as tf.Scalar;
  });
}

/** The case's signals, a velocity and `n` points, all drawn from fixed seeds. */
function problemOf(c: Case, n: number) {
  const d = c.signal.size.length;
  const control = downsampledGrid(c.signal, c.controlDownsample);
  const shape = tensorShapeOf(c.signal, c.channels);
  const fixedValues = smoothSignal(c.signal, c.channels, 1);
  const movingValues = smoothSignal(c.signal, c.channels, 2);
  // A velocity of a few millimetres: a map that moves points by a voxel or two.
  const random = seededRandom(3);
  const v = Float32Array.from({ length: voxelCount(control) * d }, () => (random() - 0.5) * 6);
  // Points over the grid and a little beyond it (the zero padding's edge is crossed).
  const points = Float32Array.from({ length: n * d }, (_, i) => -1 + random() * (c.signal.size[i % d] + 1));
  const objective = () => new VelocityObjective(control, c.signal, sharedImage(fixedValues, shape), sharedImage(movingValues, shape), c.options);
  return { d, control, shape, fixedValues, movingValues, v, points, objective };
}

describe('the velocity objective on the host', () => {
  beforeAll(async () => {
    await selectComputeBackend('wasm');
  });
  afterAll(() => setKernelThreads(0));

  it('gives the same loss and gradient, to the bit, on 1 and 3 threads', () => {
    // Enough points and control nodes that every loop splits over the threads.
    const c: Case = { ...cases[0], signal: obliqueGrid([40, 34, 28], [1.5, 1.2, 2], 25), controlDownsample: 2 };
    const { v, points, objective } = problemOf(c, 20_000);
    const at = (threads: number) => {
      setKernelThreads(threads);
      const gradient = new Float32Array(v.length);
      return { terms: objective().evaluate(v, points, gradient), gradient };
    };
    const one = at(1);
    const three = at(3);
    expect(three.terms).toEqual(one.terms);
    expect(Buffer.from(three.gradient.buffer).equals(Buffer.from(one.gradient.buffer))).toBe(true);
    expect(one.gradient.some((g) => g !== 0)).toBe(true);
  });

  for (const c of cases) {
    it(`gives the tape's loss and gradient: ${c.name}`, () => {
      const n = 400;
      const { d, control, shape, fixedValues, movingValues, v, points, objective: make } = problemOf(c, n);
      const objective = make();
      const gradient = new Float32Array(v.length);
      const terms = objective.evaluate(v, points, gradient);

      const [fixed, moving, pts, vt] = [tf.tensor(fixedValues, shape), tf.tensor(movingValues, shape), tf.tensor2d(points, [n, d]), tf.tensor(v, tensorShapeOf(control, d))];
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tensorObjective(c, control, fixed, moving, pts, x))(vt);
      const expected = grad.dataSync();
      expect(terms.total).toBeCloseTo(value.dataSync()[0], 5);
      let difference = 0;
      let norm = 0;
      for (let i = 0; i < expected.length; i++) {
        difference += (gradient[i] - expected[i]) ** 2;
        norm += expected[i] ** 2;
      }
      expect(norm).toBeGreaterThan(0);
      expect(Math.sqrt(difference / norm)).toBeLessThan(1e-4);
      tf.dispose([fixed, moving, pts, vt, value, grad]);
    });
  }
});
