// Cancellation tokens in the VS Code style: a job checks `isCancellationRequested` between
// steps or subscribes to be told. Pure, so that the engine, the host and the UI share it.

import { cancelledError } from '../contract/errors';

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): () => void;
}

export class CancellationTokenSource {
  #cancelled = false;
  #listeners = new Set<() => void>();
  readonly token: CancellationToken;

  constructor() {
    const isCancelled = () => this.#cancelled;
    const subscribe = (listener: () => void) => {
      if (this.#cancelled) {
        listener();
        return () => {};
      }
      this.#listeners.add(listener);
      return () => void this.#listeners.delete(listener);
    };
    this.token = {
      get isCancellationRequested() {
        return isCancelled();
      },
      onCancellationRequested: subscribe,
    };
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l();
  }
}

export const neverCancelled: CancellationToken = {
  isCancellationRequested: false,
  onCancellationRequested: () => () => {},
};

export function throwIfCancelled(token: CancellationToken): void {
  if (token.isCancellationRequested) throw cancelledError();
}
