// XiMorph transforms as ITK transforms and back. Both map fixed-image points (LPS mm) to
// moving-image points. ITK's matrix-offset transforms are x ↦ A(x − c) + c + t with a centre
// c; we write c = 0 so that the parameters are simply [A row-major, b], and fold any centre
// we read into b. ITK's CompositeTransform applies the last transform of its queue first,
// while our sequence[0] is applied first, so the order reverses in both directions.
// A composite is a Composite marker followed by the queue, as ITK lists it; see
// itk-composite-h5.ts for how it reaches the file, since transform-io drops the marker.

import { Transform as ItkTransform, TransformType } from 'itk-wasm';
import { EngineError } from '../../../shared/contract/errors';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { gridGeometryProblem } from './grid-validity';
import { identityMatrix, multiplyMatrices, multiplyMatrixVector } from '../../../shared/math/matrix';
import type { AffineTransform, DisplacementFieldTransform, Transform } from '../../../shared/transforms/transform';
import { affineFromLinearAndTranslation, linearPart, transformDimension, translationPart } from '../../../shared/transforms/transform';

type Parameterization = ConstructorParameters<typeof TransformType>[0];

/** Parameters stay in the precision they come in: float32 displacement fields are written as such (itk-composite-h5.ts). */
function itkTransform(parameterization: Parameterization, dimension: number, fixed: ArrayLike<number>, parameters: Float32Array | Float64Array): ItkTransform {
  const t = new ItkTransform(new TransformType(parameterization, parameters instanceof Float32Array ? 'float32' : 'float64', dimension, dimension));
  t.fixedParameters = Float64Array.from(fixed);
  t.parameters = parameters;
  t.numberOfFixedParameters = t.fixedParameters.length;
  t.numberOfParameters = t.parameters.length;
  return t;
}

function flatten(t: Transform): Transform[] {
  return t.kind === 'composite' ? t.sequence.flatMap(flatten) : [t];
}

function itkFromStep(t: AffineTransform | DisplacementFieldTransform): ItkTransform {
  const d = transformDimension(t);
  if (t.kind === 'affine') return itkTransform('Affine', d, new Array(d).fill(0), Float64Array.from([...linearPart(t), ...translationPart(t)]));
  const g = t.grid;
  return itkTransform('DisplacementField', d, [...g.size, ...g.origin, ...g.spacing, ...g.direction], t.vectors);
}

/** The ITK transform list for a transform: one entry, or a composite marker then the queue. */
export function itkTransformListFrom(t: Transform): ItkTransform[] {
  const steps = flatten(t) as (AffineTransform | DisplacementFieldTransform)[];
  if (steps.length === 0) throw new EngineError('BAD_INPUT', 'an empty composite transform cannot be saved');
  if (steps.length === 1) return [itkFromStep(steps[0])];
  const d = transformDimension(steps[0]);
  const composite = new ItkTransform(new TransformType('Composite', 'float64', d, d));
  return [composite, ...steps.reverse().map(itkFromStep)];
}

/** x ↦ M(x − c) + c + t as an affine. */
function centredAffine(linear: readonly number[], translation: ArrayLike<number>, centre: ArrayLike<number>): AffineTransform {
  const d = translation.length;
  const mc = multiplyMatrixVector(linear, Array.from({ length: d }, (_, i) => centre[i] ?? 0));
  return affineFromLinearAndTranslation(
    linear,
    Array.from({ length: d }, (_, i) => translation[i] + (centre[i] ?? 0) - mc[i]),
  );
}

const rotation2d = (angle: number) => [Math.cos(angle), -Math.sin(angle), Math.sin(angle), Math.cos(angle)];

function rotationFromVersor(x: number, y: number, z: number): number[] {
  const w = Math.sqrt(Math.max(0, 1 - x * x - y * y - z * z));
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

/** ITK's Euler3DTransform: Rz·Rx·Ry by default, Rz·Ry·Rx when "compute ZYX" is set. */
function rotationFromEulerAngles(ax: number, ay: number, az: number, zyx: boolean): number[] {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return zyx ? multiplyMatrices(multiplyMatrices(rz, ry), rx) : multiplyMatrices(multiplyMatrices(rz, rx), ry);
}

const scaled = (m: readonly number[], s: number) => m.map((v) => v * s);

/**
 * A transform whose parameters are NaN or infinite maps every point nowhere: resampling with
 * it gives an all-zero image, which must not pass for a result. So it is bad input, as is a
 * displacement field on a grid that cannot exist.
 */
function checkParameters(kind: string, parameters: readonly number[], fixed: readonly number[]): void {
  const bad = parameters.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new EngineError('BAD_INPUT', `its ${kind} transform's parameter ${bad + 1} of ${parameters.length} is ${parameters[bad]}; a transform needs finite numbers`);
  if (fixed.some((v) => !Number.isFinite(v))) throw new EngineError('BAD_INPUT', `its ${kind} transform's fixed parameters (centre or grid) hold NaN or infinite values`);
}

function stepFromItk(t: ItkTransform): Transform {
  const kind = t.transformType.transformParameterization;
  const d = t.transformType.inputDimension;
  const p = Array.from(t.parameters as ArrayLike<number>, Number);
  const c = Array.from(t.fixedParameters as ArrayLike<number>, Number);
  checkParameters(kind, p, c);
  switch (kind) {
    case 'Identity':
      return { kind: 'affine', matrix: identityMatrix(d + 1) };
    case 'Translation':
      return affineFromLinearAndTranslation(identityMatrix(d), p.slice(0, d));
    case 'Affine':
    case 'ScalableAffine':
      return centredAffine(p.slice(0, d * d), p.slice(d * d, d * d + d), c);
    case 'Euler2D':
    case 'Rigid2D':
      return centredAffine(rotation2d(p[0]), p.slice(1, 3), c);
    case 'Similarity2D':
      return centredAffine(scaled(rotation2d(p[1]), p[0]), p.slice(2, 4), c);
    case 'Euler3D':
      return centredAffine(rotationFromEulerAngles(p[0], p[1], p[2], c[3] === 1), p.slice(3, 6), c);
    case 'VersorRigid3D':
      return centredAffine(rotationFromVersor(p[0], p[1], p[2]), p.slice(3, 6), c);
    case 'Similarity3D':
      return centredAffine(scaled(rotationFromVersor(p[0], p[1], p[2]), p[6]), p.slice(3, 6), c);
    case 'DisplacementField': {
      const grid: ImageGrid = {
        size: c.slice(0, d),
        origin: c.slice(d, 2 * d),
        spacing: c.slice(2 * d, 3 * d),
        direction: c.slice(3 * d, 3 * d + d * d),
      };
      const geometry = gridGeometryProblem(grid);
      if (geometry) throw new EngineError('BAD_INPUT', `its displacement field's grid is unusable: ${geometry}`);
      const vectors = Float32Array.from(p);
      if (!vectors.every(Number.isFinite)) throw new EngineError('BAD_INPUT', 'its displacement field holds vectors too long to represent (beyond 3e38 mm)');
      return { kind: 'displacement', grid, vectors };
    }
    default:
      throw new EngineError('UNSUPPORTED', `${kind} transforms are not supported (XiMorph reads affine, rigid, similarity, translation and displacement-field transforms)`, {
        details: { transformType: kind },
      });
  }
}

/** Our transform for an ITK list: a single transform, or a composite in application order. */
export function transformFromItkTransformList(list: readonly ItkTransform[]): Transform {
  const queue = list.filter((t) => t.transformType.transformParameterization !== 'Composite');
  if (queue.length === 0 && list.length > 0)
    // @itk-wasm/transform-io 0.1.1 returns a CompositeTransform without its components; .h5
    // composites are read by itk-composite-h5.ts instead, but a text composite has no way out.
    throw new EngineError(
      'UNSUPPORTED',
      'the file holds an ITK CompositeTransform, whose parts the ITK reader XiMorph uses cannot read; save the parts as separate files, or as a plain list of transforms',
    );
  if (queue.length === 0) throw new EngineError('BAD_INPUT', 'the transform file holds no transform');
  const steps = queue.map(stepFromItk);
  return steps.length === 1 ? steps[0] : { kind: 'composite', sequence: steps.reverse() };
}
