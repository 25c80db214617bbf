// What every long engine function receives: a way to stop and a way to say how it goes.
// Stages carry weights so that one overall fraction and an ETA can be derived.

import type { Progress } from '../../shared/contract/common-schemas';
import type { CancellationToken } from '../../shared/rpc/cancellation';
import { neverCancelled, throwIfCancelled } from '../../shared/rpc/cancellation';

export interface JobContext {
  readonly token: CancellationToken;
  progress(update: Progress): void;
}

export const silentJob: JobContext = { token: neverCancelled, progress: () => {} };

export interface StageReport {
  iteration?: number;
  message?: string;
  metrics?: Record<string, number>;
}

export interface StagedProgress {
  /** Enter a stage; fractions reported afterwards are within this stage. */
  begin(stage: string): void;
  /** Report progress within the current stage; throws if the job was cancelled. */
  update(fraction: number, report?: StageReport): void;
  /** Seconds spent per stage so far, for reports. */
  readonly timings: Record<string, number>;
}

/**
 * Splits a job into weighted stages. The overall fraction is the weighted sum; the ETA
 * extrapolates elapsed time by the remaining fraction. Updates are throttled so that a
 * tight loop does not flood the transport.
 */
export function stagedProgress(
  context: JobContext,
  weights: Record<string, number>,
  clock: () => number = () => performance.now(),
): StagedProgress {
  const total = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
  const order = Object.keys(weights);
  const start = clock();
  const timings: Record<string, number> = {};
  let current = '';
  let stageStart = start;
  let lastSent = -Infinity;

  const doneBefore = (stage: string) => {
    let w = 0;
    for (const name of order) {
      if (name === stage) break;
      w += weights[name];
    }
    return w;
  };

  const send = (fraction: number, report: StageReport = {}, force = false) => {
    const now = clock();
    if (!force && now - lastSent < 100) return;
    lastSent = now;
    const overall = Math.min(1, Math.max(0, (doneBefore(current) + (weights[current] ?? 0) * fraction) / total));
    const elapsedSeconds = (now - start) / 1000;
    const etaSeconds = overall > 0.02 ? (elapsedSeconds * (1 - overall)) / overall : undefined;
    context.progress({ stage: current, fraction: overall, elapsedSeconds, etaSeconds, ...report });
  };

  return {
    begin(stage) {
      throwIfCancelled(context.token);
      const now = clock();
      if (current) timings[current] = (now - stageStart) / 1000;
      current = stage;
      stageStart = now;
      send(0, {}, true);
    },
    update(fraction, report) {
      throwIfCancelled(context.token);
      timings[current] = (clock() - stageStart) / 1000;
      send(fraction, report, fraction >= 1);
    },
    timings,
  };
}
