// `ximorph jacobian --transform DIR_OR_H5 --out O [--reference F]`: det J of a saved
// transform on the grid of its displacement field (or of a reference image), with the fold
// count, where det J ≤ 0.

import path from 'node:path';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { Transform } from '../../../shared/transforms/transform';
import { EngineError } from '../../../shared/contract/errors';
import { readImageFile, readTransformFile, writeScalarImage } from '../../engine/io/index';
import { transformJacobianDeterminant } from '../../engine/resample/transform-jacobian';
import { cliJob } from '../cli-job';
import { progressPrinter } from '../progress-printer';
import { transformFileOf } from './warp';

function fieldGridOf(t: Transform): ImageGrid | undefined {
  if (t.kind === 'displacement') return t.grid;
  if (t.kind === 'composite') for (const s of t.sequence) if (s.kind === 'displacement') return s.grid;
  return undefined;
}

export async function jacobian(o: { transform: string; out: string; reference?: string; json: boolean }): Promise<number> {
  const printer = progressPrinter(o.json);
  const job = cliJob(printer);
  try {
    const file = await transformFileOf(o.transform);
    const transform = await readTransformFile(file);
    const grid = o.reference ? (await readImageFile(o.reference)).image.grid : fieldGridOf(transform);
    if (!grid) throw new EngineError('BAD_INPUT', `${path.basename(file)}: holds no displacement field to take a grid from; give --reference IMAGE`);
    const det = transformJacobianDeterminant(transform, grid, job.context);
    await writeScalarImage(o.out, det, {}, job.context);
    let folds = 0;
    for (const v of det.pixels) if (v <= 0) folds++;
    const foldPercent = (100 * folds) / det.pixels.length;
    job.dispose();
    printer.event('done', { file: path.resolve(o.out), folds, foldPercent });
    if (!o.json) console.log(`Wrote ${o.out}: det J on ${grid.size.join(' × ')} voxels, ${folds} folds (${foldPercent.toFixed(4)} %)`);
    return 0;
  } finally {
    job.dispose();
  }
}
