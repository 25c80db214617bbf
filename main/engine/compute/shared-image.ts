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
import { differentiableThroughSamples } from './grid-sample';
import { kernelPool } from './kernel-pool/kernel-pool';
import { scratch, sharedFloats } from './kernel-pool/shared-scratch';
import { valuesWithDerivativesWidth } from './sample-with-derivatives-loops';
import { activeTypedArrayBackend, copyTensorInto, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

export interface SharedImage {
  /** As a tensor's: [z, y, x, c] or [y, x, c]. */
  readonly shape: readonly number[];
  /** On a SharedArrayBuffer. */
  readonly values: Float32Array;
}

/** True where the active backend's tensors are JavaScript-readable, so images can be shared. */
export function backendSharesImages(): boolean {
  return activeTypedArrayBackend() !== undefined;
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

interface SharedSampleAttrs {
  /** Passed through tfjs untouched: attributes are handed to the kernel as they are. */
  image: SharedImage;
  padding: Padding;
  /** Values and derivatives per point (sample-with-derivatives-loops.ts), or values alone. */
  derivatives: boolean;
}

const SHARED_SAMPLE = 'XiSharedImageSample';

// The points go to the threads through shared scratch, and the threads' output comes back into
// the kernel's own output: no array is made per call, which at two samples per optimizer step
// had the garbage of a registration raise its peak memory by 260 MB (measured).
registerTypedArrayKernel<SharedSampleAttrs>({
  kernelName: SHARED_SAMPLE,
  inputNames: ['points'],
  outputShape: ([points], a) => {
    const shape = gridShapeOf(a.image.shape);
    return [points[0], a.derivatives ? valuesWithDerivativesWidth(shape) : shape.channels];
  },
  compute: ([points], [pointsShape], out, a) => {
    const shape = gridShapeOf(a.image.shape);
    const task = a.derivatives ? 'sampleWithDerivatives' : 'sample';
    const shared = scratch.output.take(out.length);
    kernelPool().run({ task, image: a.image.values, shape, padding: a.padding, points: scratch.points.copyOf(points), out: shared }, pointsShape[0]);
    out.set(shared);
  },
});

/**
 * `image` linearly interpolated at `points` ([n, D] continuous indices, x first): [n, C].
 * Differentiable in the points.
 */
export function sampleSharedImage(image: SharedImage, points: tf.Tensor2D, padding: Padding = 'zeros'): tf.Tensor2D {
  const shape = gridShapeOf(image.shape);
  if (points.rank !== 2 || points.shape[1] !== shape.dimension) throw new Error(`sampleSharedImage: points must be [n, ${shape.dimension}], got [${points.shape}]`);
  const attrs = (derivatives: boolean): SharedSampleAttrs => ({ image, padding, derivatives });
  if (tf.engine().state.gradientDepth === 0) return runTypedArrayKernel(SHARED_SAMPLE, { points }, attrs(false)) as tf.Tensor2D;
  return differentiableThroughSamples(points, shape, (pts) => runTypedArrayKernel(SHARED_SAMPLE, { points: pts }, attrs(true)));
}
