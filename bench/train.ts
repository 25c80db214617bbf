// npm run bench:train: the trainer's speed against what the backend can do, in the same run:
// the wasm backend's matrix-product rate (the ceiling of im2col convolutions) measured first,
// then training steps on one thread and on every core, in 2D and 3D, as examples per second
// and achieved GFLOP/s (the network's multiply-adds per voxel × voxels × 4 maps × 3 for
// forward and backward × 2). Goal: at least half the matrix-product rate.
//
//   npm run bench:train [-- --steps 6]

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectComputeBackend } from '../main/engine/compute/backend';
import type { GradientComputer } from '../main/engine/training/gradient-computers';
import { inProcessGradients, threadPoolGradients } from '../main/engine/training/gradient-computers';
import { trainingExampleSeed } from '../main/engine/training/example-seeds';
import { initialWeights, macsPerVoxel } from '../main/engine/training/network/feature-network';
import { defaultAugmentation, networkSpec } from '../main/engine/training/training-defaults';
import { neverCancelled } from '../shared/rpc/cancellation';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '6' } } });
const steps = Number(values.steps);
const workerUrl = new URL('../dist/main/training-worker.js', import.meta.url);
const backend = await selectComputeBackend('wasm');

function matMulRate(): number {
  const a = tf.randomNormal([4096, 64]);
  const b = tf.randomNormal([64, 4096]);
  tf.matMul(a, b).dispose();
  const started = performance.now();
  for (let i = 0; i < 5; i++) tf.matMul(a, b).dataSync();
  const seconds = (performance.now() - started) / 1000 / 5;
  tf.dispose([a, b]);
  return (2 * 4096 * 64 * 4096) / seconds / 1e9;
}

interface Row {
  readonly setting: string;
  readonly threads: number;
  readonly examplesPerSecond: number;
  readonly gflops: number;
}

async function measure(dimension: 2 | 3, threads: number): Promise<Row> {
  const spec = networkSpec(dimension, 'cpu');
  const size = new Array<number>(dimension).fill(dimension === 2 ? 112 : 32);
  const recipe = { kind: 'synthetic' as const, dimension, size };
  const options = { augmentation: defaultAugmentation, samples: 1024 };
  const computer: GradientComputer =
    threads === 1 ? await inProcessGradients(spec, recipe, options) : threadPoolGradients(threads, workerUrl, { spec, recipe, options, backend: 'wasm' });
  const weights = initialWeights(spec, 1);
  const batch = threads;
  const step = (s: number) => computer.compute(weights, Array.from({ length: batch }, (_, i) => trainingExampleSeed(1, s, i)), neverCancelled);
  await step(0); // warm-up: threads start, kernels compile, data is made
  const started = performance.now();
  for (let s = 1; s <= steps; s++) await step(s);
  const seconds = (performance.now() - started) / 1000;
  await computer.dispose();
  const examplesPerSecond = (steps * batch) / seconds;
  const flopsPerExample = 4 * 3 * 2 * macsPerVoxel(spec) * size.reduce((a, b) => a * b, 1);
  return { setting: `${dimension}D ${size.join('×')}, network ${spec.widths.join('/')}→${spec.channels}`, threads, examplesPerSecond, gflops: (examplesPerSecond * flopsPerExample) / 1e9 };
}

const rate = matMulRate();
const cores = os.availableParallelism();
console.log(`backend: ${backend.name} (${backend.detail}); matMul 4096×64·64×4096: ${rate.toFixed(1)} GFLOP/s on one thread; ${cores} cores`);
const rows: Row[] = [];
for (const dimension of [2, 3] as const) for (const threads of [...new Set([1, cores])]) rows.push(await measure(dimension, threads));
console.log('\n| setting | threads | examples/s | achieved GFLOP/s | per thread | ÷ matMul rate (per thread) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(`| ${r.setting} | ${r.threads} | ${r.examplesPerSecond.toFixed(2)} | ${r.gflops.toFixed(1)} | ${(r.gflops / r.threads).toFixed(1)} | ${((100 * r.gflops) / r.threads / rate).toFixed(0)} % |`);
console.log(`\nGoal: at least 50 % of the matMul rate. ${path.basename(import.meta.filename)} measured ${steps} steps per setting after one warm-up step.`);
