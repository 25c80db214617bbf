// `ximorph points` (points through a registration result) and `ximorph match` (points matched
// by features alone): the command-line counterparts of Inspect mode.

import path from 'node:path';
import { checkOutputLocation } from '../../engine/io/output-location';
import { removeOwnStagingSync } from '../../engine/io/staging-names';
import type { MatchJobInput, PointsJobInput } from '../job-thread/cli-jobs';
import { runInJobThread } from '../job-thread/run-job-thread';
import { progressPrinter } from '../progress-printer';

const absolute = <T extends { points: string; out: string }>(o: T): T => ({ ...o, points: path.resolve(o.points), out: path.resolve(o.out) });

export async function mapPoints(o: PointsJobInput & { json: boolean }): Promise<number> {
  const input = { ...absolute(o), transform: path.resolve(o.transform) };
  await checkOutputLocation(input.out, 'file');
  const done = await runInJobThread('points', input, { onProgress: () => {}, cleanup: () => removeOwnStagingSync(path.dirname(input.out)) });
  if (o.json) console.log(JSON.stringify({ event: 'done', ...done }));
  else console.log(`Wrote ${done.points} point${done.points === 1 ? '' : 's'} ${o.inverse ? 'in the fixed image' : 'in the moving image'} to ${done.file}`);
  return 0;
}

export async function matchPoints(o: MatchJobInput & { json: boolean }): Promise<number> {
  const input = { ...absolute(o), fixed: { ...o.fixed, path: path.resolve(o.fixed.path) }, moving: { ...o.moving, path: path.resolve(o.moving.path) } };
  await checkOutputLocation(input.out, 'file');
  const printer = progressPrinter(o.json);
  try {
    const done = await runInJobThread('match', input, { onProgress: (p) => printer.progress(p), cleanup: () => removeOwnStagingSync(path.dirname(input.out)) });
    printer.finish();
    printer.event('done', done);
    if (!o.json) console.log(`Matched ${done.points} point${done.points === 1 ? '' : 's'} by ${done.featurizer}; wrote ${done.file}`);
    return 0;
  } finally {
    printer.finish();
  }
}
