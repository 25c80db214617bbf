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

/** The time left, extrapolated from the time spent; none before 2 % is done (too early to tell). */
function etaSecondsAt(elapsedSeconds: number, fraction: number): number | undefined {
  return fraction > 0.02 ? (elapsedSeconds * (1 - fraction)) / fraction : undefined;
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
    context.progress({ stage: current, fraction: overall, elapsedSeconds, etaSeconds: etaSecondsAt(elapsedSeconds, overall), ...report });
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

/** How a part's own stages show in the whole: under one stage, with the part's stage in the message. */
export interface PartLabel {
  readonly stage: string;
  readonly message: string;
}

/**
 * A command made of several jobs (read the inputs, register, write the outputs) shows one
 * fraction that only grows: each part's fractions 0…1 land in its span [from, to] of the whole,
 * and the ETA is the whole's, extrapolated from when the command began. Parts nest: the
 * outermost whole's fraction and ETA are the ones reported.
 */
export function wholeJob(context: JobContext, clock: () => number = () => performance.now()) {
  const start = clock();
  return {
    part(from: number, to: number, label?: PartLabel): JobContext {
      return {
        token: context.token,
        progress(update) {
          const fraction = from + (to - from) * Math.min(1, Math.max(0, update.fraction));
          const elapsedSeconds = (clock() - start) / 1000;
          const named = label ? { ...update, stage: label.stage, message: `${label.message}: ${update.message ?? update.stage}` } : update;
          context.progress({ ...named, fraction, elapsedSeconds, etaSeconds: etaSecondsAt(elapsedSeconds, fraction) });
        },
      };
    },
  };
}
