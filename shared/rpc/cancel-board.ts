// Cancellation that reaches a busy thread. A compute worker deep in a synchronous loop does
// not read its messages until the loop ends, so a cancel message alone could wait for
// seconds. The host therefore also raises a flag in shared memory, which the worker's
// cancellation token reads directly (Atomics), whatever its event loop is doing.

const slots = 4096;

export class CancelBoard {
  readonly flags: Int32Array;
  #next = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT)) {
    this.flags = new Int32Array(buffer);
  }

  get buffer(): SharedArrayBuffer {
    return this.flags.buffer as SharedArrayBuffer;
  }

  /** A fresh slot for a new request (slots are reused round-robin; thousands are in flight at most). */
  allocate(): number {
    const slot = this.#next;
    this.#next = (this.#next + 1) % this.flags.length;
    Atomics.store(this.flags, slot, 0);
    return slot;
  }

  raise(slot: number): void {
    Atomics.store(this.flags, slot, 1);
  }

  isRaised(slot: number): boolean {
    return Atomics.load(this.flags, slot) === 1;
  }
}
