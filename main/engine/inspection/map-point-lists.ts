// Point lists through a registration result or by feature matching: what `ximorph points` and
// `ximorph match` do. Points outside the image they belong to are refused, by their line.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { containsWorldPoint } from '../../../shared/geometry/grid';
import type { AffineTransform, Transform } from '../../../shared/transforms/transform';
import { composeTransforms, invertAffine, pointMap } from '../../../shared/transforms/transform';
import { readTransformFile, readVectorImageFile } from '../io/index';
import type { JobContext } from '../job-context';
import { computeFeatureMap } from './feature-maps';
import type { ListedPoint, PointList } from './point-files';
import { attentionKeys, featureAt, matchFeature } from './point-match';

/** T (fixed → moving) or T⁻¹ from a result folder (its affine and fields) or a transform file (T only, or an affine). */
export async function transformForPoints(given: string, inverse: boolean): Promise<Transform> {
  const isFolder = await stat(given).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    const t = await readTransformFile(given);
    if (!inverse) return t;
    if (t.kind === 'affine') return invertAffine(t);
    throw new EngineError('BAD_INPUT', `${path.basename(given)}: holds a displacement field, whose inverse is not in the file; give the result folder, which holds the inverse field`, { file: given });
  }
  const affine = (await readTransformFile(path.join(given, 'affine.txt'))) as AffineTransform;
  const field = async (name: string) => {
    for (const ext of ['nii.gz', 'mha']) {
      const file = path.join(given, `${name}.${ext}`);
      const exists = await readFile(file).then(() => true, () => false);
      if (exists) {
        const { field } = await readVectorImageFile(file);
        return { kind: 'displacement' as const, grid: field.grid, vectors: field.pixels };
      }
    }
    throw new EngineError('NOT_FOUND', `${given}: holds no ${name} (.nii.gz or .mha): not a complete XiMorph result folder`, { file: given });
  };
  // T(x) = A(x + u(x)); T⁻¹(y) = A⁻¹(y) + v(A⁻¹(y)).
  return inverse ? composeTransforms(invertAffine(affine), await field('inverse_field')) : composeTransforms(await field('forward_field'), affine);
}

const outsideImage = (file: string, point: ListedPoint, index: number, image: string) =>
  new EngineError('BAD_INPUT', `${path.basename(file)}: point ${index + 1} ("${point.label}") lies outside ${image}`, { file });

/**
 * A point in `d` dimensions: files hold x, y, z, so a 2D image's points come with z = 0, which
 * is dropped here and written back as 0.
 */
export function inDimension(file: string, p: ListedPoint, index: number, d: number): number[] {
  if (p.position.length === d) return [...p.position];
  if (d === 2 && p.position.length === 3 && p.position[2] === 0) return p.position.slice(0, 2);
  throw new EngineError('BAD_INPUT', `${path.basename(file)}: point ${index + 1} ("${p.label}") has ${p.position.length} coordinates; the image is ${d}D${d === 2 ? ' (give z = 0)' : ''}`, { file });
}

const withZ = (p: number[]) => (p.length === 2 ? [...p, 0] : p);

/** The grid of the transform's displacement field (the fixed image's), where its points belong. */
function fieldGridOf(t: Transform): ImageGrid | undefined {
  if (t.kind === 'displacement') return t.grid;
  if (t.kind === 'composite') for (const s of t.sequence) if (s.kind === 'displacement') return s.grid;
  return undefined;
}

/**
 * Every point through `transform`; counterparts are not mapped (they belong to the other
 * image). A point where the field is not defined — outside the fixed image, or for the inverse
 * where its affine image falls outside — is refused by its place in the list.
 */
export function mapPointList(file: string, list: PointList, transform: Transform, dimension: number): ListedPoint[] {
  const map = pointMap(transform);
  const grid = fieldGridOf(transform);
  // Where the field is sampled: the point itself (T), or its affine image first (T⁻¹ = v ∘ A⁻¹ + A⁻¹).
  const first = transform.kind === 'composite' && transform.sequence[0].kind === 'affine' ? pointMap(transform.sequence[0]) : (p: number[]) => p;
  return list.points.map((p, i) => {
    const position = inDimension(file, p, i, dimension);
    if (grid && !containsWorldPoint(grid, first([...position]))) throw new EngineError('BAD_INPUT', `${path.basename(file)}: point ${i + 1} ("${p.label}") lies outside the image the transform is defined on`, { file });
    return { ...p, position: withZ(map(position)), counterpart: undefined };
  });
}

export interface MatchedPoint extends ListedPoint {
  readonly confidence: number;
  readonly spreadMm: number;
}

/** Each point of `from`'s list matched by features in `to`. */
export async function matchPointList(listFile: string, list: PointList, from: { image: ScalarImage; name: string }, to: { image: ScalarImage }, model: string, context: JobContext): Promise<MatchedPoint[]> {
  context.progress({ stage: 'features', fraction: 0 });
  const a = await computeFeatureMap(from.image, model);
  context.progress({ stage: 'features', fraction: 0.5 });
  const b = await computeFeatureMap(to.image, model);
  const keys = attentionKeys(b);
  return list.points.map((p, i) => {
    const position = inDimension(listFile, p, i, a.grid.size.length);
    if (!containsWorldPoint(a.grid, position)) throw outsideImage(listFile, p, i, from.name);
    if (i % 16 === 0) context.progress({ stage: 'matching', fraction: i / list.points.length });
    const m = matchFeature(featureAt(a, position), keys);
    return { ...p, position: withZ(m.attention), counterpart: undefined, confidence: m.peakProbability, spreadMm: m.spreadMm };
  });
}
