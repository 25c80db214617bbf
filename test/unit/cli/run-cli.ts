// Runs the built `ximorph` command as a user would, as a child process, and watches its JSON
// lines: to stop it at a chosen moment with a signal, and to time how long it takes to exit.

import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ximorphBin = path.join(repoRoot, 'bin/ximorph.js');

export interface CliEvent {
  event: string;
  stage?: string;
  message?: string;
  error?: { code: string; message: string; file?: string };
  [key: string]: unknown;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: CliEvent[];
  /** Seconds from the signal we sent to the process's exit. */
  secondsAfterSignal?: number;
  /** The event at which the signal was sent. */
  signalledAt?: CliEvent;
}

export interface RunOptions {
  /** Send `signal` at the first event this accepts. */
  stopWhen?: (event: CliEvent) => boolean;
  signal?: NodeJS.Signals;
  timeoutMs?: number;
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [ximorphBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CliRun = { code: null, signal: null, stdout: '', stderr: '', events: [] };
  let signalledAt = 0;
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    run.stdout += chunk;
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      let event: CliEvent;
      try {
        event = JSON.parse(line) as CliEvent;
      } catch {
        continue;
      }
      run.events.push(event);
      if (!signalledAt && options.stopWhen?.(event)) {
        signalledAt = performance.now();
        run.signalledAt = event;
        child.kill(options.signal ?? 'SIGINT');
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signalledAt) run.secondsAfterSignal = (performance.now() - signalledAt) / 1000;
      run.code = code;
      run.signal = signal;
      // Let the pipes drain before reporting.
      setImmediate(() => resolve(run));
    });
  });
}

export function tempFolder(prefix = 'ximorph-cli-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A 3D pair small enough to register in seconds: Colin27 (ch2bet) at 3 mm, and the same
 * brain moved by a few millimetres and a few degrees.
 */
export function smallBrainPair(dir: string): { fixed: string; moving: string } {
  const fixed = path.join(dir, 'fixed-3mm.nii.gz');
  const moving = path.join(dir, 'moving-3mm.nii.gz');
  execFileSync('/usr/bin/python3', [
    '-c',
    `import sys, numpy as np, nibabel as nib
from scipy import ndimage
im = nib.load('/usr/share/mricron/templates/ch2bet.nii.gz')
data = ndimage.zoom(np.asanyarray(im.dataobj).astype(np.float32), 1 / 3, order=1)
affine = im.affine.copy(); affine[:3, :3] *= 3
nib.save(nib.Nifti1Image(data, affine), sys.argv[1])
moved = ndimage.shift(ndimage.rotate(data, 4, axes=(0, 1), reshape=False, order=1), (1, -1, 0.5), order=1)
nib.save(nib.Nifti1Image(moved.astype(np.float32), affine), sys.argv[2])`,
    fixed,
    moving,
  ]);
  return { fixed, moving };
}

export const itkSlices = '/usr/share/doc/insighttoolkit5-examples/examples/Data';
