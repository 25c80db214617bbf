// What goes into a registration and what comes out. Everything here is plain data (typed
// arrays, grids, transforms): no tensors cross this boundary, so results can be posted between
// threads, written by the IO layer, and inspected in tests.

import type { ImageGrid } from '../../../shared/geometry/grid';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { AffineTransform, CompositeTransform, DisplacementFieldTransform } from '../../../shared/transforms/transform';
import type { BackendInfo } from '../compute/backend';
import type { StageMemory } from './memory-monitor';
import type { DiceScores, InverseConsistency } from './outputs/metrics';
import type { RegistrationParameters } from './parameters';

export interface RegistrationInputs {
  readonly fixed: ScalarImage;
  readonly moving: ScalarImage;
  /** Label maps of each image (integer values, 0 = background): Dice before and after. */
  readonly fixedLabels?: ScalarImage;
  /** Warped to the fixed grid by nearest neighbour. */
  readonly movingLabels?: ScalarImage;
  /** Nonzero where the image should be matched. */
  readonly fixedMask?: ScalarImage;
  readonly movingMask?: ScalarImage;
}

export interface RegistrationMetrics {
  /** NCC with the fixed image at the working resolution, over the fixed foreground: with no
   * transform, after the affine, and after the full map. */
  readonly nccBefore: number;
  readonly nccAffine: number;
  readonly nccAfter: number;
  /** Percentage of fixed-foreground voxels where det J ≤ 0. */
  readonly foldPercent: number;
  /** Standard deviation of log det J over the fixed foreground. */
  readonly logJacobianSd: number;
  /** Of the deformable part u and its inverse v. */
  readonly inverseConsistency: InverseConsistency;
  /** When both label maps are given: with no transform and after registration. */
  readonly diceBefore?: DiceScores;
  readonly diceAfter?: DiceScores;
}

export interface RegistrationResult {
  readonly parameters: RegistrationParameters;
  readonly backend: BackendInfo;
  /** The threads the kernel pool ran on (unknown for folders written before it was recorded). */
  readonly kernelThreads?: number;
  readonly featurizer: string;
  /** The grid the registration computed on (fixed frame, working resolution). */
  readonly workingGrid: ImageGrid;
  /** The initial alignment alone: fixed world → moving world. */
  readonly affine: AffineTransform;
  /** The deformable part u on the fixed grid (mm, LPS): the full map is T(x) = A(x + u(x)). */
  readonly deformable: DisplacementFieldTransform;
  /** v on the fixed grid with (id + v) = (id + u)⁻¹: T⁻¹(y) = A⁻¹(y) + v(A⁻¹(y)). */
  readonly inverseDeformable: DisplacementFieldTransform;
  /** T as data: [deformable, affine] (applied in that order). */
  readonly transform: CompositeTransform;
  /** T⁻¹ as data: [A⁻¹, inverse deformable]. */
  readonly inverseTransform: CompositeTransform;
  /** The moving image on the fixed grid (linear interpolation): float32, or float64 for values float32 cannot hold. */
  readonly warpedMoving: ScalarImage<Float32Array | Float64Array>;
  /** The moving labels on the fixed grid (nearest neighbour), when given. */
  readonly warpedMovingLabels?: ScalarImage;
  /** det J of the full map T on the fixed grid. */
  readonly jacobianDeterminant: ScalarImage<Float32Array>;
  readonly metrics: RegistrationMetrics;
  /** Seconds per stage. */
  readonly timings: Record<string, number>;
  readonly memory: Record<string, StageMemory>;
}
