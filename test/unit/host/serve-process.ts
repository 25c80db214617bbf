// `ximorph serve` as a separate process (built into dist/ by `npm run build`), for tests
// that must see what a user would: whether the server process is still alive, its own
// memory, its log, and the staging folders it makes (in a temp folder of its own).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../../bin/ximorph.js', import.meta.url));

export interface ServeProcess {
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  /** What the process has printed to stderr: its log. */
  readonly log: string[];
  /** The folders of uploads staged right now. */
  stagedUploads(): string[];
  /** Resident memory now and at its peak, in MiB (Linux). */
  memory(): { rssMiB: number; peakMiB: number };
  alive(): boolean;
  stop(): Promise<void>;
}

function statusField(pid: number, key: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return Number(/(\d+) kB/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

export async function startServeProcess(): Promise<ServeProcess> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ximorph-serve-test-'));
  const tmp = path.join(home, 'tmp');
  mkdirSync(tmp);
  const child = spawn(process.execPath, [cli, 'serve', '--no-open'], {
    env: { ...process.env, XIMORPH_HOME: home, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (text: string) => log.push(...text.split('\n').filter(Boolean)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  // A test process that exits without its afterAll (a worker stopped on a timeout) must not leave its server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exit.then(() => process.off('exit', killOnExit));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const match = /Listening on (http:\S+)/.exec(out);
      if (match) resolve(new URL(match[1]));
    });
    void exit.then(() => reject(new Error(`ximorph serve exited before listening: ${log.join('\n')}`)));
  });
  return {
    port: Number(url.port),
    token: url.searchParams.get('token') ?? '',
    pid: child.pid!,
    log,
    stagedUploads: () => readdirSync(tmp).filter((n) => n.startsWith('ximorph-upload-')),
    memory: () => ({ rssMiB: statusField(child.pid!, 'VmRSS'), peakMiB: statusField(child.pid!, 'VmHWM') }),
    alive: () => !exited,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
