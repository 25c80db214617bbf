// Requests that follow the pointer: at most one in flight; while it runs, only the latest
// wish is kept (older ones are dropped, never queued), and it goes out the moment the
// answer comes back, before that answer is drawn, so the engine never waits on the UI.

export class LatestOnly<Q, R> {
  readonly #send: (query: Q) => Promise<R>;
  readonly #deliver: (query: Q, result: R) => void;
  readonly #fail: (query: Q, error: unknown) => void;
  #inFlight: Q | null = null;
  #next: Q | null = null;

  constructor(send: (query: Q) => Promise<R>, deliver: (query: Q, result: R) => void, fail: (query: Q, error: unknown) => void) {
    this.#send = send;
    this.#deliver = deliver;
    this.#fail = fail;
  }

  get busy(): boolean {
    return this.#inFlight !== null;
  }

  submit(query: Q): void {
    if (this.#inFlight !== null) this.#next = query;
    else this.#run(query);
  }

  /** Forgets the waiting wish (the one in flight still answers). */
  dropWaiting(): void {
    this.#next = null;
  }

  #run(query: Q): void {
    this.#inFlight = query;
    this.#send(query).then(
      (result) => this.#settle(() => this.#deliver(query, result)),
      (error: unknown) => this.#settle(() => this.#fail(query, error)),
    );
  }

  #settle(report: () => void): void {
    this.#inFlight = null;
    const next = this.#next;
    this.#next = null;
    if (next !== null) this.#run(next);
    report();
  }
}
