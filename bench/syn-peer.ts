// The second classical peer: SyN, the ANTs algorithm, as Debian's dipy 1.6 implements it
// (bench/syn/dipy_syn.py: centres of mass, translation, rigid and affine by mutual
// information, then SyN with cross-correlation). It takes minutes per 1 mm volume on two cores,
// so each run is kept, keyed by a hash of its inputs and of the script, and measured again only
// with --peers (or when an input changes): its time and memory in a table are then those of the
// run that made the entry, which the table says.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measure } from './processes';

const script = path.resolve(import.meta.dirname, 'syn', 'dipy_syn.py');
/** Kept between bench runs (the bench's own folders are one per run). */
const cacheRoot = path.resolve(import.meta.dirname, '..', '.bench', 'syn-cache');

export interface SynRun {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly warpedLabels?: string;
  readonly jacobian: string;
  /** When the run that measured this was made (ISO time), and whether this bench reused it. */
  readonly measuredAt: string;
  readonly cached: boolean;
}

async function hashOf(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files)
    await new Promise<void>((resolve, reject) => {
      hash.update(`${path.basename(file)}\u0000`);
      createReadStream(file)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', resolve)
        .on('error', reject);
    });
  return hash.digest('hex').slice(0, 24);
}

export async function runSyn(dir: string, fixed: string, moving: string, movingLabels: string | undefined, again: boolean): Promise<SynRun> {
  const inputs = [script, fixed, moving, ...(movingLabels ? [movingLabels] : [])];
  const entry = path.join(cacheRoot, await hashOf(inputs));
  const measurement = path.join(entry, 'measurement.json');
  const cached = !again && existsSync(measurement);
  if (!cached) {
    // A run that stops half-way leaves no entry: it is written beside, then moved in.
    const staging = `${entry}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const run = await measure('/usr/bin/python3', [script, fixed, moving, staging, ...(movingLabels ? [movingLabels] : [])]);
    await writeFile(path.join(staging, 'measurement.json'), JSON.stringify({ seconds: run.seconds, peakRssMiB: run.peakRssMiB, measuredAt: new Date().toISOString() }));
    await rm(entry, { recursive: true, force: true });
    await cp(staging, entry, { recursive: true });
    await rm(staging, { recursive: true, force: true });
  }
  const m = JSON.parse(await readFile(measurement, 'utf8')) as { seconds: number; peakRssMiB: number; measuredAt: string };
  // The outputs beside the other methods', for a look.
  const out = path.join(dir, 'syn');
  await cp(entry, out, { recursive: true });
  return {
    ...m,
    cached,
    warpedLabels: movingLabels ? path.join(out, 'warped_labels.nii.gz') : undefined,
    jacobian: path.join(out, 'jacobian.nii.gz'),
  };
}
