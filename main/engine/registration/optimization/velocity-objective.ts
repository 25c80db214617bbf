// The velocity model's objective and its exact gradient as loops over typed arrays, for the
// backends whose memory is JavaScript's (wasm, cpu). As tensor ops a step was some 150 small ops
// and their tape on one thread (tfjs's wasm build has no threads in Node); here it is a few
// loops over the sampled points and over the small control grid, and every one of them splits
// over the kernel threads. Measured (bench/README.md, "Stop 28"): the brain's step on two
// threads 22 → 18 ms, the 2D slice's 7–8 → 4–4.5 ms; on one thread the brain's is unchanged
// (26–31 ms), most of it the two samples of the 1 mm images, which memory bounds.
//
// The math is instance-optimization.ts's, term for term (displacement-fields.ts holds it as
// tensor ops; velocity-objective.test.ts holds the two to the same loss and gradient). With
// T the control grid's world-to-index map, S the signal grid's, and N squarings:
//
//   forward                                          backward (the adjoint of each line)
//   u₀ = T v / 2ᴺ                                    ∂v = Tᵀ ∂u₀ / 2ᴺ + λ ∂diffusion(v)
//   y_k = x + u_k(x)  (x: the control nodes)         ∂u_k = ∂u_{k+1} + scatter(∂u_{k+1} at y_k)
//   u_{k+1} = u_k + u_k(y_k)   (k < N, border)              + ∂u_{k+1} · ∇u_k(y_k)
//   U = T⁻¹ u_N      (mm at the nodes)               ∂u_N = T⁻ᵀ ∂U
//   moved = p + S U(q)  (q: p in control indices)    ∂U = scatter(Sᵀ ∂moved at q)
//   loss = sim(fixed(p), moving(moved)) + λ diffusion(v)      ∂moved = ∂sim · ∇moving(moved)

import type { ImageGrid } from '../../../../shared/geometry/grid';
import { invertMatrix, transposeMatrix } from '../../../../shared/math/matrix';
import { affineRowsLoop } from '../../compute/affine-rows';
import { diffusionEnergyAndGradientOf } from '../../compute/diffusion-energy';
import type { GridShape } from '../../compute/grid-sampling-loops';
import { gridShapeOf } from '../../compute/grid-sampling-loops';
import { kernelPool } from '../../compute/kernel-pool/kernel-pool';
import type { SumChunksTask } from '../../compute/kernel-pool/pool-tasks';
import { SharedScratch, sharedFloats } from '../../compute/kernel-pool/shared-scratch';
import { nccLossGradientOf, nccLossOf } from '../../compute/ncc-loss';
import { valuesOfSamples, valuesWithDerivativesWidth } from '../../compute/sample-with-derivatives-loops';
import type { SharedImage } from '../../compute/shared-image';
import { backendSharesImages } from '../../compute/shared-image';
import { homogeneousParts, indexToIndexMatrix, tensorShapeOf, worldVectorToIndexMatrix } from '../grid-tensors';
import type { OptimizationParameters } from '../parameters';

export interface VelocityTerms {
  readonly total: number;
  readonly similarity: number;
  readonly regularity: number;
}

export interface VelocityObjectiveOptions {
  /** 'mind' compares feature vectors by their mean squared difference; the others by 1 − NCC. */
  readonly similarity: 'mind' | 'ncc' | 'lncc';
  readonly diffusionWeight: number;
  readonly integrationSteps: number;
}

/**
 * Whether the optimizer's steps run here rather than as tensor ops: the velocity model, where
 * the backend's memory is JavaScript's. (A GPU backend keeps its tensors, and the displacement
 * model's GradICON term is written only as tensor ops.)
 */
export function velocityOnHost(p: Pick<OptimizationParameters, 'model'>): boolean {
  return p.model === 'velocity' && backendSharesImages();
}

/** y = M x for every D-vector of `x` (M: D×D row-major). */
function multiplyVectors(m: readonly number[], d: number, x: Float32Array, y: Float32Array): void {
  affineRowsLoop(x, d, m, new Array<number>(d).fill(0), y);
}

/** Every node's own index point, x fastest (shared with the kernel threads' squarings). */
function nodePoints(shape: GridShape): Float32Array {
  const { nx, ny, nz, dimension: D } = shape;
  const out = sharedFloats(nx * ny * nz * D);
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        out[i++] = x;
        out[i++] = y;
        if (D === 3) out[i++] = z;
      }
  return out;
}

function addInto(target: Float32Array, source: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

/**
 * A scatter's points are split into this many runs, each scattered alone and the runs summed
 * in order, so that the sum is the same whatever the thread count. In 2D the control grids and
 * the points stay in cache, and one run on the calling thread is fastest.
 */
function scatterChunks(dimension: number): number {
  return dimension === 3 ? 8 : 1;
}

/**
 * The objective of one control grid: the similarity of the fixed signal at sampled points to
 * the moving signal where exp(v) takes them, plus the diffusion of v; its gradient in v. Every
 * loop over the points or the control nodes runs on the kernel pool; what it shares with the
 * threads lives in shared memory.
 */
export class VelocityObjective {
  readonly #o: VelocityObjectiveOptions;
  readonly #fixed: SharedImage;
  readonly #moving: SharedImage;
  readonly #fixedShape: GridShape;
  readonly #movingShape: GridShape;
  /** The control field's grid as the sampling loops see it, and its tensor shape. */
  readonly #control: GridShape;
  readonly #fieldShape: number[];
  readonly #spacing: readonly number[];
  /** T / 2ᴺ and its transpose: the squarings' start from v, and its adjoint. */
  readonly #toScaledIndex: number[];
  readonly #toScaledIndexT: number[];
  readonly #toWorld: number[];
  readonly #toWorldT: number[];
  readonly #signalStep: number[];
  readonly #signalStepT: number[];
  readonly #toControl: { linear: number[]; offset: number[] };
  readonly #nodes: Float32Array;
  /** u_0 … u_N and the points y_0 … y_{N−1} the squarings read them at. */
  readonly #u: Float32Array[];
  readonly #y: Float32Array[];
  /** Field-sized work arrays: U, the gradient being carried back, and a product's. */
  readonly #field: Float32Array;
  readonly #carried: Float32Array;
  readonly #product: Float32Array;
  /** λ ∂diffusion(v), computed with the energy. */
  readonly #diffusionGradient: Float32Array;
  readonly #chunks: number;
  /** Where each chunk of a scatter wrote its part: from and to, per chunk. */
  readonly #extents: Int32Array;
  /** Point-sized arrays, grown as needed. */
  readonly #scratch = {
    points: new SharedScratch(),
    reference: new SharedScratch(),
    moved: new SharedScratch(),
    samples: new SharedScratch(),
    control: new SharedScratch(),
    displacement: new SharedScratch(),
    values: new SharedScratch(),
    gradValues: new SharedScratch(),
    gradMoved: new SharedScratch(),
    scattered: new SharedScratch(),
  };

  /**
   * `fixed` and `moving` lie on `signalGrid` (one grid of the fixed frame; shared memory where
   * there are kernel threads); v lives on `control`, as a tensor's values ([z, y, x, D]).
   */
  constructor(control: ImageGrid, signalGrid: ImageGrid, fixed: SharedImage, moving: SharedImage, options: VelocityObjectiveOptions) {
    const d = control.size.length;
    this.#o = options;
    this.#fixed = fixed;
    this.#moving = moving;
    this.#fixedShape = gridShapeOf(fixed.shape);
    this.#movingShape = gridShapeOf(moving.shape);
    this.#fieldShape = tensorShapeOf(control, d);
    this.#control = gridShapeOf(this.#fieldShape);
    this.#spacing = control.spacing;
    const toIndex = worldVectorToIndexMatrix(control);
    // 2⁻ᴺ is a power of two: folded into the matrix it scales every product exactly as a pass
    // over the field after it did, bit for bit, without the pass.
    const scale = 1 / 2 ** options.integrationSteps;
    this.#toScaledIndex = toIndex.map((m) => m * scale);
    this.#toScaledIndexT = transposeMatrix(this.#toScaledIndex);
    this.#toWorld = invertMatrix(toIndex);
    this.#toWorldT = transposeMatrix(this.#toWorld);
    this.#signalStep = worldVectorToIndexMatrix(signalGrid);
    this.#signalStepT = transposeMatrix(this.#signalStep);
    this.#toControl = homogeneousParts(indexToIndexMatrix(signalGrid, control), d);
    this.#nodes = nodePoints(this.#control);
    this.#chunks = scatterChunks(d);
    this.#extents = new Int32Array(new SharedArrayBuffer(2 * this.#chunks * Int32Array.BYTES_PER_ELEMENT));
    const length = this.#nodes.length;
    const field = () => sharedFloats(length);
    this.#u = Array.from({ length: options.integrationSteps + 1 }, field);
    this.#y = Array.from({ length: options.integrationSteps }, field);
    this.#field = field();
    this.#carried = field();
    this.#product = field();
    this.#diffusionGradient = new Float32Array(length);
  }

  /** Loss terms at v for the fixed-signal points `points` (continuous indices, [n, D]); ∂total/∂v into `gradient`. */
  evaluate(v: Float32Array, points: Float32Array, gradient: Float32Array): VelocityTerms {
    const d = this.#control.dimension;
    const n = points.length / d;
    const C = this.#fixedShape.channels;
    const s = this.#scratch;
    const pool = kernelPool();

    // The fixed signal at the points: what the moved points are compared with.
    const shared = s.points.copyOf(points);
    const reference = s.reference.take(n * C);
    pool.run({ task: 'sample', image: this.#fixed.values, shape: this.#fixedShape, padding: 'zeros', points: shared, out: reference }, n);

    // The map at the points, and the moving signal where it takes them.
    const U = this.#integrate(v);
    const q = s.control.take(n * d);
    affineRowsLoop(shared, d, this.#toControl.linear, this.#toControl.offset, q);
    const displacement = s.displacement.take(n * d);
    pool.run({ task: 'sample', image: U, shape: this.#control, padding: 'border', points: q, out: displacement }, n);
    const moved = s.moved.take(n * d);
    multiplyVectors(this.#signalStep, d, displacement, moved);
    addInto(moved, shared);
    const samples = s.samples.take(n * valuesWithDerivativesWidth(this.#movingShape));
    pool.run({ task: 'sampleWithDerivatives', image: this.#moving.values, shape: this.#movingShape, padding: 'zeros', points: moved, out: samples }, n);
    const values = s.values.take(n * C);
    valuesOfSamples(samples, this.#movingShape, values);

    // The terms, and the similarity's gradient back to the points, to U, and through the squarings to v.
    const gradValues = s.gradValues.take(n * C);
    const similarity = this.#similarity(reference, values, gradValues);
    const regularity = diffusionEnergyAndGradientOf(v, this.#fieldShape, this.#spacing, this.#o.diffusionWeight, this.#diffusionGradient);
    const gradMoved = s.gradMoved.take(n * d);
    pool.run({ task: 'savedPointGradient', shape: this.#movingShape, samples, dy: gradValues, out: gradMoved }, n);
    multiplyVectors(this.#signalStepT, d, gradMoved, displacement);
    this.#scatter(q, displacement, this.#product);
    this.#backIntegrate(this.#product, gradient);
    addInto(gradient, this.#diffusionGradient);
    return { total: similarity + this.#o.diffusionWeight * regularity, similarity, regularity };
  }

  /** The similarity of the values to the reference, and its gradient in the values. */
  #similarity(reference: Float32Array, values: Float32Array, grad: Float32Array): number {
    if (this.#o.similarity !== 'mind') {
      nccLossGradientOf(reference, values, 1, grad);
      return nccLossOf(reference, values);
    }
    let sum = 0;
    const scale = 2 / values.length;
    for (let i = 0; i < values.length; i++) {
      const e = values[i] - reference[i];
      sum += e * e;
      grad[i] = scale * e;
    }
    return sum / values.length;
  }

  /**
   * The adjoint of sampling the control field at `points` (border padding): dy added up at the
   * nodes, into `out`. Between the scatter and the sum, `meanwhile` runs (it may not change dy);
   * then, with `accumulate`, its `into` += out + its `plus` (sumChunks's order).
   */
  #scatter(points: Float32Array, dy: Float32Array, out: Float32Array, meanwhile?: () => void, accumulate?: SumChunksTask['accumulate']): void {
    const length = out.length;
    const parts = this.#scratch.scattered.take(this.#chunks * length);
    const extents = this.#extents;
    const task = { task: 'scatterChunks', shape: this.#control, padding: 'border', points, dy, chunks: this.#chunks, out: parts, extents } as const;
    kernelPool().run(task, this.#chunks);
    meanwhile?.();
    kernelPool().run({ task: 'sumChunks', parts, chunks: this.#chunks, length, extents, out, accumulate }, length);
  }

  /** exp(v) − id at the control nodes, in mm (U above); keeps the u_k and y_k for the backward pass. */
  #integrate(v: Float32Array): Float32Array {
    const d = this.#control.dimension;
    const u = this.#u;
    const nodes = this.#nodes.length / d;
    multiplyVectors(this.#toScaledIndex, d, v, u[0]);
    for (let k = 0; k < this.#y.length; k++)
      kernelPool().run({ task: 'squaring', field: u[k], shape: this.#control, nodes: this.#nodes, points: this.#y[k], out: u[k + 1] }, nodes);
    multiplyVectors(this.#toWorld, d, u[u.length - 1], this.#field);
    return this.#field;
  }

  /** ∂/∂v of the similarity from its gradient in U (overwritten), into `gradient`. */
  #backIntegrate(gradU: Float32Array, gradient: Float32Array): void {
    const d = this.#control.dimension;
    const nodes = this.#nodes.length / d;
    const g = this.#carried;
    multiplyVectors(this.#toWorldT, d, gradU, g);
    for (let k = this.#y.length - 1; k >= 0; k--) {
      // u_{k+1} = u_k + u_k(y_k), y_k = x + u_k(x): the identity, the sample's adjoint in the
      // field, and its derivative in the point (which moves with u_k). Both read g before the
      // sum adds them to it.
      const pointGradient = { task: 'pointGradient', image: this.#u[k], shape: this.#control, padding: 'border', points: this.#y[k], dy: g, out: this.#field } as const;
      this.#scatter(this.#y[k], g, gradU, () => kernelPool().run(pointGradient, nodes), { into: g, plus: this.#field });
    }
    multiplyVectors(this.#toScaledIndexT, d, g, gradient);
  }
}
