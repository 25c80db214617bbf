// Box means (zero padded, divided by the full window) by running sums: one pass per axis
// whatever the radius. As a depthwise convolution a radius-4 box over a 1 mm brain costs three
// 9-tap passes over 7 M voxels; as running sums it is a few additions per voxel.

import type * as tf from '@tensorflow/tfjs-core';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

const BOX_FILTER = 'XiBoxFilter';

/**
 * Box mean of radius r along one axis of a [nz][ny][nx] volume, zero padded, in place. Along x
 * a running sum per line; along y and z a running sum of whole rows or planes (so memory is
 * read in order), with a ring of the last r + 1 original rows or planes, which the in-place
 * write has already replaced.
 */
export function boxAlongAxis(v: Float32Array, n: number[], axis: number, r: number, scratch: Float64Array): void {
  const norm = 1 / (2 * r + 1);
  if (axis === 0) {
    const len = n[0];
    for (let start = 0; start < v.length; start += len) {
      for (let i = 0; i < len; i++) scratch[i] = v[start + i];
      let sum = 0;
      for (let i = 0; i <= Math.min(r, len - 1); i++) sum += scratch[i];
      for (let i = 0; i < len; i++) {
        v[start + i] = sum * norm;
        if (i + r + 1 < len) sum += scratch[i + r + 1];
        if (i - r >= 0) sum -= scratch[i - r];
      }
    }
    return;
  }
  // A "block" is a row (axis y) or a plane (axis z); blocks repeat `outer` times.
  const block = axis === 1 ? n[0] : n[0] * n[1];
  const len = n[axis];
  const outer = axis === 1 ? n[2] : 1;
  const step = block; // consecutive blocks along the axis are adjacent in memory
  const sum = new Float64Array(block);
  const ring = new Float32Array(block * (r + 1));
  for (let o = 0; o < outer; o++) {
    const base = o * block * len;
    sum.fill(0);
    for (let i = 0; i <= Math.min(r, len - 1); i++) for (let k = 0, at = base + i * step; k < block; k++) sum[k] += v[at + k];
    for (let i = 0; i < len; i++) {
      const at = base + i * step;
      const slot = (i % (r + 1)) * block;
      for (let k = 0; k < block; k++) {
        ring[slot + k] = v[at + k]; // the original, before it is replaced
        v[at + k] = sum[k] * norm;
      }
      if (i + r + 1 < len) for (let k = 0, next = base + (i + r + 1) * step; k < block; k++) sum[k] += v[next + k];
      if (i - r >= 0) for (let k = 0, old = ((i - r) % (r + 1)) * block; k < block; k++) sum[k] -= ring[old + k];
    }
  }
}

interface Attrs {
  radius: number;
}

registerTypedArrayKernel<Attrs>({
  kernelName: BOX_FILTER,
  inputNames: ['image'],
  outputShape: ([shape]) => [...shape],
  compute: ([image], [shape], out, a) => {
    const dims = shape.length - 1;
    const channels = shape[dims];
    const n = [shape[dims - 1], shape[dims - 2], dims === 3 ? shape[0] : 1];
    const volume = n[0] * n[1] * n[2];
    const scratch = new Float64Array(Math.max(...n));
    const channel = new Float32Array(channels === 1 ? 0 : volume);
    if (channels === 1) {
      out.set(image);
      for (let axis = 0; axis < dims; axis++) boxAlongAxis(out, n, axis, a.radius, scratch);
      return;
    }
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < volume; i++) channel[i] = image[i * channels + c];
      for (let axis = 0; axis < dims; axis++) boxAlongAxis(channel, n, axis, a.radius, scratch);
      for (let i = 0; i < volume; i++) out[i * channels + c] = channel[i];
    }
  },
});

export function hasBoxFilterKernel(): boolean {
  return hasTypedArrayKernel(BOX_FILTER);
}

/** The kernel; registration/filters.ts boxFilter picks it or the convolution. */
export function boxFilterKernel(image: tf.Tensor, radius: number): tf.Tensor {
  return runTypedArrayKernel(BOX_FILTER, { image }, { radius });
}
