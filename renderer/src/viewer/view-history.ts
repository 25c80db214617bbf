// Undo and redo for what the user does to the view: a history of settled states. A change
// becomes one step once it settles (a drag, or a slider pulled across, is one step, not
// hundreds); undoing goes back a step, and a new change after an undo forgets the redos.

export class History<T> {
  readonly #past: T[] = [];
  readonly #future: T[] = [];
  #current: T | null = null;
  readonly #same: (a: T, b: T) => boolean;
  readonly #limit: number;

  constructor(same: (a: T, b: T) => boolean, limit = 100) {
    this.#same = same;
    this.#limit = limit;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** The state as it settled; the first one recorded is where undo stops. */
  record(state: T): void {
    if (this.#current !== null && this.#same(this.#current, state)) return;
    if (this.#current !== null) {
      this.#past.push(this.#current);
      if (this.#past.length > this.#limit) this.#past.shift();
      this.#future.length = 0;
    }
    this.#current = state;
  }

  /** The state to go back to, or null at the start. */
  undo(): T | null {
    const previous = this.#past.pop();
    if (previous === undefined || this.#current === null) return null;
    this.#future.push(this.#current);
    this.#current = previous;
    return previous;
  }

  redo(): T | null {
    const next = this.#future.pop();
    if (next === undefined || this.#current === null) return null;
    this.#past.push(this.#current);
    this.#current = next;
    return next;
  }
}
