// `ximorph warp --transform DIR_OR_H5 --input I --reference F --out O [--labels]`: applies a
// saved transform to another image, e.g. labels drawn on the moving image, onto the grid of
// the reference (usually the fixed image).

import path from 'node:path';
import { checkOutputLocation } from '../../engine/io/output-location';
import { removeOwnStagingSync } from '../../engine/io/staging-names';
import type { CliImageInput } from '../job-thread/cli-jobs';
import { runInJobThread } from '../job-thread/run-job-thread';
import { progressPrinter } from '../progress-printer';

export async function warp(o: { transform: string; input: CliImageInput; reference: CliImageInput; out: string; labels: boolean; json: boolean }): Promise<number> {
  const out = path.resolve(o.out);
  await checkOutputLocation(out, 'file');
  const printer = progressPrinter(o.json);
  try {
    const done = await runInJobThread(
      'warp',
      { transform: o.transform, input: o.input, reference: o.reference, out, labels: o.labels },
      { onProgress: (p) => printer.progress(p), cleanup: () => removeOwnStagingSync(path.dirname(out)) },
    );
    printer.finish();
    printer.event('done', done);
    if (!o.json) console.log(`Wrote ${o.out} (${done.interpolation} interpolation, on the grid of ${path.basename(o.reference.path)})`);
    return 0;
  } finally {
    printer.finish();
  }
}
