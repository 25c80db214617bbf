// gridSample: a channels-last image read at continuous voxel indices. The one interpolation
// primitive of the engine: warping images, features and displacement fields, upsampling control
// grids, and sampling random points all go through it. Differentiable with respect to both the
// image (for parameters on a grid) and the points (for transforms).
//
// Where the active backend has the kernel it runs it: typed-array loops on 'cpu' and 'wasm', WGSL
// on 'webgpu'. Elsewhere (native TensorFlow) a composite of tf.gather runs, wrapped in
// tf.customGrad so that the integer corner indices never enter the tape (tf.gather's own
// gradient fails when its indices derive from a variable).

import * as tf from '@tensorflow/tfjs-core';
import type { Interpolation, Padding } from './grid-sampling-loops';
import { gridShapeOf, sampleGrid, sampleGridPointGradient, scatterToGrid } from './grid-sampling-loops';
import { sampleGridWithDerivatives, savedPointGradient, valuesOfSamples, valuesWithDerivativesWidth } from './sample-with-derivatives-loops';
import type { SampleShape } from './sample-with-derivatives-loops';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

export type { Interpolation, Padding } from './grid-sampling-loops';

export interface GridSampleOptions {
  /** 'zeros' (default): ITK's rule, zero beyond half a voxel outside. 'border': clamp to the edge. */
  padding?: Padding;
  interpolation?: Interpolation;
  /** Force the composite of built-in ops even where a kernel exists (for tests and comparisons). */
  implementation?: 'auto' | 'composite';
  /**
   * The image is constant during differentiation (features of the other image, say): gradients
   * flow to the points only, and the image is not copied for the backward pass. (tfjs copies
   * every saved input on the wasm backend: 43 MB per step for 12 channels at 2 mm.) The caller
   * keeps the image alive until the gradient is computed.
   */
  constantImage?: boolean;
}

interface SampleAttrs {
  padding: Padding;
  interpolation: Interpolation;
}
interface ScatterAttrs extends SampleAttrs {
  imageShape: number[];
}

const SAMPLE = 'XiGridSample';
const POINT_GRADIENT = 'XiGridSamplePointGradient';
const SCATTER = 'XiGridSampleScatter';
const SAMPLE_WITH_DERIVATIVES = 'XiGridSampleWithDerivatives';
const SAVED_POINT_GRADIENT = 'XiGridSampleSavedPointGradient';
const VALUES_OF_SAMPLES = 'XiGridSampleValuesOfSamples';
/** The kernels' names, for the backends that implement them elsewhere (webgpu-grid-sample.ts). */
export const GRID_SAMPLE_KERNELS = { sample: SAMPLE, pointGradient: POINT_GRADIENT, scatter: SCATTER } as const;

function pointCount(pointsShape: readonly number[]): number {
  return pointsShape[0];
}

registerTypedArrayKernel<SampleAttrs>({
  kernelName: SAMPLE,
  inputNames: ['image', 'points'],
  outputShape: ([image, points]) => [pointCount(points), image[image.length - 1]],
  compute: ([image, points], [imageShape], out, a) => sampleGrid(image, gridShapeOf(imageShape), points, out, a.padding, a.interpolation),
});

registerTypedArrayKernel<SampleAttrs>({
  kernelName: POINT_GRADIENT,
  inputNames: ['image', 'points', 'dy'],
  outputShape: ([, points]) => [...points],
  compute: ([image, points, dy], [imageShape], grad, a) => sampleGridPointGradient(image, gridShapeOf(imageShape), points, dy, grad, a.padding),
});

registerTypedArrayKernel<ScatterAttrs>({
  kernelName: SCATTER,
  inputNames: ['points', 'dy'],
  outputShape: (_shapes, a) => [...a.imageShape],
  compute: ([points, dy], _shapes, image, a) => scatterToGrid(gridShapeOf(a.imageShape), points, dy, image, a.padding, a.interpolation),
});

registerTypedArrayKernel<Pick<SampleAttrs, 'padding'>>({
  kernelName: SAMPLE_WITH_DERIVATIVES,
  inputNames: ['image', 'points'],
  outputShape: ([image, points]) => [pointCount(points), valuesWithDerivativesWidth(gridShapeOf(image))],
  compute: ([image, points], [imageShape], out, a) => sampleGridWithDerivatives(image, gridShapeOf(imageShape), points, out, a.padding === 'zeros'),
});

registerTypedArrayKernel<SampleShape>({
  kernelName: SAVED_POINT_GRADIENT,
  inputNames: ['samples', 'dy'],
  outputShape: ([samples], a) => [samples[0], a.dimension],
  compute: ([samples, dy], _shapes, grad, a) => savedPointGradient(samples, a, dy, grad),
});

// tf.slice of the values took 2.6 ms per step on wasm (its generic 2D slice); this loop, 0.1.
registerTypedArrayKernel<SampleShape>({
  kernelName: VALUES_OF_SAMPLES,
  inputNames: ['samples'],
  outputShape: ([samples], a) => [samples[0], a.channels],
  compute: ([samples], _shapes, values, a) => valuesOfSamples(samples, a, values),
});

tf.registerGradient({
  kernelName: SAMPLE,
  inputsToSave: ['image', 'points'],
  gradFunc: (dy, saved, attrs) => {
    const [image, points] = saved;
    const a = attrs as unknown as SampleAttrs;
    const g = dy as tf.Tensor;
    return {
      image: () => runTypedArrayKernel(SCATTER, { points, dy: g }, { ...a, imageShape: image.shape }),
      points: () =>
        a.interpolation === 'nearest' ? tf.zerosLike(points) : runTypedArrayKernel(POINT_GRADIENT, { image, points, dy: g }, a),
    };
  },
});

function validate(image: tf.Tensor, points: tf.Tensor): void {
  const dimension = image.rank - 1;
  if (dimension !== 2 && dimension !== 3) throw new Error(`gridSample: image must be [y, x, c] or [z, y, x, c], got [${image.shape}]`);
  if (points.rank !== 2 || points.shape[1] !== dimension)
    throw new Error(`gridSample: points must be [n, ${dimension}] for a ${dimension}D image, got [${points.shape}]`);
}

/**
 * Samples `image` ([y, x, c] or [z, y, x, c]) at `points` ([n, D] continuous indices in
 * (x, y, z) order) and returns [n, c].
 */
export function gridSample(image: tf.Tensor, points: tf.Tensor, options: GridSampleOptions = {}): tf.Tensor2D {
  validate(image, points);
  const attrs: SampleAttrs = { padding: options.padding ?? 'zeros', interpolation: options.interpolation ?? 'linear' };
  const img = image.dtype === 'float32' ? image : tf.cast(image, 'float32');
  const pts = points.dtype === 'float32' ? points : tf.cast(points, 'float32');
  try {
    const kernel = options.implementation !== 'composite' && hasTypedArrayKernel(SAMPLE);
    if (kernel && options.constantImage) return sampleConstantImage(img, pts, attrs);
    if (kernel) return runTypedArrayKernel(SAMPLE, { image: img, points: pts }, attrs) as tf.Tensor2D;
    return compositeGridSample(img, pts, attrs);
  } finally {
    if (img !== image) img.dispose();
    if (pts !== points) pts.dispose();
  }
}

/**
 * The kernel with a gradient for the points only; the image is captured, not saved. Under a
 * gradient tape, and where the backend has the fused loop, the forward pass keeps each point's
 * derivatives as it interpolates, and the backward pass reads them instead of the image again
 * (sample-with-derivatives-loops.ts says why).
 */
function sampleConstantImage(image: tf.Tensor, points: tf.Tensor, a: SampleAttrs): tf.Tensor2D {
  const fused = a.interpolation === 'linear' && tf.engine().state.gradientDepth > 0 && hasTypedArrayKernel(SAMPLE_WITH_DERIVATIVES);
  const shape: SampleShape = { channels: image.shape[image.rank - 1], dimension: image.rank - 1 };
  if (fused) return differentiableThroughSamples(points, shape, (pts) => runTypedArrayKernel(SAMPLE_WITH_DERIVATIVES, { image, points: pts }, { padding: a.padding }));
  const sample = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pts, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([pts]);
    return {
      value: runTypedArrayKernel(SAMPLE, { image, points: pts }, a),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) =>
        a.interpolation === 'nearest' ? tf.zerosLike(saved) : runTypedArrayKernel(POINT_GRADIENT, { image, points: saved, dy }, a),
    };
  });
  return sample(points) as tf.Tensor2D;
}

/**
 * A sample differentiable in the points, from a kernel that gives each point's values and
 * derivatives together ([n, C·(1 + D)], sample-with-derivatives-loops.ts): the values come out
 * of it, and the backward pass is a dot product with the kept derivatives.
 */
export function differentiableThroughSamples(points: tf.Tensor, shape: SampleShape, samplesAt: (points: tf.Tensor) => tf.Tensor): tf.Tensor2D {
  const sample = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pts, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const samples = samplesAt(pts);
    save([samples]);
    return {
      value: runTypedArrayKernel(VALUES_OF_SAMPLES, { samples }, shape),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => runTypedArrayKernel(SAVED_POINT_GRADIENT, { samples: saved, dy }, shape),
    };
  });
  return sample(points) as tf.Tensor2D;
}

// ---------------------------------------------------------------------------------------------
// The composite for backends without the kernel: the same math from gathers, with hand-written
// gradients so that the tape never sees an integer index.

interface Corner {
  index: tf.Tensor1D; // int32 flat voxel index
  weight: tf.Tensor1D; // interpolation weight
  /** ∂weight/∂x_a for each axis: what the point gradient needs. */
  weightDerivatives: tf.Tensor1D[];
}

interface Stencil {
  corners: Corner[];
  inside: tf.Tensor1D; // 1 inside, 0 outside ('zeros' padding)
  axisScale: tf.Tensor1D[]; // 0 on clamped axes ('border' padding), else 1
}

function stencilOf(imageShape: readonly number[], points: tf.Tensor2D, a: SampleAttrs): Stencil {
  const s = gridShapeOf(imageShape);
  const sizes = [s.nx, s.ny, s.nz];
  const axes = tf.unstack(points, 1) as tf.Tensor1D[];
  if (s.dimension === 2) axes.push(tf.zeros([points.shape[0]]));
  let inside: tf.Tensor1D = tf.ones([points.shape[0]]);
  const axisScale: tf.Tensor1D[] = [];
  const lower: tf.Tensor1D[] = [];
  const upper: tf.Tensor1D[] = [];
  const frac: tf.Tensor1D[] = [];
  axes.forEach((x, a2) => {
    const n = sizes[a2];
    if (a.padding === 'zeros') {
      const ok = tf.logicalAnd(tf.greaterEqual(x, -0.5), tf.lessEqual(x, n - 0.5));
      inside = tf.mul(inside, tf.cast(ok, 'float32')) as tf.Tensor1D;
      axisScale.push(tf.onesLike(x));
    } else {
      axisScale.push(tf.cast(tf.logicalAnd(tf.greater(x, 0), tf.less(x, n - 1)), 'float32') as tf.Tensor1D);
      x = tf.clipByValue(x, 0, n - 1) as tf.Tensor1D;
    }
    const f = tf.floor(x);
    frac.push((a.interpolation === 'nearest' ? tf.cast(tf.greaterEqual(tf.sub(x, f), 0.5), 'float32') : tf.sub(x, f)) as tf.Tensor1D);
    lower.push(tf.cast(tf.clipByValue(f, 0, n - 1), 'int32') as tf.Tensor1D);
    upper.push(tf.cast(tf.clipByValue(tf.add(f, 1), 0, n - 1), 'int32') as tf.Tensor1D);
  });
  const corners: Corner[] = [];
  for (let bits = 0; bits < 8; bits++) {
    let index: tf.Tensor1D = tf.zeros([points.shape[0]], 'int32');
    let weight: tf.Tensor1D = tf.ones([points.shape[0]]);
    const factors: tf.Tensor1D[] = [];
    for (let a2 = 2; a2 >= 0; a2--) {
      const hi = (bits >> a2) & 1;
      index = tf.add(tf.mul(index, tf.scalar(sizes[a2], 'int32')), hi ? upper[a2] : lower[a2]);
    }
    for (let a2 = 0; a2 < 3; a2++) {
      const hi = (bits >> a2) & 1;
      factors.push(hi ? frac[a2] : tf.sub(1, frac[a2]));
    }
    for (const f of factors) weight = tf.mul(weight, f);
    const weightDerivatives = [0, 1, 2].slice(0, s.dimension).map((a2) => {
      let d: tf.Tensor1D = tf.fill([points.shape[0]], (bits >> a2) & 1 ? 1 : -1);
      factors.forEach((f, b) => {
        if (b !== a2) d = tf.mul(d, f);
      });
      return d;
    });
    corners.push({ index, weight, weightDerivatives });
  }
  return { corners, inside, axisScale };
}

function compositeGridSample(image: tf.Tensor, points: tf.Tensor, a: SampleAttrs): tf.Tensor2D {
  const C = image.shape[image.rank - 1];
  const sample = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [img, pts, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([img, pts]);
    const value = tf.tidy(() => {
      const flat = tf.reshape(img, [-1, C]);
      const st = stencilOf(img.shape, pts as tf.Tensor2D, a);
      let sum: tf.Tensor = tf.zeros([pts.shape[0], C]);
      for (const c of st.corners) sum = tf.add(sum, tf.mul(tf.gather(flat, c.index), tf.expandDims(c.weight, 1)));
      return tf.mul(sum, tf.expandDims(st.inside, 1));
    });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [im, ps] = saved;
      return tf.tidy(() => {
        const flat = tf.reshape(im, [-1, C]);
        const st = stencilOf(im.shape, ps as tf.Tensor2D, a);
        const g = tf.mul(dy, tf.expandDims(st.inside, 1));
        let imageGrad: tf.Tensor = tf.zeros(flat.shape);
        const pointGrad: tf.Tensor[] = [];
        for (const c of st.corners) {
          // scatterND sums duplicate indices: the adjoint of gather. (UnsortedSegmentSum would do,
          // but the wasm backend lacks it.)
          imageGrad = tf.add(imageGrad, tf.scatterND(tf.expandDims(c.index, 1), tf.mul(g, tf.expandDims(c.weight, 1)), flat.shape));
          if (a.interpolation === 'nearest') continue;
          const values = tf.sum(tf.mul(tf.gather(flat, c.index), g), 1);
          c.weightDerivatives.forEach((d, axis) => {
            const term = tf.mul(values, d);
            pointGrad[axis] = pointGrad[axis] ? tf.add(pointGrad[axis], term) : term;
          });
        }
        const dPoints =
          a.interpolation === 'nearest'
            ? tf.zerosLike(ps)
            : tf.stack(pointGrad.map((p, axis) => tf.mul(p, st.axisScale[axis])), 1);
        return [tf.reshape(imageGrad, im.shape), dPoints];
      });
    };
    return { value, gradFunc };
  });
  return sample(image, points) as tf.Tensor2D;
}
