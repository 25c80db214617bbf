// Inspect mode's answers where the deformation is known: the sample generator's smooth warp
// (seed 7, as the sample library builds its pairs), with bias, gamma and noise, on the head
// phantom (3D) and on an axial slice of Colin27 (2D). For points in the head, in both
// directions: how far the feature match (attention and argmax) lands from where the point truly
// went, how far the registration's T(x) lands, and the cycle errors and confidence the readout
// shows. The bounds are the measured errors with headroom; the measurements are printed.
//
// What was measured: one point's match by features alone, over the whole other image, is not
// local — MIND-SSC and intensity describe a neighbourhood, not a place, and the shipped 2D model
// is small and briefly trained — so its median error is tens of millimetres. The readout says
// so: the spread (the softmax's standard deviation in mm) covers the error. T(x), with the
// registration's smoothness and optimization, is within about a millimetre.

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { pointMap } from '../../../shared/transforms/transform';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import type { FeatureMap } from '../../../main/engine/inspection/feature-maps';
import { computeFeatureMap } from '../../../main/engine/inspection/feature-maps';
import type { FeatureMatchResult } from '../../../main/engine/inspection/point-match';
import { attentionKeys, distance, featureAt, matchFeature, voxelWorldPoints } from '../../../main/engine/inspection/point-match';
import type { RegistrationResult } from '../../../main/engine/registration/result';
import { registerImages } from '../../../main/engine/registration/register-images';
import { headPhantom } from '../../../main/engine/samples/head-phantom';
import type { SyntheticPair } from '../../../main/engine/synthetic/synthetic-pair';
import { generateSyntheticPair } from '../../../main/engine/synthetic/synthetic-pair';
import { foregroundPoints, mricron, readImage } from '../registration/fixtures';

interface Errors {
  mean: number;
  median: number;
  max: number;
}

function summarize(values: number[]): Errors {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

const show = (e: Errors) => `mean ${e.mean.toFixed(2)}, median ${e.median.toFixed(2)}, max ${e.max.toFixed(2)} mm`;

/** Each point matched by features from `from` into `to`, as Inspect mode does for one click. */
function matchAll(points: number[][], from: FeatureMap, to: FeatureMap): FeatureMatchResult[] {
  const keys = attentionKeys(to);
  return points.map((p, i) => matchFeature(featureAt(from, p), keys, i === 0));
}

/** p_j = softmax_j(s·(q·k_j − ½|k_j|²)) and its moments over the key voxels' world points, as written (in doubles). */
function directMatch(q: Float32Array, keys: FeatureMap) {
  const C = keys.channels;
  const d = keys.grid.size.length;
  const n = keys.features.length / C;
  const p = new Float64Array(n);
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    let dot = 0;
    let square = 0;
    for (let c = 0; c < C; c++) {
      dot += q[c] * keys.features[j * C + c];
      square += keys.features[j * C + c] ** 2;
    }
    p[j] = keys.scale * (dot - 0.5 * square);
    max = Math.max(max, p[j]);
  }
  let total = 0;
  for (let j = 0; j < n; j++) total += p[j] = Math.exp(p[j] - max);
  for (let j = 0; j < n; j++) p[j] /= total;
  const points = voxelWorldPoints(keys.grid);
  const attention = new Array<number>(d).fill(0);
  for (let j = 0; j < n; j++) for (let a = 0; a < d; a++) attention[a] += p[j] * points[j * d + a];
  let variance = 0;
  let peak = 0;
  for (let j = 0; j < n; j++) {
    let r2 = 0;
    for (let a = 0; a < d; a++) r2 += (points[j * d + a] - attention[a]) ** 2;
    variance += p[j] * r2;
    peak = Math.max(peak, p[j]);
  }
  return { p, attention, peak, spread: Math.sqrt(variance) };
}

/** An axial slice of a volume as a 2D image on its own 2D grid. */
function axialSlice(volume: ScalarImage, z: number): ScalarImage {
  const [nx, ny] = volume.grid.size;
  const g = volume.grid;
  return {
    grid: { size: [nx, ny], spacing: g.spacing.slice(0, 2), origin: g.origin.slice(0, 2), direction: [g.direction[0], g.direction[1], g.direction[3], g.direction[4]] },
    pixels: Float32Array.from(volume.pixels.subarray(z * nx * ny, (z + 1) * nx * ny)),
  };
}

interface Case {
  name: string;
  load(): Promise<{ fixed: ScalarImage; labels: ScalarImage }>;
  step: number;
  featurizers: string[];
}

const cases: Case[] = [
  { name: 'the head phantom sample (3D, 2 mm)', load: async () => ((p) => ({ fixed: p.image, labels: p.labels }))(headPhantom(2)), step: 14, featurizers: ['mind-ssc', 'intensity'] },
  {
    name: 'an axial slice of Colin27 (2D, 1 mm)',
    load: async () => ({ fixed: axialSlice(await readImage(mricron + 'ch2bet.nii.gz'), 80), labels: axialSlice(await readImage(mricron + 'aal.nii.gz'), 80) }),
    step: 8,
    featurizers: ['mind-ssc', 'intensity', 'brain-2d'],
  },
];

describe('the attention match, for any channel count', () => {
  // The match kernel (WebAssembly SIMD) takes four voxels at a time in chunks of 64, in floats,
  // with its own exponential: every count from 1 to 9 channels, on an oblique, flipped grid of
  // 315 voxels (a partial chunk of padding), against the softmax in doubles.
  const grid = { size: [9, 7, 5], spacing: [1.5, 0.8, 2], origin: [10, -20, 5], direction: [0.866, -0.5, 0, 0.5, 0.866, 0, 0, 0, -1] };
  const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let channels = 1; channels <= 9; channels++)
    it(`${channels} channel${channels > 1 ? 's' : ''}: equals the softmax written out directly, heatmap included`, () => {
      const next = random(channels);
      const voxels = grid.size.reduce((a, b) => a * b, 1);
      const map: FeatureMap = { grid, features: Float32Array.from({ length: voxels * channels }, next), channels, featurizer: 'random', scale: 8 };
      const q = Float32Array.from({ length: channels }, next);
      const keys = attentionKeys(map);
      const direct = directMatch(q, map);
      // A match for another query first: the reused logits buffer must carry nothing over.
      matchFeature(Float32Array.from(q, (v) => 1 - v), keys);
      const m = matchFeature(q, keys, true);
      m.attention.forEach((v, i) => expect(v).toBeCloseTo(direct.attention[i], 4));
      expect(m.peakProbability).toBeCloseTo(direct.peak, 6);
      expect(m.spreadMm).toBeCloseTo(direct.spread, 4);
      let worst = 0;
      for (let j = 0; j < voxels; j++) worst = Math.max(worst, Math.abs(m.heatmap![j] - (255 * direct.p[j]) / direct.peak));
      expect(worst).toBeLessThanOrEqual(0.51);
    });
});

for (const c of cases) {
  describe(`inspecting ${c.name} under a known warp`, () => {
    let fixed: ScalarImage;
    let pair: SyntheticPair;
    let result: RegistrationResult;
    let points: number[][];
    let tensorsBefore: number;

    beforeAll(async () => {
      await selectComputeBackend('auto');
      ({ fixed } = await c.load());
      pair = await generateSyntheticPair(fixed, (await c.load()).labels, { seed: 7 });
      tensorsBefore = tf.memory().numTensors;
      result = await registerImages({ fixed, moving: pair.moving });
      // Points inside the head, where a click means anatomy.
      let range = 0;
      for (const v of fixed.pixels) range = Math.max(range, v);
      points = foregroundPoints(fixed, 0.2 * range, c.step);
    }, 240_000);

    it('has a real warp to find, and points to find it at', () => {
      expect(pair.summary.meanDisplacementMm).toBeGreaterThan(2);
      expect(points.length).toBeGreaterThan(40);
    });

    it('T(x) lands within about a millimetre of where each point went, both ways, and T⁻¹(T(x)) ≈ x', () => {
      const truth = pointMap(pair.truth);
      const inverseTruth = pointMap(pair.inverseTruth);
      const T = pointMap(result.transform);
      const Tinv = pointMap(result.inverseTransform);
      const identity = summarize(points.map((p) => distance(p, truth(p))));
      const forward = summarize(points.map((p) => distance(T(p), truth(p))));
      const movingPoints = points.map(truth);
      const backward = summarize(movingPoints.map((y) => distance(Tinv(y), inverseTruth(y))));
      const cycle = summarize(points.map((p) => distance(Tinv(T(p)), p)));
      console.log(`${c.name}, ${points.length} points: no motion ${show(identity)}; T(x) ${show(forward)}; T⁻¹(y) ${show(backward)}; registration cycle error ${show(cycle)}`);
      expect(forward.median).toBeLessThan(1.5);
      expect(backward.median).toBeLessThan(1.5);
      expect(forward.mean).toBeLessThan(0.75 * identity.mean);
      // An invertible registration: its two directions undo each other to a fraction of a voxel.
      expect(cycle.median).toBeLessThan(0.2);
    });

    for (const featurizer of c.featurizers)
      it(`${featurizer}: the readout's spread honestly covers the feature match's error, both ways`, async () => {
        const truth = pointMap(pair.truth);
        const a = await computeFeatureMap(fixed, featurizer);
        const b = await computeFeatureMap(pair.moving, featurizer);
        const there = matchAll(points, a, b);
        const back = matchAll(
          there.map((m) => m.attention),
          b,
          a,
        );
        const attention = summarize(there.map((m, i) => distance(m.attention, truth(points[i]))));
        const argmax = summarize(there.map((m, i) => distance(m.argmax, truth(points[i]))));
        const featureCycle = summarize(back.map((m, i) => distance(m.attention, points[i])));
        const covered = there.filter((m, i) => distance(m.attention, truth(points[i])) <= 2 * m.spreadMm).length / there.length;
        const peak = summarize(there.map((m) => m.peakProbability));
        const spread = summarize(there.map((m) => m.spreadMm));
        console.log(
          `${c.name}, ${featurizer} on a ${b.grid.spacing.map((s) => s.toFixed(1)).join('×')} mm grid: attention ${show(attention)}; argmax ${show(argmax)}; feature cycle error ${show(featureCycle)}; peak probability median ${peak.median.toFixed(3)}; spread median ${spread.median.toFixed(1)} mm; error within 2 spreads for ${(100 * covered).toFixed(0)} %`,
        );
        expect(covered).toBeGreaterThan(0.9);
        for (const m of [...there, ...back]) {
          expect(m.peakProbability).toBeGreaterThan(0);
          expect(m.peakProbability).toBeLessThanOrEqual(1);
          expect(Number.isFinite(m.spreadMm)).toBe(true);
        }
        // The two-pass match equals the softmax written out directly, heatmap included.
        const direct = directMatch(featureAt(a, points[0]), b);
        there[0].attention.forEach((v, i) => expect(v).toBeCloseTo(direct.attention[i], 3));
        expect(there[0].peakProbability).toBeCloseTo(direct.peak, 5);
        expect(there[0].spreadMm).toBeCloseTo(direct.spread, 3);
        const heatmap = there[0].heatmap!;
        expect(heatmap.length).toBe(direct.p.length);
        let worst = 0;
        for (let j = 0; j < heatmap.length; j++) worst = Math.max(worst, Math.abs(heatmap[j] - (255 * direct.p[j]) / direct.peak));
        expect(worst).toBeLessThanOrEqual(0.51);
      });

    it('leaves no tensor behind', () => {
      // Feature maps come back as host arrays; the featurizers' tensors are freed.
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });
  });
}
