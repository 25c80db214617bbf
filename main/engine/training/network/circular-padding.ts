// A convolution on a grid that wraps around, for backends without the typed-array im2col
// kernels (whose columns wrap by themselves, with none of the padding's extra work: a 3D
// network's 8³ level padded to 10³ does twice the multiply-adds): the grid padded from its far
// sides, convolved with zero padding, then cropped back to its own extent. Both the padding and
// the cropping are one gather of voxels by an index map (the padded grid's voxel → the grid's
// voxel, and back), whose gradient scatters and adds by the same map. Done on host arrays, as
// the trainer's other kernels are: tfjs's slice and concat of 5D tensors, and their gradients,
// ran the 3D network about twelve times slower on the wasm backend.

import * as tf from '@tensorflow/tfjs-core';
import { readsBackAsynchronously } from '../../compute/backend';

/**
 * For each voxel of a grid of `over` (sizes, x fastest), the linear index in a grid of `into`
 * of the voxel `at` sends it to, axis by axis.
 */
function voxelIndexMap(over: readonly number[], into: readonly number[], at: (coordinate: number, axis: number) => number): Int32Array {
  const count = over.reduce((a, b) => a * b, 1);
  const map = new Int32Array(count);
  const index = new Array<number>(over.length).fill(0);
  for (let v = 0; v < count; v++) {
    let target = 0;
    for (let a = over.length - 1; a >= 0; a--) target = target * into[a] + at(index[a], a);
    map[v] = target;
    for (let a = 0; a < over.length && ++index[a] === over[a]; a++) index[a] = 0;
  }
  return map;
}

/**
 * out[b, v, c] = x[b, map[v], c] for a [batch, ...spatial, channels] tensor, to a grid of
 * `outSpatial` (tensor order); the gradient adds back along the map.
 */
function gatherVoxels(x: tf.Tensor, map: Int32Array, outSpatial: readonly number[]): tf.Tensor {
  if (readsBackAsynchronously()) return gatherVoxelsOnDevice(x, map, outSpatial);
  const batch = x.shape[0];
  const channels = x.shape[x.rank - 1];
  const inVoxels = x.size / (batch * channels);
  const outVoxels = map.length;
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([]);
    const source = input.dataSync() as Float32Array;
    const out = new Float32Array(batch * outVoxels * channels);
    for (let b = 0; b < batch; b++)
      for (let v = 0; v < outVoxels; v++) {
        const from = (b * inVoxels + map[v]) * channels;
        out.set(source.subarray(from, from + channels), (b * outVoxels + v) * channels);
      }
    return {
      value: tf.tensor(out, [batch, ...outSpatial, channels]),
      gradFunc: (dy: tf.Tensor) => {
        const upstream = dy.dataSync() as Float32Array;
        const dx = new Float32Array(batch * inVoxels * channels);
        for (let b = 0; b < batch; b++)
          for (let v = 0; v < outVoxels; v++) {
            const to = (b * inVoxels + map[v]) * channels;
            const from = (b * outVoxels + v) * channels;
            for (let c = 0; c < channels; c++) dx[to + c] += upstream[from + c];
          }
        return tf.tensor(dx, input.shape);
      },
    };
  });
  return gather(x);
}

/** The host loop's job done by tf.gather, for a backend that cannot read to the host synchronously (WebGPU). */
function gatherVoxelsOnDevice(x: tf.Tensor, map: Int32Array, outSpatial: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const batch = x.shape[0];
    const channels = x.shape[x.rank - 1];
    const voxels = tf.reshape(x, [batch, x.size / (batch * channels), channels]);
    return tf.reshape(tf.gather(voxels, tf.tensor1d(map, 'int32'), 1), [batch, ...outSpatial, channels]);
  });
}

/**
 * `convolve(padded)` for the grid `x` ([batch, ...spatial, channels]) padded by `pad` voxels
 * from its far sides, cropped back to x's extent.
 */
export function convolveCircularly(x: tf.Tensor, pad: number, convolve: (padded: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (pad === 0) return convolve(x);
  return tf.tidy(() => {
    const spatial = x.shape.slice(1, x.rank - 1);
    const sizeXyz = [...spatial].reverse();
    const paddedXyz = sizeXyz.map((n) => n + 2 * pad);
    // The padded grid's voxel → the grid's voxel it shows, from the far side past an edge; and each
    // of the grid's voxels → its place in the padded grid.
    const wrap = voxelIndexMap(paddedXyz, sizeXyz, (c, a) => (((c - pad) % sizeXyz[a]) + sizeXyz[a]) % sizeXyz[a]);
    const interior = voxelIndexMap(sizeXyz, paddedXyz, (c) => c + pad);
    const padded = gatherVoxels(x, wrap, spatial.map((n) => n + 2 * pad));
    return gatherVoxels(convolve(padded), interior, spatial);
  });
}
