// Peak memory per stage, for reports: the process's resident set (what the OS sees, tensors on
// the wasm heap included) and the bytes tfjs holds in tensors. Sampled at every progress report,
// which happens at least every few hundred milliseconds during long stages.

import * as tf from '@tensorflow/tfjs-core';

export interface StageMemory {
  /** Largest resident set size seen during the stage, MiB. */
  readonly peakRssMiB: number;
  /** Largest total of live tensor bytes seen during the stage, MiB. */
  readonly peakTensorMiB: number;
}

export class MemoryMonitor {
  readonly #stages: Record<string, { rss: number; tensors: number }> = {};
  #current = '';

  begin(stage: string): void {
    this.sample();
    this.#current = stage;
    this.sample();
  }

  sample(): void {
    if (!this.#current) return;
    const entry = (this.#stages[this.#current] ??= { rss: 0, tensors: 0 });
    entry.rss = Math.max(entry.rss, process.memoryUsage.rss());
    entry.tensors = Math.max(entry.tensors, tf.memory().numBytes);
  }

  report(): Record<string, StageMemory> {
    this.sample();
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    return Object.fromEntries(Object.entries(this.#stages).map(([k, v]) => [k, { peakRssMiB: mib(v.rss), peakTensorMiB: mib(v.tensors) }]));
  }
}
