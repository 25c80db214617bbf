// Shared memory for the kernel threads' inputs and outputs, reused from call to call. A kernel
// thread that only waits and computes allocates next to nothing, so it hardly ever collects
// garbage, and every buffer it was ever sent stayed alive in it: fresh buffers per call grew a
// 2D registration's memory by 175 MB (measured). The same few buffers, sent again and again,
// cost nothing more.

export function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

export class SharedScratch {
  #floats: Float32Array<ArrayBufferLike> = new Float32Array(0);

  /** `length` floats, valid until the scratch is taken again. */
  take(length: number): Float32Array {
    if (this.#floats.length < length) this.#floats = sharedFloats(Math.max(length, 2 * this.#floats.length));
    return this.#floats.subarray(0, length);
  }

  /** `length` doubles in the scratch's memory, valid until the scratch is taken again. */
  takeDoubles(length: number): Float64Array {
    const floats = this.take(2 * length);
    return new Float64Array(floats.buffer, floats.byteOffset, length);
  }

  /** Lets the memory go (it is taken anew, and grown, at the next take). */
  release(): void {
    this.#floats = new Float32Array(0);
  }

  /** A shared copy of `values`, valid until the scratch is taken again. */
  copyOf(values: ArrayLike<number>): Float32Array {
    const shared = this.take(values.length);
    shared.set(values);
    return shared;
  }
}

/** The scratches, by what they hold (a call may hold several at once, never two of one kind). */
export const scratch = {
  points: new SharedScratch(),
  output: new SharedScratch(),
};
