// A result folder holds one run's whole set or another's, never a mix: `kill -9` at every
// output file leaves the previous set exactly as it was, and the next run clears what the
// killed one left and replaces the set. The output folder is checked before any work.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliRun } from './run-cli';
import { itkSlices, runCli, tempFolder, ximorphBin } from './run-cli';

const fixed = path.join(itkSlices, 'BrainProtonDensitySlice.png');
const moving = path.join(itkSlices, 'BrainProtonDensitySliceR10X13Y17.png');
// What is registered does not matter here, only how the files land: keep the work small.
const quick = ['--iterations', '3', '--set', 'alignment.iterations=[5]', '--set', 'alignment.rotationSearchDegrees=0'];
const registerArgs = (out: string, seed: number, outputs = 'all') => ['register', '--fixed', fixed, '--moving', moving, '--out', out, ...quick, '--set', `seed=${seed}`, '--outputs', outputs, '--json'];

/** Every file of a folder with the hash of its bytes. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) files[name] = createHash('sha256').update(readFileSync(path.join(folder, name))).digest('hex');
  return files;
}

const seedOf = (folder: string) => JSON.parse(readFileSync(path.join(folder, 'report.json'), 'utf8')).parameters.seed as number;
const hidden = (folder: string) => readdirSync(folder).filter((name) => name.startsWith('.'));

function expectOneErrorLine(run: CliRun, code: string, status: number, mentions: RegExp): void {
  expect(run.code).toBe(status);
  expect(run.stderr).toBe('');
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const event = JSON.parse(lines[0]);
  expect(event.event).toBe('error');
  expect(event.error.code).toBe(code);
  expect(event.error.message).toMatch(mentions);
  expect(Object.keys(event.error).sort()).toEqual(expect.arrayContaining(['code', 'message']));
  expect(JSON.stringify(event)).not.toMatch(/stack|file:\/\/|\/dist\//);
}

describe('result folders are all or nothing', () => {
  const scratch = tempFolder();
  afterAll(() => scratch.cleanup());

  it('kill -9 at every output file leaves the previous set whole; the next run replaces it and clears the leftovers', { timeout: 600_000 }, async () => {
    const out = path.join(scratch.dir, 'result');
    const first = await runCli(registerArgs(out, 1));
    expect(first.code, first.stdout.slice(-500)).toBe(0);
    const previous = snapshot(out);
    const files = Object.keys(previous);
    // --outputs all: every writer is interrupted once.
    expect(files).toEqual([
      'affine.txt',
      'forward_field.mha',
      'forward_field.nii.gz',
      'inverse_field.mha',
      'inverse_field.nii.gz',
      'inverse_transform.h5',
      'jacobian.nii.gz',
      'report.json',
      'transform.h5',
      'warped_moving.nii.gz',
    ]);

    for (const file of files.filter((f) => f !== 'report.json')) {
      const killed = await runCli(registerArgs(out, 2), { stopWhen: (e) => e.event === 'progress' && e.stage === 'writing outputs' && String(e.message).startsWith(`${file}: `), signal: 'SIGKILL' });
      expect(killed.signal, `killed while writing ${file}`).toBe('SIGKILL');
      expect(snapshot(out), `after kill -9 while writing ${file}`).toEqual(previous);
    }
    // What the killed runs left is theirs alone, beside the folder, and the next run removes it.
    expect(hidden(scratch.dir).length).toBeGreaterThan(0);
    const last = await runCli(registerArgs(out, 2));
    expect(last.code, last.stdout.slice(-500)).toBe(0);
    expect(seedOf(out)).toBe(2);
    expect(Object.keys(snapshot(out))).toEqual(files);
    expect(snapshot(out)).not.toEqual(previous);
    expect(hidden(scratch.dir)).toEqual([]);

    // By default, the lean set; and report.json lists exactly what is there.
    const lean = path.join(scratch.dir, 'lean');
    expect((await runCli(registerArgs(lean, 1, 'default'))).code).toBe(0);
    expect(readdirSync(lean).sort()).toEqual(['affine.txt', 'forward_field.nii.gz', 'inverse_field.nii.gz', 'report.json', 'transform.h5', 'warped_moving.nii.gz']);
    const listed = JSON.parse(readFileSync(path.join(lean, 'report.json'), 'utf8')).outputs.map((o: { file: string }) => o.file);
    expect(listed.sort()).toEqual(readdirSync(lean).sort());
  });

  it('refuses, before any work, an output that is a file, lies below a file, is a system folder, or holds files XiMorph did not write', async () => {
    const file = path.join(scratch.dir, 'a-file.txt');
    writeFileSync(file, 'not a folder\n');
    const foreign = path.join(scratch.dir, 'my-notes');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'keep me\n');
    const cases: [string, RegExp][] = [
      [file, /existing file/],
      [path.join(file, 'result'), /is a file, so nothing can be saved below it/],
      ['/proc/ximorph-result', /system folder/],
      ['/sys/ximorph-result', /system folder/],
      [foreign, /holds files that XiMorph did not write \(notes\.txt\)/],
    ];
    for (const [out, reason] of cases) {
      const started = performance.now();
      const run = await runCli(registerArgs(out, 1));
      expectOneErrorLine(run, 'BAD_INPUT', 3, reason);
      // Refused at once: no image was read, nothing registered.
      expect(run.events).toHaveLength(1);
      expect(performance.now() - started).toBeLessThan(10_000);
    }
    expect(readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });

  it('refuses a folder that cannot be written to, as an unprivileged user would meet it', () => {
    const locked = path.join(scratch.dir, 'locked');
    mkdirSync(locked);
    chmodSync(scratch.dir, 0o755);
    chmodSync(locked, 0o555);
    // Tests run as root, whom permissions do not stop: run the command as "nobody".
    let stdout = '';
    let status = 0;
    try {
      stdout = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ximorphBin, ...registerArgs(path.join(locked, 'result'), 1)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      stdout = (error as { stdout: string }).stdout;
      status = (error as { status: number }).status;
    }
    expect(status).toBe(3);
    const event = JSON.parse(stdout.trim());
    expect(event.error).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/cannot be written to \(permission denied\)/), file: path.join(locked, 'result') });
    expect(statSync(locked).isDirectory() && readdirSync(locked)).toEqual([]);
    expect(existsSync(path.join(locked, 'result'))).toBe(false);
  });
});
