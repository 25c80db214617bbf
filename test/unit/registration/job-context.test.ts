// One fraction for a command made of several jobs: each part's 0…1 lands in its span of the
// whole, nested parts compose, and the ETA is the whole's.
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../shared/contract/common-schemas';
import { neverCancelled } from '../../../shared/rpc/cancellation';
import { wholeJob } from '../../../main/engine/job-context';

describe('wholeJob', () => {
  it('puts each part in its span, nests parts, and names a part’s stages under its label', () => {
    const seen: Progress[] = [];
    let now = 0;
    const whole = wholeJob({ token: neverCancelled, progress: (p) => seen.push(p) }, () => now);
    const writing = whole.part(0.5, 1);
    const second = wholeJob(writing, () => now).part(0.5, 1, { stage: 'writing outputs', message: 'b.nii.gz' });
    now = 1000;
    whole.part(0, 0.5).progress({ stage: 'registering', fraction: 0.5 });
    now = 3000;
    second.progress({ stage: 'compressing', fraction: 0.5 });
    expect(seen[0]).toMatchObject({ stage: 'registering', fraction: 0.25, elapsedSeconds: 1, etaSeconds: 3 });
    expect(seen[1]).toMatchObject({ stage: 'writing outputs', message: 'b.nii.gz: compressing', fraction: 0.875 });
    expect(seen[1].etaSeconds).toBeCloseTo((3 * 0.125) / 0.875, 12);
  });

  it('keeps the caller’s cancellation and clamps a part’s fraction to its span', () => {
    const seen: number[] = [];
    const whole = wholeJob({ token: neverCancelled, progress: (p) => seen.push(p.fraction) });
    const part = whole.part(0.2, 0.4);
    expect(part.token).toBe(neverCancelled);
    part.progress({ stage: 's', fraction: 1.5 });
    part.progress({ stage: 's', fraction: -1 });
    expect(seen).toEqual([0.4, 0.2]);
  });
});
