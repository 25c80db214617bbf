// Who computes a step's gradients: this thread, or a pool of worker threads that splits the
// batch (data parallelism: tfjs's wasm backend runs one thread, so the other cores need
// threads of their own). Either way the mean is taken over the examples in seed order, so the
// result does not depend on the thread count.

import { Worker } from 'node:worker_threads';
import { cancelledError, deserializeError } from '../../../shared/contract/errors';
import type { SerializedError } from '../../../shared/contract/errors';
import type { CancellationToken } from '../../../shared/rpc/cancellation';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import { batchGradients, meanOfGradients } from './batch-gradients';
import type { FeatureNetworkSpec } from './network/feature-network';
import type { PairLossOptions } from './pair-loss';
import type { TrainingDataRecipe } from './training-data';
import { trainingData } from './training-data';

export interface StepGradients {
  readonly meanLoss: number;
  readonly meanGradients: Float32Array[];
}

export interface GradientComputer {
  readonly threads: number;
  compute(weights: readonly Float32Array[], seeds: readonly number[], token: CancellationToken): Promise<StepGradients>;
  dispose(): Promise<void>;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export async function inProcessGradients(spec: FeatureNetworkSpec, recipe: TrainingDataRecipe, options: PairLossOptions): Promise<GradientComputer> {
  const data = await trainingData(recipe);
  return {
    threads: 1,
    async compute(weights, seeds, token) {
      const losses: number[] = [];
      const perExample: Float32Array[][] = [];
      for (const seed of seeds) {
        throwIfCancelled(token);
        const one = await batchGradients(spec, weights, data, [seed], options);
        losses.push(...one.losses);
        perExample.push(...one.gradients);
        // Let the event loop breathe between examples: progress and cancel messages get through.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { meanLoss: mean(losses), meanGradients: meanOfGradients(perExample) };
    },
    dispose: async () => {},
  };
}

/** What a gradient worker is started with. */
export interface GradientWorkerData {
  readonly spec: FeatureNetworkSpec;
  readonly recipe: TrainingDataRecipe;
  readonly options: PairLossOptions;
  readonly backend: string;
}

export type GradientRequest = { readonly id: number; readonly weights: Float32Array[]; readonly seeds: number[] };
export type GradientReply = { readonly id: number; readonly losses: number[]; readonly gradients: Float32Array[][] } | { readonly id: number; readonly error: SerializedError };

/** Contiguous shares of the seeds, one per thread, in order. */
export function splitSeeds(seeds: readonly number[], parts: number): number[][] {
  const out: number[][] = [];
  const base = Math.floor(seeds.length / parts);
  let extra = seeds.length % parts;
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = base + (extra-- > 0 ? 1 : 0);
    if (size > 0) out.push(seeds.slice(start, start + size));
    start += size;
  }
  return out;
}

export function threadPoolGradients(threads: number, workerUrl: URL, data: GradientWorkerData): GradientComputer {
  const workers = Array.from({ length: threads }, () => new Worker(workerUrl, { workerData: data }));
  let nextId = 0;
  const ask = (worker: Worker, weights: readonly Float32Array[], seeds: number[], token: CancellationToken) =>
    new Promise<{ losses: number[]; gradients: Float32Array[][] }>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (reply: GradientReply) => {
        if (reply.id !== id) return;
        cleanup();
        if ('error' in reply) reject(deserializeError(reply.error));
        else resolve(reply);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`a gradient worker stopped (exit code ${code})`));
      };
      const unsubscribe = token.onCancellationRequested(() => {
        cleanup();
        reject(cancelledError());
      });
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        unsubscribe();
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      const request: GradientRequest = { id, weights: weights.map((w) => w.slice()), seeds };
      worker.postMessage(request);
    });
  return {
    threads,
    async compute(weights, seeds, token) {
      throwIfCancelled(token);
      const shares = splitSeeds(seeds, threads);
      const replies = await Promise.all(shares.map((share, i) => ask(workers[i], weights, share, token)));
      return { meanLoss: mean(replies.flatMap((r) => r.losses)), meanGradients: meanOfGradients(replies.flatMap((r) => r.gradients)) };
    },
    async dispose() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
