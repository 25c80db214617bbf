// `ximorph warp --transform DIR_OR_H5 --input I --reference F --out O [--labels]`: applies a
// saved transform to another image, e.g. labels drawn on the moving image, onto the grid of
// the reference (usually the fixed image).

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readImageFile, readTransformFile, writeScalarImage } from '../../engine/io/index';
import { resampleImage } from '../../engine/resample/resample-image';
import { cliJob } from '../cli-job';
import { progressPrinter } from '../progress-printer';

/** A result folder means its transform.h5; any other path is a transform file. */
export async function transformFileOf(given: string): Promise<string> {
  const info = await stat(given).catch(() => null);
  return info?.isDirectory() ? path.join(given, 'transform.h5') : given;
}

export async function warp(o: { transform: string; input: string; reference: string; out: string; labels: boolean; json: boolean }): Promise<number> {
  const printer = progressPrinter(o.json);
  const job = cliJob(printer);
  try {
    const transform = await readTransformFile(await transformFileOf(o.transform));
    const input = await readImageFile(o.input, { role: o.labels ? 'labels' : undefined });
    const reference = await readImageFile(o.reference);
    const interpolation = o.labels || input.info.role === 'labels' ? 'nearest' : 'linear';
    job.context.progress({ stage: 'resampling', fraction: 0.3 });
    const warped = resampleImage(input.image, reference.image.grid, transform, interpolation, job.context);
    job.context.progress({ stage: 'writing', fraction: 0.8 });
    await writeScalarImage(o.out, warped, {}, job.context);
    job.dispose();
    printer.event('done', { file: path.resolve(o.out), interpolation });
    if (!o.json) console.log(`Wrote ${o.out} (${interpolation} interpolation, on the grid of ${path.basename(o.reference)})`);
    return 0;
  } finally {
    job.dispose();
  }
}
