// Registration jobs as the user sees them: queued, running (with stage, fraction, ETA and a
// live similarity curve), then done, failed or cancelled. Jobs queue in the engine; here each
// keeps its own progress. A cancelled or failed job never shows a result.

import type { ContractClient } from '../../../shared/rpc/client';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import type {
  JobSummary,
  Progress,
  RecordedJob,
  RegistrationInputIds,
  RegistrationOverrides,
  RegistrationParametersData,
  ResultOf,
} from '../../../shared/contract/index';
import { isCancelled } from '../../../shared/contract/errors';
import type { EngineError } from '../../../shared/contract/errors';
import type { Notifications } from './notifications.svelte';
import { withItemAt } from './list-edits';

export type RegistrationOutcome = ResultOf<'registration.run'>;
export type Preset = ResultOf<'registration.defaults'>['presets'][number];

export interface RegistrationJob {
  readonly id: number;
  readonly label: string;
  readonly inputs: RegistrationInputIds;
  readonly preset?: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: Progress | null;
  /** The similarity value at each reported optimization step: the live curve. */
  curve: number[];
  /** The engine's id of the finished registration. */
  jobId: string | null;
  summary: JobSummary | null;
  error: string | null;
  /** The folder its outputs were last written to: leaving the page loses nothing of it, and it reopens from there. */
  exportedTo?: string;
}

/** What a job card says of a finished registration. */
function summaryOf({ report }: RegistrationOutcome): JobSummary {
  const { metrics } = report;
  return {
    seconds: report.totalSeconds,
    backend: report.backend.name,
    nccAfter: metrics.nccAfter,
    foldPercent: metrics.foldPercent,
    ...(metrics.diceAfter ? { diceAfter: metrics.diceAfter.mean } : {}),
  };
}

export class RegistrationJobs {
  jobs = $state<RegistrationJob[]>([]);
  defaults = $state.raw<RegistrationParametersData | null>(null);
  presets = $state.raw<Preset[]>([]);
  readonly #client: ContractClient;
  readonly #notifications: Notifications;
  // Bookkeeping, not display state: nothing renders from it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #cancels = new Map<number, CancellationTokenSource>();
  #next = 1;

  constructor(client: ContractClient, notifications: Notifications) {
    this.#client = client;
    this.#notifications = notifications;
  }

  async loadDefaults(): Promise<void> {
    const { parameters, presets } = await this.#client.request('registration.defaults', {});
    this.defaults = parameters;
    this.presets = presets;
  }

  #update(id: number, patch: Partial<RegistrationJob>): void {
    this.jobs = this.jobs.map((j) => (j.id === id ? { ...j, ...patch } : j));
  }

  async run(label: string, inputs: RegistrationInputIds, overrides: RegistrationOverrides, preset?: string): Promise<RegistrationOutcome | null> {
    const id = this.#next++;
    const cancel = new CancellationTokenSource();
    this.#cancels.set(id, cancel);
    this.jobs = [...this.jobs, { id, label, inputs, preset, status: 'queued', progress: null, curve: [], jobId: null, summary: null, error: null }];
    try {
      const outcome = await this.#client.request(
        'registration.run',
        { inputs, overrides, preset },
        {
          token: cancel.token,
          onProgress: (p) => {
            const job = this.jobs.find((j) => j.id === id);
            if (!job || cancel.token.isCancellationRequested) return;
            const similarity = p.metrics?.similarity;
            this.#update(id, {
              status: p.stage === 'queued' ? 'queued' : 'running',
              progress: p,
              curve: similarity !== undefined ? [...job.curve, similarity] : job.curve,
            });
          },
        },
      );
      // The images stay with whoever shows them (the workstation); a job keeps its summary.
      this.#update(id, {
        status: 'done',
        jobId: outcome.jobId,
        summary: summaryOf(outcome),
        progress: null,
      });
      return outcome;
    } catch (error) {
      if (isCancelled(error)) this.#update(id, { status: 'cancelled', progress: null });
      else {
        const message = (error as EngineError).message;
        this.#update(id, { status: 'failed', error: message, progress: null });
        this.#notifications.error(`Registration failed: ${message}`);
      }
      return null;
    } finally {
      this.#cancels.delete(id);
    }
  }

  /**
   * The jobs, as the engine keeps them for the next reload or tab. A page that goes away cancels
   * what it was running, so a job still queued or running is kept as stopped: a reload used to
   * find no card for it at all.
   */
  recorded(): RecordedJob[] {
    return this.jobs.map((j) =>
      j.status === 'queued' || j.status === 'running'
        ? { label: j.label, inputs: j.inputs, preset: j.preset, status: 'cancelled', jobId: null, summary: null, error: 'stopped: its page was reloaded or closed while it ran' }
        : { label: j.label, inputs: j.inputs, preset: j.preset, status: j.status, jobId: j.jobId, summary: j.summary, error: j.error, ...(j.exportedTo ? { exportedTo: j.exportedTo } : {}) },
    );
  }

  /** Registrations queued or running. */
  get active(): RegistrationJob[] {
    return this.jobs.filter((j) => j.status === 'queued' || j.status === 'running');
  }

  /** The job cards of an earlier page of this session. */
  restore(recorded: readonly RecordedJob[]): void {
    this.jobs = recorded.map((r) => ({ ...r, id: this.#next++, progress: null, curve: [] }));
  }

  /** Takes a finished job's card off the list; `putBack` undoes it. */
  takeOut(id: number): { job: RegistrationJob; index: number } | null {
    const index = this.jobs.findIndex((j) => j.id === id);
    if (index < 0) return null;
    const job = this.jobs[index];
    this.jobs = this.jobs.filter((j) => j.id !== id);
    return { job, index };
  }

  putBack(job: RegistrationJob, index: number): void {
    this.jobs = withItemAt(this.jobs, job, index);
  }

  /** A result's outputs were written to `folder`. */
  markExported(jobId: string, folder: string): void {
    this.jobs = this.jobs.map((j) => (j.jobId === jobId ? { ...j, exportedTo: folder } : j));
  }

  /** A result reopened from its folder is held again, under a new id. */
  rebind(oldJobId: string, newJobId: string): void {
    this.jobs = this.jobs.map((j) => (j.jobId === oldJobId ? { ...j, jobId: newJobId } : j));
  }

  cancel(id: number): void {
    this.#cancels.get(id)?.cancel();
    // The job reads as cancelled at once; the engine stops within its next step.
    this.#update(id, { status: 'cancelled', progress: null });
  }
}
