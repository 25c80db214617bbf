// `ximorph batch MANIFEST.csv --out DIR [--jobs N] [--row I] [register's options]`: a cohort,
// one registration per manifest row, each in a `ximorph register` process of its own (a row that
// fails or runs out of memory takes nothing else down), N at a time. A row whose folder holds a
// complete report.json is done and skipped, so a batch that stopped resumes where it was. Beyond
// one machine, a scheduler's array job runs one row per task (--row $INDEX); see the README.
//
// The summary (DIR/summary.csv) is rebuilt from the folders every time, so the last task of an
// array, or a rerun, writes the whole cohort's table.

import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';
import { csvCells } from '../../engine/inspection/point-files';
import { fileRef, fileSystemProblem } from '../../engine/io/file-problems';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../usage-error';

export interface BatchOptions {
  manifest: string;
  out: string;
  jobs: number;
  /** Only this row (from 0): one task of a scheduler's array job. */
  row?: number;
  /** Passed to every `ximorph register` (--preset, --set, --backend, …). */
  registerArguments: string[];
  json: boolean;
}

export interface ManifestRow {
  readonly index: number;
  readonly name: string;
  readonly fixed: string;
  readonly moving: string;
  readonly fixedLabels?: string;
  readonly movingLabels?: string;
}

type RowStatus = 'done' | 'skipped' | 'failed' | 'pending';

interface RowResult {
  readonly row: ManifestRow;
  readonly status: RowStatus;
  readonly report?: RowReport;
  readonly error?: string;
}

interface RowReport {
  totalSeconds: number;
  backend: { name: string };
  metrics: { nccAfter: number; foldPercent: number; diceBefore?: { mean: number }; diceAfter?: { mean: number } };
}

const columns = { fixed: ['fixed'], moving: ['moving'], fixedLabels: ['fixed_labels', 'fixed-labels'], movingLabels: ['moving_labels', 'moving-labels'], name: ['name', 'output', 'out'] };

function manifestProblem(file: string, reason: string, line?: number): EngineError {
  return new EngineError('BAD_INPUT', `${path.basename(file)}${line ? `, line ${line}` : ''}: ${reason}`, { file });
}

/**
 * The manifest's rows: a header naming fixed and moving (and optionally fixed_labels,
 * moving_labels and name), one pair per line. Paths are relative to the manifest's folder.
 */
export async function readManifest(file: string): Promise<ManifestRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileSystemProblem(fileRef(file), error, 'manifest');
  }
  const lines = text.split(/\r?\n/);
  const headerLine = lines.findIndex((l) => l.trim() !== '');
  if (headerLine < 0) throw manifestProblem(file, 'the manifest is empty');
  const header = csvCells(lines[headerLine]).map((h) => h.toLowerCase());
  const at = (names: string[]) => header.findIndex((h) => names.includes(h));
  const index = Object.fromEntries(Object.entries(columns).map(([key, names]) => [key, at(names)])) as Record<keyof typeof columns, number>;
  if (index.fixed < 0 || index.moving < 0) throw manifestProblem(file, 'the header names no fixed and moving columns', headerLine + 1);
  const folder = path.dirname(path.resolve(file));
  const resolve = (value: string | undefined) => (value ? path.resolve(folder, value) : undefined);
  const rows: ManifestRow[] = [];
  const names = new Set<string>();
  for (let i = headerLine + 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const cells = csvCells(lines[i]);
    const cell = (k: keyof typeof columns) => (index[k] >= 0 ? cells[index[k]] || undefined : undefined);
    if (!cell('fixed') || !cell('moving')) throw manifestProblem(file, 'a row needs both a fixed and a moving image', i + 1);
    const name = cell('name') ?? `row-${rows.length}`;
    if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') throw manifestProblem(file, `"${name}" is not a folder name (letters, digits, '.', '_' and '-')`, i + 1);
    if (names.has(name)) throw manifestProblem(file, `the name "${name}" is used twice`, i + 1);
    names.add(name);
    rows.push({ index: rows.length, name, fixed: resolve(cell('fixed'))!, moving: resolve(cell('moving'))!, fixedLabels: resolve(cell('fixedLabels')), movingLabels: resolve(cell('movingLabels')) });
  }
  if (rows.length === 0) throw manifestProblem(file, 'holds no rows');
  return rows;
}

/** The report of a finished row, or undefined: the result folder is written as one set, so a report means a whole set. */
async function completedReport(folder: string): Promise<RowReport | undefined> {
  try {
    const report = JSON.parse(await readFile(path.join(folder, 'report.json'), 'utf8')) as RowReport;
    return typeof report.metrics?.nccAfter === 'number' ? report : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The options every row is given: the user's, and where N rows run at once and the user set no
 * thread count, the cores shared among them. Each row would otherwise start a kernel thread per
 * core (a V8 isolate of its own each): N × cores threads competing for the cores.
 */
export function rowArguments(o: Pick<BatchOptions, 'jobs' | 'registerArguments'>, cores = os.availableParallelism()): string[] {
  const own = o.registerArguments;
  const threadsGiven = own.some((a, i) => a === '--threads' || (own[i - 1] === '--set' && a.startsWith('threads=')));
  if (o.jobs === 1 || threadsGiven) return own;
  return [...own, '--threads', String(Math.max(1, Math.floor(cores / o.jobs)))];
}

/** Runs one row as `ximorph register`; resolves with its error line, or undefined on success. */
function registerRow(row: ManifestRow, o: BatchOptions, children: Set<ReturnType<typeof spawn>>): Promise<string | undefined> {
  const args = [process.argv[1], 'register', '--fixed', row.fixed, '--moving', row.moving, '--out', path.join(o.out, row.name), '--json'];
  if (row.fixedLabels) args.push('--fixed-labels', row.fixedLabels);
  if (row.movingLabels) args.push('--moving-labels', row.movingLabels);
  args.push(...rowArguments(o));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    children.add(child);
    let lastError: string | undefined;
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"event":"error"')) continue;
        try {
          lastError = (JSON.parse(line) as { error: { message: string } }).error.message;
        } catch {
          lastError = line;
        }
      }
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve(code === 0 ? undefined : (lastError ?? `ximorph register ended with ${signal ?? `exit status ${code}`}`));
    });
  });
}

const number = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const quoted = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function summaryCsv(results: readonly RowResult[]): string {
  const header = 'row,name,status,seconds,backend,ncc_after,fold_percent,dice_before,dice_after,error';
  const lines = results.map(({ row, status, report, error }) =>
    [
      row.index,
      quoted(row.name),
      status,
      number(report?.totalSeconds, 1),
      report?.backend.name ?? '',
      number(report?.metrics.nccAfter, 4),
      number(report?.metrics.foldPercent, 4),
      number(report?.metrics.diceBefore?.mean, 4),
      number(report?.metrics.diceAfter?.mean, 4),
      quoted(error ?? ''),
    ].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}

export async function batch(o: BatchOptions): Promise<number> {
  if (!Number.isInteger(o.jobs) || o.jobs < 1) throw new UsageError('--jobs must be a whole number of at least 1');
  const rows = await readManifest(o.manifest);
  if (o.row !== undefined && (!Number.isInteger(o.row) || o.row < 0 || o.row >= rows.length))
    throw new UsageError(`--row must be a row of the manifest, from 0 to ${rows.length - 1}`);
  const out = path.resolve(o.out);
  await mkdir(out, { recursive: true });
  const mine = o.row === undefined ? rows : [rows[o.row]];
  const results = new Map<number, RowResult>();
  const emit = (r: RowResult) => {
    results.set(r.row.index, r);
    if (o.json) process.stdout.write(JSON.stringify({ event: 'row', row: r.row.index, name: r.row.name, status: r.status, ...(r.error ? { error: r.error } : {}) }) + '\n');
    else if (r.status !== 'pending') console.error(`row ${r.row.index} (${r.row.name}): ${r.status}${r.error ? `: ${r.error}` : r.report ? `, ${r.report.totalSeconds.toFixed(1)} s, NCC ${r.report.metrics.nccAfter.toFixed(3)}` : ''}`);
  };

  // Ctrl-C and a scheduler's SIGTERM reach the rows running: each stops within a second and
  // leaves its folder as it was; the batch then ends with the cancelled status.
  const children = new Set<ReturnType<typeof spawn>>();
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const child of children) child.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const queue = [...mine];
    const worker = async () => {
      for (let row = queue.shift(); row && !stopping; row = queue.shift()) {
        const folder = path.join(out, row.name);
        const before = await completedReport(folder);
        if (before) {
          emit({ row, status: 'skipped', report: before });
          continue;
        }
        // A signal that came while the folder was read: the row must not start (nothing would
        // stop it, and it would run to its end after Ctrl-C).
        if (stopping) break;
        const error = await registerRow({ ...row }, { ...o, out }, children);
        if (stopping) break;
        const report = error ? undefined : await completedReport(folder);
        emit(error || !report ? { row, status: 'failed', error: error ?? 'no report.json was written' } : { row, status: 'done', report });
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.jobs, mine.length) }, worker));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }

  // The whole cohort's table, from the folders: other tasks' rows count too.
  const table: RowResult[] = [];
  for (const row of rows) {
    const result = results.get(row.index);
    // A row finished by an earlier run is done as far as the cohort goes.
    if (result) table.push(result.status === 'skipped' ? { ...result, status: 'done' } : result);
    else {
      const report = await completedReport(path.join(out, row.name));
      table.push(report ? { row, status: 'done', report } : { row, status: 'pending' });
    }
  }
  const summary = path.join(out, 'summary.csv');
  const staging = `${summary}.partial-${process.pid}`;
  await writeFile(staging, summaryCsv(table));
  await rename(staging, summary);

  const count = (s: RowStatus) => table.filter((r) => r.status === s).length;
  const totals = { done: count('done'), failed: count('failed'), pending: count('pending'), summary };
  const tally = `${totals.done} of ${rows.length} rows done, ${totals.failed} failed, ${totals.pending} not run; summary in ${summary}`;
  // Stopped, the batch ends as a stopped register does (a cancelled error), with the tally.
  if (stopping) {
    const error = { code: 'CANCELLED', message: `cancelled: ${tally}` };
    if (o.json) process.stdout.write(JSON.stringify({ event: 'error', error, ...totals }) + '\n');
    else console.error(`ximorph: ${error.message}`);
    return exitCodes.cancelled;
  }
  if (o.json) process.stdout.write(JSON.stringify({ event: 'done', ...totals }) + '\n');
  else console.log(tally);
  return totals.failed > 0 ? exitCodes.failure : exitCodes.ok;
}
