// npm run bench: XiMorph against elastix and SyN (dipy) on the same pairs, on this machine.
// For each pair: mean Dice over the labels (before and after), fold %, wall time end to end
// (process start to files written), peak resident memory, and the XiMorph/elastix ratios.
// elastix runs in the same run; SyN takes minutes per volume, so its runs are kept by input
// hash (bench/syn-peer.ts) and made again with --peers.
//
//   npm run bench [-- --seeds 1,2] [-- --pairs NAME,...] [-- --backend wasm] [-- --skip-elastix]
//                 [-- --skip-syn] [-- --peers] [-- --threads 1,2]
// --threads runs XiMorph once per listed kernel-thread count (0, the default: every core), and
// prints how its registration stages scale.
// Results land in .bench/<timestamp>/ (images, fields, results.json, table.md).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { finiteRange } from '../shared/image/statistics';
import { diceScores, foldPercent } from '../main/engine/registration/outputs/metrics';
import { readImageFile } from '../main/engine/io';
import type { RegistrationOverrides, RegistrationReport } from '../shared/contract/index';
import { overridesAsSettings } from '../main/engine/registration-job/reproduce-command';
import { runElastix } from './elastix-peer';
import { runSyn } from './syn-peer';
import type { BenchPair } from './pairs';
import { preparePairs } from './pairs';
import { measure } from './processes';
import { transformPoint } from './transformix-points';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2' },
    backend: { type: 'string', default: 'auto' },
    'skip-elastix': { type: 'boolean', default: false },
    'skip-syn': { type: 'boolean', default: false },
    /** Measure SyN again even where a kept run exists. */
    peers: { type: 'boolean', default: false },
    /** Only these pairs (names, comma-separated), e.g. slice-seed1,macaque-seed1. */
    pairs: { type: 'string' },
    parameters: { type: 'string' },
    threads: { type: 'string', default: '0' },
  },
});

interface Row {
  pair: string;
  method: 'XiMorph' | 'elastix' | 'SyN (dipy)';
  /** XiMorph: the kernel threads it ran on. */
  threads?: number;
  /** XiMorph: the registration's stages alone, before its outputs are computed and written. */
  registrationSeconds?: number;
  size: string;
  diceBefore?: number;
  diceAfter?: number;
  foldPercent: number;
  /** XiMorph: the stages its report times (load to files written); elastix: its processes' wall time. */
  seconds: number;
  /** The whole command, process start to exit: what the user waits for, and what the ratio compares. */
  processSeconds: number;
  peakRssMiB: number;
  pointErrorMm?: number;
  angleErrorDegrees?: number;
  detail: string;
}

async function foreground(file: string): Promise<Uint8Array> {
  const image = (await readImageFile(file)).image;
  const { min, max } = finiteRange(image.pixels);
  const threshold = min + 0.05 * (max - min);
  return Uint8Array.from(image.pixels, (v) => (v > threshold ? 1 : 0));
}

async function dice(reference: string, candidate: string): Promise<number> {
  const [a, b] = (await Promise.all([readImageFile(reference), readImageFile(candidate)])).map((r) => r.image);
  return diceScores(a.pixels, b.pixels).mean;
}

const ximorph = path.resolve(import.meta.dirname, '..', 'bin', 'ximorph.js');

/** Where `ximorph points` sends a point through a result (untimed: a check, not the user's run). */
async function mappedPoint(dir: string, result: string, point: readonly number[]): Promise<number[]> {
  const input = path.join(dir, 'known-point.csv');
  const output = path.join(dir, 'known-point-mapped.csv');
  // Point files are 3D (a 2D image lies in the z = 0 plane).
  const axes = ['x', 'y', 'z'].slice(0, point.length);
  await writeFile(input, `x,y,z\n${[...point, 0, 0].slice(0, 3).join(',')}\n`);
  await measure(process.execPath, [ximorph, 'points', '--transform', result, '--points', input, '--out', output]);
  const [header, row] = (await readFile(output, 'utf8')).trim().split('\n').map((line) => line.split(','));
  return axes.map((axis) => Number(row[header.indexOf(axis)]));
}

/** `ximorph register` as a user runs it, with its default outputs, timed from process start to exit. */
async function runXimorph(pair: BenchPair, dir: string, threads: number): Promise<Row> {
  const out = path.join(dir, threadCounts.length > 1 ? `ximorph-threads${threads}` : 'ximorph');
  const args = [ximorph, 'register', '--fixed', pair.fixed, '--moving', pair.moving, '--out', out, '--backend', values.backend!, '--threads', String(threads), '--json'];
  if (pair.movingLabels) args.push('--fixed-labels', pair.fixedLabels!, '--moving-labels', pair.movingLabels);
  if (values.parameters) for (const setting of overridesAsSettings(JSON.parse(values.parameters) as RegistrationOverrides)) args.push('--set', setting);
  const run = await measure(process.execPath, args);
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as RegistrationReport;
  const m = report.metrics;
  const row: Row = {
    pair: pair.name,
    method: 'XiMorph',
    threads: report.kernelThreads,
    registrationSeconds: report.stages.filter((stage) => stage.name !== 'outputs').reduce((sum, stage) => sum + stage.seconds, 0),
    size: pair.size.join('×'),
    diceBefore: m.diceBefore?.mean,
    diceAfter: m.diceAfter?.mean,
    foldPercent: m.foldPercent,
    seconds: report.totalSeconds,
    processSeconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
    detail: `${report.backend.name} (${report.backend.detail}); working grid ${report.workingGrid.size.join('×')} at ${report.workingGrid.spacing[0]} mm; outputs ${report.outputs.map((o) => o.file).join(', ')}; stages ${report.stages.map((s) => `${s.name} ${s.seconds.toFixed(1)}`).join(', ')}`,
  };
  if (pair.knownPoint) {
    const mapped = await mappedPoint(dir, out, pair.knownPoint.point);
    row.pointErrorMm = Math.hypot(...mapped.map((v, i) => v - pair.knownPoint!.image[i]));
    // The rotation of the affine stage (2D: the matrix's first two rows).
    const a = report.affine;
    row.angleErrorDegrees = Math.abs((Math.atan2(a[3] - a[1], a[0] + a[4]) * 180) / Math.PI - pair.knownPoint.angleDegrees);
  }
  return row;
}

async function runPeer(pair: BenchPair, dir: string): Promise<Row> {
  const run = await runElastix(dir, pair.fixed, pair.moving, pair.movingLabels);
  const jacobian = (await readImageFile(run.jacobian)).image;
  const row: Row = {
    pair: pair.name,
    method: 'elastix',
    size: pair.size.join('×'),
    diceBefore: pair.movingLabels ? await dice(pair.fixedLabels!, pair.movingLabels) : undefined,
    diceAfter: run.warpedLabels ? await dice(pair.fixedLabels!, run.warpedLabels) : undefined,
    foldPercent: foldPercent(jacobian.pixels, await foreground(pair.fixed)),
    seconds: run.seconds,
    processSeconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
    detail: 'elastix 5.0.1, affine + B-spline (10 mm), 2 threads; labels by transformix (nearest)',
  };
  if (pair.knownPoint) {
    const mapped = await transformPoint(dir, run.transform, pair.knownPoint.point);
    row.pointErrorMm = Math.hypot(...mapped.point.map((v, i) => v - pair.knownPoint!.image[i]));
    row.angleErrorDegrees = Math.abs(mapped.affineAngleDegrees - pair.knownPoint.angleDegrees);
  }
  return row;
}

/** SyN on a labelled pair (what the peer is compared by); kept runs report when they were measured. */
async function runSynPeer(pair: BenchPair, dir: string): Promise<Row> {
  const run = await runSyn(dir, pair.fixed, pair.moving, pair.movingLabels, values.peers!);
  const jacobian = (await readImageFile(run.jacobian)).image;
  return {
    pair: pair.name,
    method: 'SyN (dipy)',
    size: pair.size.join('×'),
    diceBefore: await dice(pair.fixedLabels!, pair.movingLabels!),
    diceAfter: await dice(pair.fixedLabels!, run.warpedLabels!),
    foldPercent: foldPercent(jacobian.pixels, await foreground(pair.fixed)),
    seconds: run.seconds,
    processSeconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
    detail: `dipy 1.6: centres of mass, translation, rigid, affine (MI), SyN (CC radius 4, iterations 100/50/25); ${run.cached ? `kept run of ${run.measuredAt}` : 'measured in this run'}`,
  };
}

const f = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

function table(rows: Row[]): string {
  const lines = [
    '| pair | method | threads | size | Dice before → after | fold % | stages, load to files written (s) | whole command (s) | peak RSS (MiB) | time ratio | RSS ratio | point error (mm) / angle error (°) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const peer = rows.find((p) => p.pair === r.pair && p.method === 'elastix');
    const ratio = (a: number, b?: number) => (r.method === 'XiMorph' && b ? (a / b).toFixed(2) : '');
    lines.push(
      `| ${r.pair} | ${r.method} | ${r.threads ?? ''} | ${r.size} | ${r.diceBefore === undefined ? '—' : `${f(r.diceBefore, 3)} → ${f(r.diceAfter, 3)}`} | ${f(r.foldPercent, 4)} | ${f(r.seconds, 1)} | ${f(r.processSeconds, 1)} | ${f(r.peakRssMiB, 0)} | ${ratio(r.processSeconds, peer?.processSeconds)} | ${ratio(r.peakRssMiB, peer?.peakRssMiB)} | ${r.pointErrorMm === undefined ? '' : `${f(r.pointErrorMm, 2)} / ${f(r.angleErrorDegrees, 2)}`} |`,
    );
  }
  return lines.join('\n');
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const root = path.resolve(import.meta.dirname, '..', '.bench', stamp);
await mkdir(root, { recursive: true });
console.log(`XiMorph benchmark → ${root}`);
const seeds = values.seeds!.split(',').map(Number);
const threadCounts = values.threads!.split(',').map(Number);
const only = values.pairs?.split(',');
const pairs = (await preparePairs(root, seeds)).filter((p) => !only || only.includes(p.name));
const rows: Row[] = [];
for (const pair of pairs) {
  const dir = path.join(root, pair.name);
  await mkdir(dir, { recursive: true });
  for (const threads of threadCounts) {
    const mine = await runXimorph(pair, dir, threads);
    rows.push(mine);
    console.log(`${pair.name}: XiMorph on ${mine.threads} thread(s) ${mine.seconds.toFixed(1)} s (process ${mine.processSeconds.toFixed(1)} s), Dice ${f(mine.diceBefore, 3)} → ${f(mine.diceAfter, 3)}; ${mine.detail}`);
  }
  if (!values['skip-elastix']) {
    const peer = await runPeer(pair, dir);
    rows.push(peer);
    console.log(`${pair.name}: elastix ${peer.seconds.toFixed(1)} s, Dice ${f(peer.diceBefore, 3)} → ${f(peer.diceAfter, 3)}`);
  }
  if (!values['skip-syn'] && pair.movingLabels) {
    const syn = await runSynPeer(pair, dir);
    rows.push(syn);
    console.log(`${pair.name}: SyN ${syn.seconds.toFixed(1)} s, Dice ${f(syn.diceBefore, 3)} → ${f(syn.diceAfter, 3)}; ${syn.detail}`);
  }
}
/** Per pair, how the registration's stages and the whole command scale from the fewest threads run. */
function scaling(rows: Row[]): string {
  const lines: string[] = [];
  for (const pair of new Set(rows.map((r) => r.pair))) {
    const runs = rows.filter((r) => r.pair === pair && r.method === 'XiMorph' && r.threads !== undefined).sort((a, b) => a.threads! - b.threads!);
    const base = runs[0];
    for (const r of runs.slice(1))
      lines.push(`${pair}: ${base.threads} → ${r.threads} threads: registration stages ${f(base.registrationSeconds! / r.registrationSeconds!, 2)}× faster (${f(base.registrationSeconds, 1)} → ${f(r.registrationSeconds, 1)} s), whole command ${f(base.processSeconds / r.processSeconds, 2)}×; Dice ${f(base.diceAfter, 4)} and ${f(r.diceAfter, 4)}`);
  }
  return lines.join('\n');
}

const markdown = [table(rows), scaling(rows)].filter(Boolean).join('\n\n');
console.log(`\n${markdown}\n`);
for (const r of rows.filter((x) => x.method !== 'elastix')) console.log(`${r.pair}, ${r.method}: ${r.detail}`);
await writeFile(path.join(root, 'table.md'), `${markdown}\n`);
await writeFile(path.join(root, 'results.json'), JSON.stringify({ pairs, rows }, null, 1));
