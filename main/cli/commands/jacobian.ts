// `ximorph jacobian --transform DIR_OR_H5 --out O [--reference F]`: det J of a saved
// transform on the grid of its displacement field (or of a reference image), with the fold
// count, where det J ≤ 0.

import path from 'node:path';
import { checkOutputLocation } from '../../engine/io/output-location';
import { removeOwnStagingSync } from '../../engine/io/staging-names';
import type { CliImageInput } from '../job-thread/cli-jobs';
import { runInJobThread } from '../job-thread/run-job-thread';
import { progressPrinter } from '../progress-printer';

export async function jacobian(o: { transform: string; out: string; reference?: CliImageInput; json: boolean }): Promise<number> {
  const out = path.resolve(o.out);
  await checkOutputLocation(out, 'file');
  const printer = progressPrinter(o.json);
  try {
    const done = await runInJobThread(
      'jacobian',
      { transform: o.transform, out, reference: o.reference },
      { onProgress: (p) => printer.progress(p), cleanup: () => removeOwnStagingSync(path.dirname(out)) },
    );
    printer.finish();
    printer.event('done', done);
    if (!o.json) console.log(`Wrote ${o.out}: det J on ${done.size.join(' × ')} voxels, ${done.folds} folds (${done.foldPercent.toFixed(4)} %)`);
    return 0;
  } finally {
    printer.finish();
  }
}
