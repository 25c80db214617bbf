// Box means (zero padded, divided by the full window) by running sums: one pass per axis
// whatever the radius. As a depthwise convolution a radius-4 box over a 1 mm brain costs three
// 9-tap passes over 7 M voxels; as running sums it is a few additions per voxel.

import type * as tf from '@tensorflow/tfjs-core';
import { boxAlongAxis } from './box-filter-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

const BOX_FILTER = 'XiBoxFilter';

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
