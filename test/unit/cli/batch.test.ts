// ximorph batch: a cohort from a manifest, with failures isolated to their rows, resumable, and
// run one row per task the way the documented SLURM array and Kubernetes Indexed Job run it.
// No scheduler is installed here: the SLURM script runs under bash with SLURM_ARRAY_TASK_ID set
// as sbatch sets it, and the Job's command runs with $(JOB_COMPLETION_INDEX) expanded as
// Kubernetes expands it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { rowArguments } from '../../../main/cli/commands/batch';
import { repoRoot, runCli, smallBrainPair, tempFolder, ximorphBin } from './run-cli';

const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';
const temp = tempFolder('ximorph-batch-');
afterAll(() => temp.cleanup());

/** Two 2D pairs with known motions, and a row whose moving image does not exist. */
function writeManifest(): string {
  const file = path.join(temp.dir, 'manifest.csv');
  const fixed = data + 'BrainProtonDensitySliceBorder20.png';
  writeFileSync(
    file,
    ['fixed,moving,name', `${fixed},${data}BrainProtonDensitySliceR10X13Y17.png,rotated`, `${fixed},${data}BrainProtonDensitySliceShifted13x17y.png,shifted`, `${fixed},missing.png,broken`].join('\n') + '\n',
  );
  return file;
}

const quick = ['--iterations', '20'];

function summary(out: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

function expectCohort(out: string): void {
  const rows = summary(out);
  expect(rows.map((r) => [r.name, r.status])).toEqual([
    ['rotated', 'done'],
    ['shifted', 'done'],
    ['broken', 'failed'],
  ]);
  expect(Number(rows[0].ncc_after)).toBeGreaterThan(0.97);
  expect(Number(rows[1].ncc_after)).toBeGreaterThan(0.97);
  expect(rows[2].error).toMatch(/missing\.png/);
}

describe('ximorph batch', () => {
  const manifest = writeManifest();

  it('registers every row two at a time, isolates the failed row, and resumes by skipping finished rows', async () => {
    const out = path.join(temp.dir, 'cohort');
    const first = await runCli(['batch', manifest, '--out', out, '--jobs', '2', '--json', ...quick], { timeoutMs: 110_000 });
    expect(first.code).toBe(1);
    expectCohort(out);
    const rowEvents = first.events.filter((e) => e.event === 'row');
    expect(rowEvents.map((e) => e.status).sort()).toEqual(['done', 'done', 'failed']);
    expect(first.events.at(-1)).toMatchObject({ event: 'done', done: 2, failed: 1, pending: 0 });
    // Two rows at once share the cores: each registered on half of them (at least one thread).
    for (const name of ['rotated', 'shifted']) {
      const report = JSON.parse(readFileSync(path.join(out, name, 'report.json'), 'utf8')) as { kernelThreads: number };
      expect(report.kernelThreads).toBe(Math.max(1, Math.floor(os.availableParallelism() / 2)));
    }

    const again = await runCli(['batch', manifest, '--out', out, '--json', ...quick], { timeoutMs: 60_000 });
    expect(again.events.filter((e) => e.event === 'row').map((e) => [e.name, e.status])).toEqual([
      ['rotated', 'skipped'],
      ['shifted', 'skipped'],
      ['broken', 'failed'],
    ]);
    expect(again.code).toBe(1);
  });

  it('stopped by Ctrl-C after its first row: exit 130, a cancelled error with the tally, the rest pending', async () => {
    const out = path.join(temp.dir, 'stopped');
    // A quick first row, then two 3D pairs that take seconds each: the second row is still
    // running when the first one's event has come and the signal follows it (a 2D second row
    // could finish first on a loaded machine, as CI found), and the third never starts.
    const brains = smallBrainPair(temp.dir);
    const rows = path.join(temp.dir, 'stopped.csv');
    const slice = data + 'BrainProtonDensitySliceBorder20.png';
    writeFileSync(rows, ['fixed,moving,name', `${slice},${data}BrainProtonDensitySliceR10X13Y17.png,rotated`, `${brains.fixed},${brains.moving},brain-a`, `${brains.fixed},${brains.moving},brain-b`].join('\n') + '\n');
    const run = await runCli(['batch', rows, '--out', out, '--jobs', '1', '--json', ...quick], { stopWhen: (e) => e.event === 'row', signal: 'SIGINT', timeoutMs: 60_000 });
    expect(run.code).toBe(130);
    const last = run.events.at(-1)!;
    expect(last).toMatchObject({ event: 'error', error: { code: 'CANCELLED' }, done: 1, failed: 0, pending: 2 });
    expect((last.error as { message: string }).message).toMatch(/^cancelled: 1 of 3 rows done, 0 failed, 2 not run; summary in /);
    expect(run.events.filter((e) => e.event === 'done')).toEqual([]);
    expect(summary(out).map((r) => [r.name, r.status])).toEqual([
      ['rotated', 'done'],
      ['brain-a', 'pending'],
      ['brain-b', 'pending'],
    ]);
    // The row that was running when the signal came left no folder behind.
    expect(existsSync(path.join(out, 'brain-a'))).toBe(false);
  });

  it('runs as a SLURM array: one task per row, and the summary lists the whole cohort', async () => {
    const out = path.join(temp.dir, 'slurm');
    const script = path.join(repoRoot, 'docs/cohorts/slurm-array.sbatch');
    for (const task of [0, 1, 2]) {
      const run = promisify(execFile)('bash', [script, manifest, out, ...quick], {
        env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task), XIMORPH: ximorphBin },
        timeout: 60_000,
      });
      if (task === 2) await expect(run).rejects.toMatchObject({ code: 1 });
      else await run;
    }
    expectCohort(out);
  });

  it("runs as a Kubernetes Indexed Job: the Job's command for each completion index", async () => {
    const out = path.join(temp.dir, 'kubernetes');
    const job = readFileSync(path.join(repoRoot, 'docs/cohorts/kubernetes-indexed-job.yaml'), 'utf8');
    const command = JSON.parse(/command: (\[.*\])/.exec(job)![1]) as string[];
    expect(command).toContain('$(JOB_COMPLETION_INDEX)');
    expect(Number(/completions: (\d+)/.exec(job)![1])).toBe(3);
    const local = (arg: string, index: number) =>
      arg === 'ximorph' ? ximorphBin : arg.replace('/data/manifest.csv', manifest).replace('/data/results', out).replace('$(JOB_COMPLETION_INDEX)', String(index));
    const exits = await Promise.all(
      [0, 1, 2].map((index) =>
        promisify(execFile)(process.execPath, [...command.map((a) => local(a, index)), ...quick], { timeout: 60_000 }).then(
          () => 0,
          (error: { code: number }) => error.code,
        ),
      ),
    );
    expect(exits).toEqual([0, 0, 1]);
    // The pods ran at once; one more run (all rows settled) writes the complete table.
    await runCli(['batch', manifest, '--out', out, '--json', ...quick], { timeoutMs: 60_000 });
    expectCohort(out);
  });

  it("shares the cores among the rows run at once, unless the user set a thread count", () => {
    const user = ['--iterations', '20'];
    expect(rowArguments({ jobs: 1, registerArguments: user }, 16)).toEqual(user);
    expect(rowArguments({ jobs: 4, registerArguments: user }, 16)).toEqual([...user, '--threads', '4']);
    expect(rowArguments({ jobs: 3, registerArguments: user }, 16)).toEqual([...user, '--threads', '5']);
    expect(rowArguments({ jobs: 8, registerArguments: user }, 2)).toEqual([...user, '--threads', '1']);
    for (const own of [['--threads', '2'], ['--set', 'threads=2']]) expect(rowArguments({ jobs: 4, registerArguments: [...user, ...own] }, 16)).toEqual([...user, ...own]);
  });

  it('refuses a bad manifest with one line naming the file and the line, and a row outside it', async () => {
    const bad = path.join(temp.dir, 'bad.csv');
    writeFileSync(bad, 'fixed,moving,name\na.nii,b.nii,x\nc.nii,,y\n');
    const run = await runCli(['batch', bad, '--out', path.join(temp.dir, 'none')]);
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe('ximorph: bad.csv, line 3: a row needs both a fixed and a moving image');
    const outside = await runCli(['batch', manifest, '--out', path.join(temp.dir, 'none'), '--row', '3']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/--row must be a row of the manifest, from 0 to 2/);
  });
});
