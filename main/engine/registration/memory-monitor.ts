// Peak memory per stage, for reports: the process's resident set (what the OS sees, tensors on
// the wasm heap included) and the bytes tfjs holds in tensors. Sampled as a stage begins and
// ends, and at progress reports at most every 20 ms: the optimizer reports every step, and
// reading the resident set (from /proc) at each of a 2D slice's 160 steps took 16 ms.

import * as tf from '@tensorflow/tfjs-core';

export interface StageMemory {
  /** Largest resident set size seen during the stage, MiB. */
  readonly peakRssMiB: number;
  /** Largest total of live tensor bytes seen during the stage, MiB. */
  readonly peakTensorMiB: number;
}

/** The least time between two samples at progress reports. */
const sampleIntervalMs = 20;

export class MemoryMonitor {
  readonly #stages: Record<string, { rss: number; tensors: number }> = {};
  #current = '';
  #sampledAt = -Infinity;

  begin(stage: string): void {
    this.#sample();
    this.#current = stage;
    this.#sample();
  }

  /** At a progress report: a sample unless one was taken within the last 20 ms. */
  sample(): void {
    if (performance.now() - this.#sampledAt >= sampleIntervalMs) this.#sample();
  }

  #sample(): void {
    this.#sampledAt = performance.now();
    if (!this.#current) return;
    const entry = (this.#stages[this.#current] ??= { rss: 0, tensors: 0 });
    entry.rss = Math.max(entry.rss, process.memoryUsage.rss());
    entry.tensors = Math.max(entry.tensors, tf.memory().numBytes);
  }

  report(): Record<string, StageMemory> {
    this.#sample();
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    return Object.fromEntries(Object.entries(this.#stages).map(([k, v]) => [k, { peakRssMiB: mib(v.rss), peakTensorMiB: mib(v.tensors) }]));
  }
}
