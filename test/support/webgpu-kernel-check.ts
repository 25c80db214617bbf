// Run in a process of its own (Dawn's Vulkan loader is chosen by LD_LIBRARY_PATH at start):
// the grid-sampling kernels on the webgpu backend against the cpu backend's, with their
// gradients, in 2D and 3D, for both paddings and interpolations. Prints one JSON line per case
// with the largest differences; webgpu-kernels.test.ts asserts on them.

import * as tf from '@tensorflow/tfjs-core';
import { selectComputeBackend } from '../../main/engine/compute/backend';
import { gridSample } from '../../main/engine/compute/grid-sample';
import type { Interpolation, Padding } from '../../main/engine/compute/grid-sampling-loops';

interface Case {
  d: number;
  padding: Padding;
  interpolation: Interpolation;
  channels: number;
}

interface Values {
  value: Float32Array;
  imageGradient: Float32Array;
  pointGradient: Float32Array;
}

/** The sample, and the gradients of Σ w·sample with respect to the image and the points. */
async function evaluate(c: Case, backend: 'cpu' | 'webgpu'): Promise<Values> {
  await selectComputeBackend(backend);
  const shape = c.d === 3 ? [5, 6, 7, c.channels] : [6, 7, c.channels];
  const sizes = c.d === 3 ? [7, 6, 5] : [7, 6];
  const imageValues = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) + 0.1 * i);
  // Points inside, on the half-voxel margin, beyond it, and NaN.
  const count = 60;
  const pointValues = new Float32Array(count * c.d);
  for (let p = 0; p < count; p++) for (let a = 0; a < c.d; a++) pointValues[p * c.d + a] = -1.2 + ((p * 7 + a * 13) % 29) * ((sizes[a] + 1.4) / 28);
  pointValues[5 * c.d] = NaN;
  const weights = tf.tensor2d(Float32Array.from({ length: count * c.channels }, (_, i) => Math.cos(i)), [count, c.channels]);
  const image = tf.tensor(imageValues, shape);
  const points = tf.tensor2d(pointValues, [count, c.d]);
  const loss = (im: tf.Tensor, pts: tf.Tensor) => tf.sum(tf.mul(gridSample(im, pts, { padding: c.padding, interpolation: c.interpolation }), weights));
  const value = gridSample(image, points, { padding: c.padding, interpolation: c.interpolation });
  const [imageGradient, pointGradient] = tf.grads(loss)([image, points]);
  const out = {
    value: (await value.data()) as Float32Array,
    imageGradient: (await imageGradient.data()) as Float32Array,
    pointGradient: (await pointGradient.data()) as Float32Array,
  };
  tf.dispose([weights, image, points, value, imageGradient, pointGradient]);
  return out;
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const both = Number.isNaN(a[i]) && Number.isNaN(b[i]);
    m = Math.max(m, both ? 0 : Number.isNaN(a[i]) || Number.isNaN(b[i]) ? Infinity : Math.abs(a[i] - b[i]));
  }
  return m;
}

const info = await selectComputeBackend('webgpu');
console.log(JSON.stringify({ backend: info.name, detail: info.detail }));
for (const d of [2, 3])
  for (const padding of ['zeros', 'border'] as const)
    for (const interpolation of ['linear', 'nearest'] as const) {
      const c = { d, padding, interpolation, channels: d === 3 ? 3 : 2 };
      const gpu = await evaluate(c, 'webgpu');
      const cpu = await evaluate(c, 'cpu');
      console.log(
        JSON.stringify({
          ...c,
          value: largestDifference(gpu.value, cpu.value),
          imageGradient: largestDifference(gpu.imageGradient, cpu.imageGradient),
          pointGradient: largestDifference(gpu.pointGradient, cpu.pointGradient),
        }),
      );
    }
process.exit(0);
