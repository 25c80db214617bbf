// Running a measured process: wall time from spawn to exit, and peak resident memory from GNU
// time (/usr/bin/time -v), which sees the whole process whatever it runs (node, elastix).

import { spawn } from 'node:child_process';

export interface Measured {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly output: string;
}

export async function measure(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Measured> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-v', command, ...args], { cwd: options.cwd, env: options.env ?? process.env });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-3000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(output);
  return { seconds, peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN, output };
}
