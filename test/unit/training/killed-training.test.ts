// kill -9 during `ximorph train`, at the moment a step has just been reported (when its
// checkpoint is being written, with one checkpoint per step): the folder always holds the last
// complete checkpoint, a usable model, and `--resume` goes on from it. Killed three times and
// resumed each time, the run ends exactly where an uninterrupted run ends.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelFolder, readTrainingCheckpoint } from '../../../main/engine/training/model-files';
import { runCli, tempFolder } from '../cli/run-cli';

describe('ximorph train killed with SIGKILL', () => {
  const scratch = tempFolder('ximorph-killed-training-');
  afterAll(() => scratch.cleanup());
  const steps = 8;
  const args = (out: string) => ['train', '--out', out, '--steps', String(steps), '--checkpoint-every', '1', '--validate-every', '1000', '--threads', '1', '--json'];
  const fresh = (out: string) => [...args(out), '--synthetic', '--dims', '2', '--edge', '24', '--resolution', '8', '--batch', '1', '--samples', '64', '--seed', '3'];

  it('leaves the last complete checkpoint usable at each kill, and resumed runs end as an uninterrupted one', async () => {
    const whole = path.join(scratch.dir, 'whole');
    const uninterrupted = await runCli(fresh(whole));
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    const killed = path.join(scratch.dir, 'killed');
    let reached = 0;
    for (const [round, killAt] of [2, 4, 6].entries()) {
      const run = await runCli(round === 0 ? fresh(killed) : [...args(killed), '--resume'], {
        stopWhen: (e) => e.event === 'progress' && e.stage === 'training' && (e.iteration as number) === killAt,
        signal: 'SIGKILL',
      });
      expect(run.signal, run.stderr).toBe('SIGKILL');
      // The step reported before the kill was checkpointed already, or is being written now.
      const { state } = await readTrainingCheckpoint(killed).catch(async () => {
        // Killed between the swap's two renames: the resume puts the last set back first.
        expect(readdirSync(scratch.dir).some((name) => name.includes('killed') && name.includes('previous'))).toBe(true);
        return { state: { step: -1 } };
      });
      if (state.step >= 0) {
        expect(state.step).toBeGreaterThanOrEqual(killAt - 1);
        expect(state.step).toBeGreaterThan(reached);
        reached = state.step;
        expect((await readModelFolder(killed)).weights.length).toBeGreaterThan(0);
      }
    }
    const finished = await runCli([...args(killed), '--resume']);
    expect(finished.code, finished.stderr).toBe(0);
    expect((await readTrainingCheckpoint(killed)).state.step).toBe(steps);
    expect((await readModelFolder(killed)).weights).toEqual((await readModelFolder(whole)).weights);
    // Nothing the killed runs were writing is left beside the model.
    expect(readdirSync(scratch.dir).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(existsSync(path.join(killed, 'training', 'state.json'))).toBe(true);
  });
});
