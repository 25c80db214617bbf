// The classical peer: Debian's elastix 5.0.1, affine then B-spline with the project's parameter
// files, 2 threads; labels warped by transformix with nearest-neighbour interpolation. Its time
// is elastix plus the label warp (what a user runs to get the same outputs as XiMorph); the
// Jacobian for folds is computed afterwards, untimed.

import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measure } from './processes';

/** The peer's parameter files (copies of the project's baseline in shared/bench/elastix). */
export const elastixParameters = path.resolve(import.meta.dirname, 'elastix');

export interface ElastixRun {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly warpedLabels?: string;
  readonly jacobian: string;
  readonly transform: string;
}

/** A copy of a transform parameter file with one parameter replaced. */
async function withParameter(source: string, target: string, name: string, value: string): Promise<string> {
  const text = await readFile(source, 'utf8');
  const line = `(${name} ${value})`;
  const pattern = new RegExp(`^\\(${name} .*\\)$`, 'm');
  await writeFile(target, pattern.test(text) ? text.replace(pattern, line) : `${text}\n${line}\n`);
  return target;
}

export async function runElastix(dir: string, fixed: string, moving: string, movingLabels?: string): Promise<ElastixRun> {
  const out = path.join(dir, 'elastix');
  await mkdir(out, { recursive: true });
  const registration = await measure('elastix', ['-f', fixed, '-m', moving, '-p', path.join(elastixParameters, 'affine.txt'), '-p', path.join(elastixParameters, 'bspline.txt'), '-out', out, '-threads', '2']);
  const transform = path.join(out, 'TransformParameters.1.txt');
  let seconds = registration.seconds;
  let peakRssMiB = registration.peakRssMiB;
  let warpedLabels: string | undefined;
  if (movingLabels) {
    const labelsOut = path.join(dir, 'elastix-labels');
    await mkdir(labelsOut, { recursive: true });
    const nearest = await withParameter(transform, path.join(labelsOut, 'nearest.txt'), 'FinalBSplineInterpolationOrder', '0');
    const warp = await measure('transformix', ['-in', movingLabels, '-out', labelsOut, '-tp', nearest, '-threads', '2']);
    seconds += warp.seconds;
    peakRssMiB = Math.max(peakRssMiB, warp.peakRssMiB);
    warpedLabels = path.join(labelsOut, 'result.nii.gz');
  }
  const jacobianOut = path.join(dir, 'elastix-jacobian');
  await mkdir(jacobianOut, { recursive: true });
  await measure('transformix', ['-jac', 'all', '-out', jacobianOut, '-tp', transform, '-threads', '2']);
  await copyFile(transform, path.join(dir, 'elastix-transform.txt'));
  return { seconds, peakRssMiB, warpedLabels, jacobian: path.join(jacobianOut, 'spatialJacobian.nii.gz'), transform };
}
