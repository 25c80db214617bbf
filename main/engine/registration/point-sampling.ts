// Points in a region of a grid at which a similarity is evaluated, fresh every iteration, so that
// an optimizer step costs the same whatever the image size (elastix draws 2048 random points per
// iteration for the same reason). The points are a lattice with a random offset and a random
// jitter per point: stratified sampling, which covers the region evenly, sees continuous
// positions (no grid aliasing), and reads memory in order. Reading a 43 MB feature volume at
// uniformly random places is bound by cache misses: 3× slower per point (measured).

import * as tf from '@tensorflow/tfjs-core';

export class RegionSampler {
  readonly #inside: Uint8Array;
  readonly #count: number;
  readonly #size: readonly number[];
  readonly #random: () => number;
  /** samplePoints's output, reused. */
  #points = new Float32Array(0);

  /** `region` holds one value per voxel of a grid of `size` (x fastest); nonzero is inside. An
   * empty region means the whole grid. */
  constructor(region: ArrayLike<number>, size: readonly number[], random: () => number) {
    let count = 0;
    const inside = new Uint8Array(region.length);
    for (let i = 0; i < region.length; i++)
      if (region[i] > 0) {
        inside[i] = 1;
        count++;
      }
    if (count === 0) {
      inside.fill(1);
      count = region.length;
    }
    this.#inside = inside;
    this.#count = count;
    this.#size = size;
    this.#random = random;
  }

  get regionVoxels(): number {
    return this.#count;
  }

  /** About `count` continuous index points, [n, D], in memory order. */
  sample(count: number): tf.Tensor2D {
    const d = this.#size.length;
    const points = this.samplePoints(count);
    return tf.tensor2d(points.slice(), [points.length / d, d]);
  }

  /**
   * sample's points as a flat array (x, y[, z] per point), valid until the next call. A lattice
   * node outside the region is skipped before its jitter is drawn: the region is a brain's mask
   * on a box, and drawing three random numbers for each of the box's nodes was most of the
   * sampler's time.
   */
  samplePoints(count: number): Float32Array {
    const d = this.#size.length;
    const [nx, ny] = this.#size;
    const nz = d === 3 ? this.#size[2] : 1;
    const stride = Math.max(1, (this.#count / Math.max(1, count)) ** (1 / d));
    const offset = [0, 1, 2].map(() => this.#random() * stride);
    const jitter = Math.min(0.5, stride / 2);
    const zStride = d === 3 ? stride : 1;
    const capacity = Math.ceil(nx / stride + 1) * Math.ceil(ny / stride + 1) * Math.ceil(nz / zStride + 1) * d;
    if (this.#points.length < capacity) this.#points = new Float32Array(capacity);
    const out = this.#points;
    const random = this.#random;
    const inside = this.#inside;
    const nearest = (p: number, n: number) => (p <= 0 ? 0 : p >= n - 1 ? n - 1 : Math.round(p));
    let n = 0;
    for (let z = d === 3 ? offset[2] - 0.5 : 0; z < nz - 0.5; z += zStride)
      for (let y = offset[1] - 0.5; y < ny - 0.5; y += stride) {
        const row = (nearest(z, nz) * ny + nearest(y, ny)) * nx;
        for (let x = offset[0] - 0.5; x < nx - 0.5; x += stride) {
          if (!inside[row + nearest(x, nx)]) continue;
          out[n++] = x + jitter * (2 * random() - 1);
          out[n++] = y + jitter * (2 * random() - 1);
          if (d === 3) out[n++] = z + jitter * (2 * random() - 1);
        }
      }
    return out.subarray(0, n);
  }

  /** Every region voxel's centre, [n, D]: for exhaustive evaluation on small grids. */
  all(): tf.Tensor2D {
    const d = this.#size.length;
    const [nx, ny] = this.#size;
    const out = new Float32Array(this.#count * d);
    let p = 0;
    this.#inside.forEach((flag, v) => {
      if (!flag) return;
      out[p * d] = v % nx;
      out[p * d + 1] = Math.floor(v / nx) % ny;
      if (d === 3) out[p * d + 2] = Math.floor(v / (nx * ny));
      p++;
    });
    return tf.tensor2d(out, [this.#count, d]);
  }
}
