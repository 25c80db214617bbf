// An image every kernel thread reads: its values on a SharedArrayBuffer, outside tfjs. The
// optimizer samples the two images' signals at 30 000 fresh points per step; these images never
// change during a registration, so they live here once, and each sample splits its points over
// the kernel pool (kernel-pool/). Gradients flow to the points only, as gridSample's
// `constantImage` does; under a tape the derivatives are kept in the same pass
// (sample-with-derivatives-loops.ts).
//
// For the backends whose tensors JavaScript reads directly ('cpu', 'wasm'); on the others the
// optimizer keeps its tensors and gridSample.

import * as tf from '@tensorflow/tfjs-core';
import { gridShapeOf } from './grid-sampling-loops';
import type { Padding } from './grid-sampling-loops';
import { kernelPool } from './kernel-pool/kernel-pool';
import { scratch, sharedFloats } from './kernel-pool/shared-scratch';
import { savedPointGradient, valuesOfSamples, valuesWithDerivativesWidth } from './sample-with-derivatives-loops';
import { copyTensorInto, typedArrayBackends, valuesNow } from './typed-array-kernel';

export interface SharedImage {
  /** As a tensor's: [z, y, x, c] or [y, x, c]. */
  readonly shape: readonly number[];
  /** On a SharedArrayBuffer. */
  readonly values: Float32Array;
}

/** True where the active backend's tensors are JavaScript-readable, so images can be shared. */
export function backendSharesImages(): boolean {
  return (typedArrayBackends as readonly string[]).includes(tf.getBackend());
}


/** A shared copy of `values`, x fastest with channels interleaved. */
export function sharedImage(values: ArrayLike<number>, shape: readonly number[]): SharedImage {
  const length = shape.reduce((a, b) => a * b, 1);
  if (values.length !== length) throw new Error(`sharedImage: ${values.length} values for shape [${shape}]`);
  const shared = sharedFloats(length);
  shared.set(values);
  return { shape: [...shape], values: shared };
}

/** A shared copy of a float32 tensor's values. */
export async function sharedImageOf(t: tf.Tensor): Promise<SharedImage> {
  const shared = sharedFloats(t.size);
  await copyTensorInto(t, shared, 0);
  return { shape: [...t.shape], values: shared };
}

/** The points, in memory every thread reads (until the next call). */
function sharedPoints(points: tf.Tensor): Float32Array {
  return scratch.points.copyOf(valuesNow(points));
}

/**
 * `image` linearly interpolated at `points` ([n, D] continuous indices, x first): [n, C].
 * Differentiable in the points.
 */
export function sampleSharedImage(image: SharedImage, points: tf.Tensor2D, padding: Padding = 'zeros'): tf.Tensor2D {
  const shape = gridShapeOf(image.shape);
  if (points.rank !== 2 || points.shape[1] !== shape.dimension) throw new Error(`sampleSharedImage: points must be [n, ${shape.dimension}], got [${points.shape}]`);
  const n = points.shape[0];
  const C = shape.channels;
  if (tf.engine().state.gradientDepth === 0) {
    const out = scratch.output.take(n * C);
    kernelPool().run({ task: 'sample', image: image.values, shape, padding, points: sharedPoints(points), out }, n);
    return tf.tensor2d(out.slice(), [n, C]);
  }
  const sample = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pts] = args as [tf.Tensor];
    const shared = scratch.output.take(n * valuesWithDerivativesWidth(shape));
    kernelPool().run({ task: 'sampleWithDerivatives', image: image.values, shape, padding, points: sharedPoints(pts), out: shared }, n);
    // Kept for the backward pass, which may come after other samples.
    const out = shared.slice();
    const values = new Float32Array(n * C);
    valuesOfSamples(out, shape, values);
    return {
      value: tf.tensor2d(values, [n, C]),
      gradFunc: (dy: tf.Tensor) => {
        const grad = new Float32Array(n * shape.dimension);
        savedPointGradient(out, shape, valuesNow(dy), grad);
        return tf.tensor2d(grad, [n, shape.dimension]);
      },
    };
  });
  return sample(points) as tf.Tensor2D;
}
