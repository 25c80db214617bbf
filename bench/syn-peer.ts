// The second classical peer: SyN, the ANTs algorithm, as Debian's dipy 1.6 implements it
// (bench/syn/dipy_syn.py: centres of mass, translation, rigid and affine by mutual
// information, then SyN with cross-correlation). It takes minutes per 1 mm volume on two cores,
// so each run is kept, keyed by a hash of its inputs and of the script, and measured again only
// with --peers (or when an input changes): its time and memory in a table are then those of the
// run that made the entry, which the table says.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contentHash } from '../main/engine/io/content-hash';
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

/** The key of a run: its inputs' and the script's contents, in order. */
async function keyOf(files: readonly string[]): Promise<string> {
  const hashes = await Promise.all(files.map(contentHash));
  return createHash('sha256').update(hashes.join('\n')).digest('hex').slice(0, 24);
}

export async function runSyn(dir: string, fixed: string, moving: string, movingLabels: string | undefined, again: boolean): Promise<SynRun> {
  const inputs = [script, fixed, moving, ...(movingLabels ? [movingLabels] : [])];
  const entry = path.join(cacheRoot, await keyOf(inputs));
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
    await rename(staging, entry);
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
