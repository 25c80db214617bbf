// The alignment's loss and its gradient in the pose, on the host: 1 − NCC between the fixed
// image at sampled points x and the moving image at T(x) = L (x − c) + c + t, with
//   L = R(δ) L₀ (rigid: δ the rotation angles)  or  L = (I + Δ) L₀ (affine),   t = t₀ + τ.
// The images are the pyramid level's, a few megabytes, read once per level. As tfjs ops with a
// gradient tape, a step over 4 000 points was some 40 small kernels, each with its own set-up:
// 2.4 ms a step on wasm, 200 steps per alignment (profile of the brain's register).
//
// The chain rule, per point, from the loss to the pose:
//   ∂ℓ/∂q (q the moving index point): the NCC gradient times the sample's derivatives;
//   ∂ℓ/∂m = Mᵀ ∂ℓ/∂q (M the moving grid's world-to-index matrix, m the moving world point);
//   ∂ℓ/∂L = Σ ∂ℓ/∂m (x − c)ᵀ,  ∂ℓ/∂t = Σ ∂ℓ/∂m;
//   then ∂ℓ/∂Δ = (∂ℓ/∂L) L₀ᵀ, or ∂ℓ/∂δ_k = ⟨∂ℓ/∂L, (∂R/∂δ_k) L₀⟩.

import type { ImageGrid } from '../../../../shared/geometry/grid';
import { indexToWorldMatrix, worldToIndexMatrix } from '../../../../shared/geometry/grid';
import { multiplyMatrices, multiplyMatrixVector, transposeMatrix } from '../../../../shared/math/matrix';
import { affineRowsLoop } from '../../compute/affine-rows';
import { nccLossGradientOf, nccLossOf } from '../../compute/ncc-loss';
import type { GridShape } from '../../compute/grid-sampling-loops';
import { sampleGrid } from '../../compute/grid-sampling-loops';
import { sampleGridWithDerivatives, savedPointGradient, valuesOfSamples, valuesWithDerivativesWidth } from '../../compute/sample-with-derivatives-loops';
import { homogeneousParts } from '../grid-tensors';
import { rotationAngleCount, rotationMatrix, rotationMatrixDerivatives } from './rotations';

/** A level's image as the loops read it. */
export interface HostImage {
  readonly grid: ImageGrid;
  readonly values: Float32Array;
}

/** The pose's parameters: the linear part's (angles or Δ, row-major) and the translation's. */
export interface PoseParameters {
  readonly linear: Float32Array;
  readonly translation: Float32Array;
}

/** The per-call arrays, reused from call to call. */
interface Buffers {
  readonly fixed: Float32Array;
  readonly moved: Float32Array;
  readonly samples: Float32Array;
  readonly values: Float32Array;
  readonly dValues: Float32Array;
  readonly dPoints: Float32Array;
  readonly world: Float32Array;
}

const shapeOf = (grid: ImageGrid): GridShape => ({ nx: grid.size[0], ny: grid.size[1], nz: grid.size[2] ?? 1, channels: 1, dimension: grid.size.length });

export class PoseObjective {
  readonly #d: number;
  readonly #fixedShape: GridShape;
  readonly #movingShape: GridShape;
  /** The fixed grid's index-to-world map and the moving grid's world-to-index map, as M x + t. */
  readonly #fixedToWorld: { linear: number[]; offset: number[] };
  readonly #movingFromWorld: { linear: number[]; offset: number[] };
  #scratch: Buffers = PoseObjective.#allocate(0, 0, 0);

  constructor(
    private readonly fixed: HostImage,
    private readonly moving: HostImage,
    private readonly center: readonly number[],
    private readonly rigid: boolean,
    /** L₀ (D×D row-major) and t₀. */
    private readonly base: { readonly linear: readonly number[]; readonly translation: readonly number[] },
  ) {
    const d = (this.#d = center.length);
    this.#fixedShape = shapeOf(fixed.grid);
    this.#movingShape = shapeOf(moving.grid);
    this.#fixedToWorld = homogeneousParts(indexToWorldMatrix(fixed.grid), d);
    this.#movingFromWorld = homogeneousParts(worldToIndexMatrix(moving.grid), d);
  }

  /** Zero parameters: the base pose itself. */
  initialParameters(): PoseParameters {
    const d = this.#d;
    return { linear: new Float32Array(this.rigid ? rotationAngleCount(d) : d * d), translation: new Float32Array(d) };
  }

  /** L and t of the parameters. */
  pose(p: PoseParameters): { linear: number[]; translation: number[] } {
    const d = this.#d;
    const left = this.rigid ? rotationMatrix(Array.from(p.linear)) : Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0) + p.linear[i]);
    return { linear: multiplyMatrices(left, this.base.linear as number[]), translation: this.base.translation.map((t, a) => t + p.translation[a]) };
  }

  /**
   * 1 − NCC at the fixed index points `points` (flat, D per point), and its gradient in the
   * parameters, written into `gradient`.
   */
  evaluate(p: PoseParameters, points: Float32Array, gradient: PoseParameters): number {
    const d = this.#d;
    const n = points.length / d;
    const s = this.#buffers(n);
    sampleGrid(this.fixed.values, this.#fixedShape, points, s.fixed, 'zeros', 'linear');
    const { linear: L, translation: t } = this.pose(p);
    const c = this.center;
    // World points relative to c, x − c (kept for the gradient), then the moving index points
    // q = M (L (x − c) + c + t): one affine map of the rows each.
    affineRowsLoop(points, d, this.#fixedToWorld.linear, this.#fixedToWorld.offset.map((o, r) => o - c[r]), s.world);
    const M = this.#movingFromWorld;
    const shift = multiplyMatrixVector(M.linear, c.map((cr, r) => cr + t[r]));
    affineRowsLoop(s.world, d, multiplyMatrices(M.linear, L), M.offset.map((o, r) => o + shift[r]), s.moved);
    sampleGridWithDerivatives(this.moving.values, this.#movingShape, s.moved, s.samples, true);
    valuesOfSamples(s.samples, this.#movingShape, s.values);
    const loss = nccLossOf(s.fixed, s.values);
    nccLossGradientOf(s.fixed, s.values, 1, s.dValues);
    savedPointGradient(s.samples, this.#movingShape, s.dValues, s.dPoints);
    // ∂ℓ/∂L and ∂ℓ/∂t, summed in double precision.
    const gL = new Float64Array(d * d);
    const gT = new Float64Array(d);
    const Mi = this.#movingFromWorld.linear;
    for (let i = 0; i < n; i++)
      for (let r = 0; r < d; r++) {
        let gm = 0;
        for (let k = 0; k < d; k++) gm += Mi[k * d + r] * s.dPoints[i * d + k];
        gT[r] += gm;
        for (let k = 0; k < d; k++) gL[r * d + k] += gm * s.world[i * d + k];
      }
    gradient.translation.set(gT);
    const L0 = this.base.linear as number[];
    if (!this.rigid) gradient.linear.set(multiplyMatrices(gL, transposeMatrix(L0)));
    else
      rotationMatrixDerivatives(Array.from(p.linear)).forEach((dR, k) => {
        const dL = multiplyMatrices(dR, L0);
        gradient.linear[k] = dL.reduce((sum, v, i) => sum + v * gL[i], 0);
      });
    return loss;
  }

  /** Buffers for n points (views of the reused ones). */
  #buffers(n: number): Buffers {
    const d = this.#d;
    const w = valuesWithDerivativesWidth(this.#movingShape);
    if (this.#scratch.fixed.length < n) this.#scratch = PoseObjective.#allocate(n, d, w);
    const s = this.#scratch;
    return { fixed: s.fixed.subarray(0, n), moved: s.moved.subarray(0, n * d), samples: s.samples.subarray(0, n * w), values: s.values.subarray(0, n), dValues: s.dValues.subarray(0, n), dPoints: s.dPoints.subarray(0, n * d), world: s.world.subarray(0, n * d) };
  }

  static #allocate(n: number, d: number, width: number): Buffers {
    return { fixed: new Float32Array(n), moved: new Float32Array(n * d), samples: new Float32Array(n * width), values: new Float32Array(n), dValues: new Float32Array(n), dPoints: new Float32Array(n * d), world: new Float32Array(n * d) };
  }
}
