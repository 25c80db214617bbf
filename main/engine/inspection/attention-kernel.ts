// The WebAssembly kernel behind a feature match (attention-kernel.wat): one feature map's voxels
// laid out in its linear memory as the kernel reads them, and its two passes over them. The
// keys' memory is made once per (image, featurizer) and kept with the features; each match
// then writes the query and reads back five sums (and, when asked, the heatmap's bytes).

import { WASM_BASE64 } from './attention-kernel.wasm';

interface KernelExports {
  logits(channels: number, n: number, query: number, keys: number, halfSquares: number, scale: number, out: number): number;
  moments(n: number, logits: number, maxLogit: number, points: number, cx: number, cy: number, cz: number, withBytes: number, bytes: number, out: number): void;
}

let compiled: WebAssembly.Module | null = null;
const kernelModule = () => (compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64')));

/** The kernel's voxel loops take 64 at a time (16 blocks of 4 whose float sums then go to doubles). */
const CHUNK = 64;
/** ½|k|² of a padding voxel: its logit lies far below any real one, so its probability is 0. */
const PADDING_HALF_SQUARE = 1e30;
/** The query and the five sums come first. */
const HEADER_BYTES = 64 * 1024;
const SUMS_OFFSET = 0;

export interface SoftmaxSums {
  /** Σ e_j, with e_j = exp(ℓ_j − max ℓ): the best voxel's e is 1. */
  readonly sum: number;
  /** Σ e_j (y_j − c), per axis (x, y, z). */
  readonly offset: [number, number, number];
  /** Σ e_j |y_j − c|². */
  readonly squaredOffset: number;
  /** round(255 · e_j) for each voxel, when asked. */
  readonly bytes?: Uint8Array;
}

export class AttentionKernel {
  readonly voxels: number;
  readonly channels: number;
  readonly #padded: number;
  readonly #memory: WebAssembly.Memory;
  readonly #kernel: KernelExports;
  readonly #at: { query: number; keys: number; halfSquares: number; points: number; logits: number; bytes: number };

  /**
   * `features`: voxels × channels, a voxel's channels together; `world`: voxels × d, each
   * voxel's world point in d = 2 or 3 dimensions (z is 0 in 2D).
   */
  constructor(features: Float32Array, channels: number, world: Float32Array, d: number) {
    const n = world.length / d;
    if (channels * 4 > HEADER_BYTES - 64) throw new Error(`a feature map of ${channels} channels is more than the match kernel takes`);
    this.voxels = n;
    this.channels = channels;
    const padded = Math.ceil(n / CHUNK) * CHUNK;
    this.#padded = padded;
    const plane = padded * 4;
    const keys = HEADER_BYTES;
    const halfSquares = keys + channels * plane;
    const pointPlanes = halfSquares + plane;
    const logits = pointPlanes + 3 * plane;
    const bytes = logits + plane;
    const total = bytes + padded;
    this.#at = { query: SUMS_OFFSET + 64, keys, halfSquares, points: pointPlanes, logits, bytes };
    this.#memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536) });
    this.#kernel = new WebAssembly.Instance(kernelModule(), { env: { memory: this.#memory } }).exports as unknown as KernelExports;

    const buffer = this.#memory.buffer;
    const half = new Float32Array(buffer, halfSquares, padded);
    for (let c = 0; c < channels; c++) {
      const keyPlane = new Float32Array(buffer, keys + c * plane, n);
      for (let j = 0, o = c; j < n; j++, o += channels) keyPlane[j] = features[o];
    }
    for (let j = 0; j < n; j++) {
      let square = 0;
      for (let c = 0, o = j * channels; c < channels; c++, o++) square += features[o] * features[o];
      half[j] = 0.5 * square;
    }
    half.fill(PADDING_HALF_SQUARE, n);
    // The z plane of a 2D map stays as the memory starts: zeros.
    for (let a = 0; a < d; a++) {
      const axis = new Float32Array(buffer, pointPlanes + a * plane, n);
      for (let j = 0; j < n; j++) axis[j] = world[j * d + a];
    }
  }

  /** The kernel's memory: what the keys hold beyond their feature map. */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  /** ℓ_j = s·(q·k_j − ½|k_j|²) for every voxel, kept for `sums`; returns the best j. */
  logits(q: Float32Array, scale: number): number {
    new Float32Array(this.#memory.buffer, this.#at.query, this.channels).set(q);
    const { query, keys, halfSquares, logits } = this.#at;
    return this.#kernel.logits(this.channels, this.#padded, query, keys, halfSquares, scale, logits);
  }

  /** Voxel j's world point, x, y, z. */
  pointAt(j: number): [number, number, number] {
    const plane = this.#padded * 4;
    const at = (a: number) => new Float32Array(this.#memory.buffer, this.#at.points + a * plane + 4 * j, 1)[0];
    return [at(0), at(1), at(2)];
  }

  /** The last logits' value at voxel j. */
  logitAt(j: number): number {
    return new Float32Array(this.#memory.buffer, this.#at.logits + 4 * j, 1)[0];
  }

  /** The softmax of the last logits, summed about the point c (see attention-kernel.wat). */
  sums(maxLogit: number, c: readonly number[], withBytes: boolean): SoftmaxSums {
    const { logits, points, bytes } = this.#at;
    this.#kernel.moments(this.#padded, logits, maxLogit, points, c[0], c[1], c[2], withBytes ? 1 : 0, bytes, SUMS_OFFSET);
    const [sum, dx, dy, dz, d2] = new Float64Array(this.#memory.buffer, SUMS_OFFSET, 5);
    return {
      sum,
      offset: [dx, dy, dz],
      squaredOffset: d2,
      bytes: withBytes ? new Uint8Array(this.#memory.buffer, bytes, this.voxels).slice() : undefined,
    };
  }
}
