// Ctrl-C and SIGTERM stop `ximorph register` at any stage: exit status 130, one error event,
// and nothing left behind — no result folder, no staging folder. The job runs on its own
// thread, so the signal is answered at once even in the middle of a long computation.
// (The time to exit is bounded generously here, to catch a command that ignores signals;
// `npm run bench:signals` measures it against the 1 s goal.)

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, smallBrainPair, tempFolder } from './run-cli';

describe('ximorph register stopped by a signal', () => {
  const folder = tempFolder();
  let pair: { fixed: string; moving: string };
  beforeAll(() => void (pair = smallBrainPair(folder.dir)));
  afterAll(() => folder.cleanup());

  const stages = ['checking', 'reading pixels', 'preparation', 'alignment', 'features', 'attention level 1', 'optimization', 'outputs', 'writing outputs'];
  for (const [i, stage] of stages.entries()) {
    const signal: NodeJS.Signals = i % 2 ? 'SIGTERM' : 'SIGINT';
    it(`${signal} during "${stage}": exit 130, one error event, nothing left behind`, async () => {
      const out = path.join(folder.dir, `out-${i}`);
      const run = await runCli(['register', '--fixed', pair.fixed, '--moving', pair.moving, '--out', out, '--iterations', '20', '--set', 'alignment.iterations=[20,10]', '--json'], {
        stopWhen: (e) => e.event === 'progress' && e.stage === stage,
        signal,
      });
      expect(run.signalledAt?.stage, run.stderr).toBe(stage);
      expect(run.code).toBe(130);
      expect(run.events.at(-1)).toEqual({ event: 'error', error: { code: 'CANCELLED', message: 'cancelled' } });
      expect(run.events.filter((e) => e.event !== 'progress')).toHaveLength(1);
      expect(run.stderr).toBe('');
      expect(run.secondsAfterSignal).toBeLessThan(3);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(folder.dir).filter((name) => name.startsWith('.'))).toEqual([]);
    });
  }
});
