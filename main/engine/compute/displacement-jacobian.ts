// det(I + ∇u) at points, for a displacement field u (world mm) interpolated linearly on a grid:
// the local volume change of x ↦ x + u(x), exact for the interpolated field (the derivative of
// the trilinear interpolant, not a finite difference). One typed-array pass on 'cpu' and 'wasm';
// elsewhere the composite differentiates gridSample.

import * as tf from '@tensorflow/tfjs-core';
import { gridSample } from './grid-sample';
import { determinantsAt } from './jacobian-determinant-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

const JACOBIAN = 'XiDisplacementJacobianDeterminant';

interface Attrs {
  /** D×D row-major: a world vector (mm) to the field grid's index units. */
  worldToIndex: number[];
}

registerTypedArrayKernel<Attrs>({
  kernelName: JACOBIAN,
  inputNames: ['field', 'points'],
  outputShape: ([, points]) => [points[0]],
  compute: ([field, points], [shape], out, a) => determinantsAt(field, shape, points, a.worldToIndex, out),
});

/** det(I + ∇u) at `points` (field index units, [n, D]) for the displacement `field` (mm). */
export function displacementJacobianDeterminant(field: tf.Tensor, points: tf.Tensor2D, worldToIndex: readonly number[], options: { implementation?: 'auto' | 'composite' } = {}): tf.Tensor1D {
  if (options.implementation !== 'composite' && hasTypedArrayKernel(JACOBIAN))
    return runTypedArrayKernel(JACOBIAN, { field, points }, { worldToIndex: [...worldToIndex] }) as tf.Tensor1D;
  return tf.tidy(() => {
    const d = points.shape[1];
    // Row c of ∂u/∂i is the point gradient of component c; ∂u/∂x = ∂u/∂i · W.
    const rows = Array.from({ length: d }, (_, c) =>
      tf.grad((p: tf.Tensor) => tf.sum(tf.slice(gridSample(field, p, { padding: 'border' }), [0, c], [-1, 1])))(points),
    );
    const g = tf.stack(rows, 1); // [n, D(c), D(a)]
    // g · W as a broadcast product summed over the middle index, not a batched matMul: a batch
    // of a million 3×3 products exceeds WebGPU's 65535 workgroups along a dispatch's Z axis.
    const w = tf.reshape(tf.tensor2d(worldToIndex as number[], [d, d]), [1, 1, d, d]);
    const f = tf.add(tf.sum(tf.mul(tf.expandDims(g, 3), w), 2), tf.eye(d));
    const e = (r: number, c: number) => tf.reshape(tf.slice(f, [0, r, c], [-1, 1, 1]), [-1]);
    if (d === 2) return tf.sub(tf.mul(e(0, 0), e(1, 1)), tf.mul(e(0, 1), e(1, 0))) as tf.Tensor1D;
    const minor = (r1: number, r2: number, c1: number, c2: number) => tf.sub(tf.mul(e(r1, c1), e(r2, c2)), tf.mul(e(r1, c2), e(r2, c1)));
    return tf.add(tf.sub(tf.mul(e(0, 0), minor(1, 2, 1, 2)), tf.mul(e(0, 1), minor(1, 2, 0, 2))), tf.mul(e(0, 2), minor(1, 2, 0, 1))) as tf.Tensor1D;
  });
}
