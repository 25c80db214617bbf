// npm run bench:signals: how fast `ximorph register` stops on Ctrl-C (SIGINT) or SIGTERM at
// each stage of a 1 mm brain registration, against the goal of 1 s, and against elastix
// stopped the same way on the same pair, in the same run. Also checks what each stop left:
// exit status 130 and no result or staging folder.
//
//   npm run bench:signals [-- --repeat 2]

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '2' } } });
const repeat = Number(values.repeat);
const templates = '/usr/share/mricron/templates';
const fixed = path.join(templates, 'ch2bet.nii.gz');
const moving = path.join(templates, 'ch2.nii.gz');
const bin = path.resolve(import.meta.dirname, '../bin/ximorph.js');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ximorph-bench-signals-'));

interface Stop {
  readonly exitMs: number;
  readonly code: number | null;
  readonly leftovers: number;
}

/** Starts a command, signals it when `ready` says so (from its output or a timer), and times the exit. */
function stopWhen(command: string, args: string[], signal: NodeJS.Signals, ready: (line: string, elapsedMs: number) => boolean): Promise<Stop> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const started = performance.now();
  let signalled = 0;
  const check = (line: string) => {
    if (!signalled && ready(line, performance.now() - started)) {
      signalled = performance.now();
      child.kill(signal);
    }
  };
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    lines.forEach(check);
  });
  child.stderr.resume();
  const timer = setInterval(() => check(''), 20);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      // What the stopped run left in its scratch folder: result, staging or log files.
      const leftovers = existsSync(scratch) ? readdirSync(scratch).length : 0;
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(scratch);
      resolve({ exitMs: signalled ? performance.now() - signalled : NaN, code, leftovers });
    });
  });
}

const stages = ['reading pixels', 'preparation', 'alignment', 'features', 'attention level 1', 'optimization', 'outputs', 'writing outputs'];
const rows: string[] = [];
const worst: number[] = [];
console.log(`ximorph register on ${path.basename(fixed)} vs ${path.basename(moving)} (181×217×181, 1 mm); ${repeat} stop(s) per stage and signal`);
for (const stage of stages) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const stops: Stop[] = [];
    for (let i = 0; i < repeat; i++) {
      const out = path.join(scratch, 'result');
      stops.push(
        await stopWhen(process.execPath, [bin, 'register', '--fixed', fixed, '--moving', moving, '--out', out, '--json'], signal, (line) => {
          if (!line.startsWith('{')) return false;
          const event = JSON.parse(line);
          return event.event === 'progress' && event.stage === stage;
        }),
      );
    }
    const ms = stops.map((s) => s.exitMs).sort((a, b) => a - b);
    worst.push(ms.at(-1)!);
    const codes = [...new Set(stops.map((s) => s.code))].join(',');
    rows.push(`| ${stage} | ${signal} | ${ms[Math.floor(ms.length / 2)].toFixed(0)} | ${ms.at(-1)!.toFixed(0)} | ${codes} | ${stops.reduce((a, s) => a + s.leftovers, 0)} |`);
  }
}

// The peer: elastix, stopped the same way after 3 s (while it registers) — the default signal
// handling of a native program, the fastest a process can stop.
const elastixStops: Stop[] = [];
for (let i = 0; i < repeat; i++) {
  const out = path.join(scratch, 'elastix');
  mkdirSync(out);
  const parameters = path.resolve(import.meta.dirname, 'elastix');
  elastixStops.push(
    await stopWhen('elastix', ['-f', fixed, '-m', moving, '-p', path.join(parameters, 'affine.txt'), '-p', path.join(parameters, 'bspline.txt'), '-out', out, '-threads', '2'], 'SIGINT', (_line, elapsed) => elapsed > 3000),
  );
}
const elastixMs = elastixStops.map((s) => s.exitMs).sort((a, b) => a - b);

console.log('\n| stage | signal | exit after (ms), median | worst (ms) | exit status | files left |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(`| elastix (peer), after 3 s | SIGINT | ${elastixMs[Math.floor(elastixMs.length / 2)].toFixed(0)} | ${elastixMs.at(-1)!.toFixed(0)} | ${[...new Set(elastixStops.map((s) => s.code))].join(',')} | — |`);
const overall = Math.max(...worst);
console.log(`\nWorst XiMorph stop: ${overall.toFixed(0)} ms (goal ≤ 1000 ms: ${overall <= 1000 ? 'met' : 'NOT met'}); ratio to elastix's worst: ${(overall / elastixMs.at(-1)!).toFixed(1)}×`);
rmSync(scratch, { recursive: true, force: true });
