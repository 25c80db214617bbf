// The bad-input corpus through the real command line (dist/, built by `npm run build`): each
// of the files fixtures/make_bad_inputs.py writes at test time gets exactly one line naming
// it and the reason, exit status 3, valid JSON with --json ({source, error: {code, message,
// file}}: no stack, no path into the build), nothing of ITK's internals anywhere, and, for
// register, no output folder. Every file goes through `info` and `info --json` in one process
// each; a sample spanning every error code and format also goes one process per file, and
// through `register`, since a process costs most of a second to start.

import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(repo, 'bin', 'ximorph.js');
const python3 = '/usr/bin/python3';
const slice = '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20.png';

interface Case {
  readonly name: string;
  readonly path: string;
  readonly code: string;
  /** What the message says after "NAME: ". */
  readonly reason: string;
  /** Part of the sample run one process per file (and through register): every code and format. */
  readonly sample: boolean;
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let cases: Case[];

function ximorph(args: readonly string[], asUser?: number): Promise<Run> {
  const command = asUser === undefined ? process.execPath : 'setpriv';
  const prefix = asUser === undefined ? [] : [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', process.execPath];
  return new Promise((resolve) => {
    execFile(
      command,
      [...prefix, cli, ...args],
      { cwd: repo, env: { ...process.env, XIMORPH_HOME: path.join(dir, '.home') }, timeout: 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs `work` on every item, two at a time (the machines have two cores). */
async function twoAtATime<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]);
  };
  await Promise.all([worker(), worker()]);
  return results;
}

/** A file name as messages show it: control characters escaped (one line, no terminal tricks). */
const shownName = (name: string) => name.replaceAll('\n', '\\n').replaceAll('\u001b', '\\x1b');

/** ITK's own reporting, which must never reach a terminal. */
const itkNoise = /Exception while running pipeline|Build module in Debug mode|\/ITK\/Modules\/|itk::ExceptionObject|vnl_svd|^M = \[/m;

/** Checks one `info --json` entry (or register's error) against its case. */
function expectErrorEntry(error: Record<string, unknown>, c: Case): void {
  expect(Object.keys(error).every((k) => ['code', 'message', 'file', 'details'].includes(k)), JSON.stringify(error)).toBe(true);
  expect(error.code, c.name).toBe(c.code);
  expect(error.file, c.name).toBe(c.path);
  const message = error.message as string;
  expect(message.startsWith(`${shownName(c.name)}: `), message).toBe(true);
  expect(message.slice(shownName(c.name).length + 2), c.name).toMatch(new RegExp(c.reason));
  expect(message).not.toContain('\n');
}

function expectNothingInternal(text: string): void {
  expect(text).not.toMatch(itkNoise);
  expect(text).not.toMatch(/"stack"|file:\/\/\/|\/dist\/|\bat .*\(.*:\d+:\d+\)/);
}

/**
 * The machine's memory decides the gzip bomb: refused wherever loading it (about 8 GiB) would
 * exceed the quarter of available memory one image may use, so on machines with less than
 * about 32 GiB available. Where it is clearly loadable it is merely large, and left out.
 */
function bombIsRefusedHere(): boolean {
  const loadBytes = 4 * 812 ** 3 * 4;
  return loadBytes > 1.1 * ((process.availableMemory?.() ?? os.freemem()) / 4);
}

beforeAll(() => {
  const built = path.join(repo, 'dist', 'main', 'cli.js');
  if (!existsSync(built)) throw new Error('dist/main/cli.js is missing: run `npm run build` before this test');
  dir = mkdtempSync(path.join(os.tmpdir(), 'ximorph-bad-inputs-'));
  const corpus = path.join(dir, 'corpus');
  mkdirSync(corpus);
  const script = fileURLToPath(new URL('./fixtures/make_bad_inputs.py', import.meta.url));
  const all = JSON.parse(execFileSync(python3, [script, corpus], { encoding: 'utf8' })) as Case[];
  cases = all.filter((c) => c.name !== 'bomb-812-cubed.nii.gz' || bombIsRefusedHere());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ximorph info on the bad-input corpus', () => {
  it('holds at least 60 files, each refused with exit status 3', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('--json on all of them at once: an array of {source, error}, in order, and nothing else on either stream', async () => {
    const run = await ximorph(['info', '--json', ...cases.map((c) => c.path)]);
    expect(run.status).toBe(3);
    expect(run.stderr).toBe('');
    expectNothingInternal(run.stdout);
    const entries = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(entries).toHaveLength(cases.length);
    entries.forEach((entry, i) => {
      expect(Object.keys(entry).sort()).toEqual(['error', 'source']);
      expect(entry.source).toBe(cases[i].path);
      expectErrorEntry(entry.error as Record<string, unknown>, cases[i]);
    });
  });

  it('text on all of them at once: one line per file on stderr, nothing on stdout', async () => {
    const run = await ximorph(['info', ...cases.map((c) => c.path)]);
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expectNothingInternal(run.stderr);
    const lines = run.stderr.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(cases.length);
    lines.forEach((line, i) => expect(line.startsWith(`ximorph: ${shownName(cases[i].name)}: `), line).toBe(true));
  });

  it('a sample of them alone (every code, every format): exit status 3 and one line; with --json one object', async () => {
    const sample = cases.filter((c) => c.sample);
    const codes = [...new Set(sample.map((c) => c.code))];
    expect(codes.sort()).toEqual(['BAD_INPUT', 'FORBIDDEN', 'NEEDS_CHOICE', 'NOT_FOUND', 'UNSUPPORTED']);
    // --json alone for one file of each code: the batch above checked every file's entry.
    const jsonToo = new Set(codes.map((code) => sample.find((c) => c.code === code)!));
    const runs = await twoAtATime(sample, async (c) => ({ c, text: await ximorph(['info', c.path]), json: jsonToo.has(c) ? await ximorph(['info', '--json', c.path]) : undefined }));
    for (const { c, text, json } of runs) {
      expect(text.status, c.name).toBe(3);
      expect(text.stdout, c.name).toBe('');
      expect(text.stderr.endsWith('\n') && text.stderr.split('\n').length === 2, `${c.name}: ${text.stderr}`).toBe(true);
      expect(text.stderr.startsWith(`ximorph: ${shownName(c.name)}: `), text.stderr).toBe(true);
      if (!json) continue;
      expect(json.status, c.name).toBe(3);
      expect(json.stderr, c.name).toBe('');
      expectNothingInternal(json.stdout);
      const entry = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(entry.source).toBe(c.path);
      expectErrorEntry(entry.error as Record<string, unknown>, c);
    }
  });
});

describe('a file this user may not read', () => {
  const runsAsRoot = process.getuid?.() === 0;
  const hasSetpriv = (() => {
    try {
      execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  // Root reads anything, so the path users meet is taken as nobody (uid 65534), in a folder
  // that user may traverse, on a file only its owner may read.
  it.skipIf(!runsAsRoot || !hasSetpriv)('as an unprivileged user: "permission denied", exit status 3, in text and in --json', async () => {
    const shared = path.join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(dir, 0o755);
    chmodSync(shared, 0o755);
    const file = path.join(shared, 'private.nii.gz');
    copyFileSync('/usr/share/mricron/templates/ch2bet.nii.gz', file);
    chmodSync(file, 0o600);
    const text = await ximorph(['info', file], 65534);
    expect(text).toEqual({ status: 3, stdout: '', stderr: 'ximorph: private.nii.gz: permission denied (this user may not read the file)\n' });
    const json = await ximorph(['info', '--json', file], 65534);
    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      source: file,
      error: { code: 'FORBIDDEN', message: 'private.nii.gz: permission denied (this user may not read the file)', file },
    });
    // Root may read it: what root is refused is a file no one may read (the corpus's unreadable.nii).
    expect((await ximorph(['info', file])).status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

/** Valid images whose pair a registration must refuse: 0.1 mm against 10 mm voxels. */
function writeMismatchedPair(): { fine: string; coarse: string } {
  const fine = path.join(dir, 'fine-0.1mm.nii.gz');
  const coarse = path.join(dir, 'coarse-10mm.nii.gz');
  execFileSync(python3, [
    '-c',
    `import sys, numpy as np, nibabel as nib
data = np.random.default_rng(1).random((200, 180)).astype(np.float32)
data[50:150, 40:140] += 2
for name, mm in ((sys.argv[1], 0.1), (sys.argv[2], 10.0)):
    nib.save(nib.Nifti1Image(data, np.diag([mm, mm, 1.0, 1.0])), name)`,
    fine,
    coarse,
  ]);
  return { fine, coarse };
}

interface RegisterCase {
  readonly label: string;
  readonly args: string[];
  /** The file the message names ("registration" for a refused pair), and the reason. */
  readonly name: string;
  readonly reason: string;
}

function registerCases(): RegisterCase[] {
  const out = (i: number) => path.join(dir, `out-${i}`);
  const movingNames = ['empty.nii', 'notes.nii', 'negative-dim.nii', 'four-d.nii.gz', 'nan-sform-and-qform.nii', 'bomb-812-cubed.nii.gz', 'zero-spacing.mha', 'missing-raw.mhd', 'bad-encoding.nrrd', 'truncated.png', 'rtplan.dcm', 'unreadable.nii'];
  const moving = cases.filter((c) => movingNames.includes(c.name)).map((c, i) => ({ label: `--moving ${c.name}`, args: ['--fixed', slice, '--moving', c.path, '--out', out(i)], name: c.name, reason: c.reason }));
  const fixed = ['notes.nii', 'nan-qform-only.nii', 'zero-spacing.mha']
    .map((name) => cases.find((c) => c.name === name)!)
    .map((c, i) => ({ label: `--fixed ${c.name}`, args: ['--fixed', c.path, '--moving', slice, '--out', out(100 + i)], name: c.name, reason: c.reason }));
  const { fine, coarse } = writeMismatchedPair();
  const pairs = [
    { label: 'a 0.1 mm fixed against a 10 mm moving image', args: ['--fixed', fine, '--moving', coarse, '--out', out(200)], name: 'registration', reason: 'the moving image at 0\\.1 mm in its own frame would be' },
    { label: '--resolution 0.001', args: ['--fixed', slice, '--moving', slice, '--resolution', '0.001', '--out', out(201)], name: 'registration', reason: 'the working grid \\(the fixed image at 0\\.001 mm\\) would be' },
  ];
  return [...moving, ...fixed, ...pairs];
}

function outOf(c: RegisterCase): string {
  return c.args[c.args.indexOf('--out') + 1];
}

describe('ximorph register with a bad input', () => {
  it('one line naming the file and the reason, exit status 3, no output folder', async () => {
    const list = registerCases();
    expect(list.length).toBeGreaterThanOrEqual(15);
    const runs = await twoAtATime(list, async (c) => ({ c, run: await ximorph(['register', ...c.args]) }));
    for (const { c, run } of runs) {
      expect(run.status, `${c.label}: ${run.stderr}`).toBe(3);
      // Piped, register reports progress and the outcome as JSON lines on stdout (a bar only on
      // a terminal), and the failure as one line on stderr for the person watching.
      const events = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { event: string });
      expect(events.pop()?.event, `${c.label}: ${run.stdout}`).toBe('error');
      expect(events.every((p) => p.event === 'progress'), `${c.label}: ${run.stdout}`).toBe(true);
      expectNothingInternal(run.stdout + run.stderr);
      const lines = run.stderr.split('\n');
      expect(lines.length === 2 && lines[1] === '', `${c.label}: ${run.stderr}`).toBe(true);
      expect(lines[0].startsWith(`ximorph: ${shownName(c.name)}: `), lines[0]).toBe(true);
      expect(lines[0]).toMatch(new RegExp(c.reason));
      expect(existsSync(outOf(c)), c.label).toBe(false);
    }
    expect(readdirSync(dir).filter((n) => n.startsWith('out-'))).toEqual([]);
  });
});

/** `register --json`: progress lines, then one {"event":"error","error":{code, message, file}} line. */
describe('ximorph register --json with a bad input', () => {
  it('valid JSON lines ending with one error event, exit status 3, no output folder', async () => {
    const list = registerCases();
    const runs = await twoAtATime(list, async (c) => ({ c, run: await ximorph(['register', '--json', ...c.args]) }));
    for (const { c, run } of runs) {
      expect(run.status, c.label).toBe(3);
      expect(run.stderr, c.label).toBe('');
      expectNothingInternal(run.stdout);
      const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { event: string; error?: Record<string, unknown> });
      const last = events.pop()!;
      expect(events.every((e) => e.event === 'progress'), c.label).toBe(true);
      expect(last.event).toBe('error');
      const error = last.error!;
      expect((error.message as string).startsWith(`${shownName(c.name)}: `), error.message as string).toBe(true);
      expect(error.message as string).toMatch(new RegExp(c.reason));
      if (error.file !== undefined) expect(typeof error.file).toBe('string');
      expect(existsSync(outOf(c)), c.label).toBe(false);
    }
  });
});
