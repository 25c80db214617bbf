// Starts `ximorph serve` as a user would (the built CLI, a real engine worker) and hands the
// tests its URL. Each server gets its own XIMORPH_HOME so tests never touch real settings.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  home: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function startServe(args: string[] = [], env: Record<string, string> = {}): Promise<RunningServer> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ximorph-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/ximorph.js', 'serve', '--no-open', ...args], {
    env: { ...process.env, XIMORPH_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      output += d;
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    home,
    output: () => output,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    },
  };
}
