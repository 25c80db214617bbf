// Pausing a training run between two steps. Unlike a cancel, a pause releases nothing: the
// gradient threads, the prepared data and the optimizer stay as they are, and the run goes on
// from the very next step once resumed, as if it had never stopped (its results are those of
// an uninterrupted run). A cancel while paused ends the run as any cancel does.

import type { CancellationToken } from '../../../shared/rpc/cancellation';

/** How often a paused run looks at its token: a cancel raised on the cancel board alone is seen only by polling. */
const cancelPollMs = 200;

export class PauseGate {
  #paused = false;
  #wake = new Set<() => void>();

  get paused(): boolean {
    return this.#paused;
  }

  set(paused: boolean): void {
    this.#paused = paused;
    if (paused) return;
    for (const wake of [...this.#wake]) wake();
  }

  /** Resolves at once when not paused, else when resumed or cancelled; returns the seconds it waited. */
  async wait(token: CancellationToken): Promise<number> {
    if (!this.#paused || token.isCancellationRequested) return 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let unsubscribe = () => {};
      const done = () => {
        this.#wake.delete(done);
        unsubscribe();
        clearInterval(poll);
        resolve();
      };
      this.#wake.add(done);
      const poll = setInterval(() => token.isCancellationRequested && done(), cancelPollMs);
      unsubscribe = token.onCancellationRequested(done);
    });
    return (performance.now() - started) / 1000;
  }
}
