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
    return tf.tensor2d(points, [points.length / d, d]);
  }

  /** sample's points as a flat array (x, y[, z] per point). */
  samplePoints(count: number): Float32Array {
    const d = this.#size.length;
    const [nx, ny] = this.#size;
    const nz = d === 3 ? this.#size[2] : 1;
    const stride = Math.max(1, (this.#count / Math.max(1, count)) ** (1 / d));
    const offset = [0, 1, 2].map(() => this.#random() * stride);
    const jitter = Math.min(0.5, stride / 2);
    const zStride = d === 3 ? stride : 1;
    const capacity = Math.ceil(nx / stride + 1) * Math.ceil(ny / stride + 1) * Math.ceil(nz / zStride + 1) * d;
    const out = new Float32Array(capacity);
    const random = this.#random;
    let n = 0;
    for (let z = d === 3 ? offset[2] - 0.5 : 0; z < nz - 0.5; z += zStride)
      for (let y = offset[1] - 0.5; y < ny - 0.5; y += stride)
        for (let x = offset[0] - 0.5; x < nx - 0.5; x += stride) {
          const px = x + jitter * (2 * random() - 1);
          const py = y + jitter * (2 * random() - 1);
          const pz = d === 3 ? z + jitter * (2 * random() - 1) : 0;
          const vx = Math.min(nx - 1, Math.max(0, Math.round(px)));
          const vy = Math.min(ny - 1, Math.max(0, Math.round(py)));
          const vz = Math.min(nz - 1, Math.max(0, Math.round(pz)));
          if (!this.#inside[(vz * ny + vy) * nx + vx]) continue;
          out[n++] = px;
          out[n++] = py;
          if (d === 3) out[n++] = pz;
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
