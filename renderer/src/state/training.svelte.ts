// Training the feature network from the Train panel: the form (from the engine's defaults and
// a preset), the one run the engine allows at a time with its live curves, and what it left.
// Pause holds the run between two steps with everything in place (the engine keeps a
// checkpoint meanwhile) and Continue goes on from the next step. Cancelling finishes the
// current step and keeps a checkpoint, which the engine confirms before the request settles
// (the run reads "stopping" meanwhile); Resume sends the same request with resume: true, and
// the engine continues from that checkpoint exactly.

import type { ContractClient } from '../../../shared/rpc/client';
import { CancellationTokenSource } from '../../../shared/rpc/cancellation';
import type { Progress, ResultOf, TrainingRequest } from '../../../shared/contract/index';
import { isCancelled } from '../../../shared/contract/errors';
import type { Notifications } from './notifications.svelte';
import type { ModelRegistry } from './model-registry.svelte';
import { LiveSeries } from './live-series.svelte';
import type { DraftCheck, TrainingDraft, TrainingPreset } from './training-draft';
import { draftFromDefaults, parentFolder, requestOf, trainingPresets, unusedName } from './training-draft';

export type TrainingResult = ResultOf<'training.run'>;
export type RunStatus = 'idle' | 'running' | 'pausing' | 'paused' | 'stopping' | 'done' | 'cancelled' | 'failed';

export class Training {
  draft = $state<TrainingDraft | null>(null);
  status = $state<RunStatus>('idle');
  /** The latest progress of the run on show. */
  progress = $state.raw<Progress | null>(null);
  readonly loss = new LiveSeries();
  readonly dice = new LiveSeries();
  /** The request of the run on show (never with resume: true), which Resume sends again. */
  request = $state.raw<TrainingRequest | null>(null);
  result = $state.raw<TrainingResult | null>(null);
  error = $state<string | null>(null);

  /** The preset the form's dimension and data match. */
  readonly preset: TrainingPreset | undefined;
  readonly check: DraftCheck;
  readonly busy: boolean;
  readonly canResume: boolean;

  readonly #client: ContractClient;
  readonly #registry: ModelRegistry;
  readonly #notifications: Notifications;
  #defaults: Partial<Record<2 | 3, TrainingRequest>> = {};
  #modelsFolder = $state('');
  /** The name the form proposed, so that a name the user typed is never replaced. */
  #proposedName = '';
  #cancel: CancellationTokenSource | null = null;

  constructor(client: ContractClient, registry: ModelRegistry, notifications: Notifications) {
    this.#client = client;
    this.#registry = registry;
    this.#notifications = notifications;
    this.preset = $derived(trainingPresets.find((p) => p.dimension === this.draft?.dimension && p.data === this.draft?.data));
    this.check = $derived(this.draft ? requestOf(this.draft, this.#modelsFolder) : { request: null, problem: 'waiting for the engine' });
    this.busy = $derived(this.status === 'running' || this.status === 'pausing' || this.status === 'paused' || this.status === 'stopping');
    this.canResume = $derived.by(() => {
      if (!this.request || this.busy) return false;
      if (this.status === 'cancelled' || this.status === 'failed') return true;
      // A run stopped by its time limit ends normally, short of its steps.
      const stepsDone = (this.result?.model.card?.training as { steps?: number } | undefined)?.steps;
      return this.status === 'done' && stepsDone !== undefined && stepsDone < this.request.steps;
    });
  }

  /** Where the user's models live: a run's model is written there, so it joins the registry. */
  get modelsFolder(): string {
    return this.#modelsFolder;
  }

  async loadDefaults(): Promise<void> {
    const [two, three] = await Promise.all([2, 3].map((dimension) => this.#client.request('training.defaults', { dimension: dimension as 2 | 3 })));
    this.#defaults = { 2: two.request, 3: three.request };
    this.#modelsFolder = parentFolder(two.request.out);
    this.applyPreset(this.preset?.id ?? 'synthetic-2d');
  }

  /** Starts the form again from the engine's defaults for the preset; paths and a typed name stay. */
  applyPreset(id: string): void {
    const preset = trainingPresets.find((p) => p.id === id);
    const defaults = preset && this.#defaults[preset.dimension];
    if (!preset || !defaults) return;
    const old = this.draft;
    const keep = old ? { folder: old.folder, atlas: old.atlas, validationImage: old.validationImage, validationLabels: old.validationLabels } : {};
    const draft = draftFromDefaults(defaults, preset, keep);
    if (old && old.name !== this.#proposedName) draft.name = old.name;
    else draft.name = this.#proposedName = unusedName(draft.name, this.#registry.models.map((m) => m.name));
    this.draft = draft;
  }

  /** Another dimension has other sizes: its defaults replace the numbers. */
  setDimension(dimension: 2 | 3): void {
    const preset = trainingPresets.find((p) => p.dimension === dimension && p.data === this.draft?.data);
    if (preset) this.applyPreset(preset.id);
  }

  start(): Promise<void> {
    const request = this.check.request;
    return request ? this.#run(request, false) : Promise.resolve();
  }

  resume(): Promise<void> {
    return this.request ? this.#run(this.request, true) : Promise.resolve();
  }

  /** Holds the run after the current step ("pausing" until the engine says it holds). */
  async pause(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'pausing';
    await this.#setPaused(true);
  }

  /** Goes on from the step where the run was paused. */
  async continue(): Promise<void> {
    if (this.status !== 'paused' && this.status !== 'pausing') return;
    this.status = 'running';
    await this.#setPaused(false);
  }

  /** Stops after the current step (or where paused); the engine writes a checkpoint before the run ends. */
  cancel(): void {
    if (this.status !== 'running' && this.status !== 'pausing' && this.status !== 'paused') return;
    this.status = 'stopping';
    this.#cancel?.cancel();
  }

  async #setPaused(paused: boolean): Promise<void> {
    try {
      await this.#client.request('training.pause', { paused });
    } catch (error) {
      // The run may have ended meanwhile: its own outcome then says so.
      if (this.busy) this.#notifications.error(`Could not ${paused ? 'pause' : 'continue'} the run: ${(error as Error).message}`);
    }
  }

  async #run(request: TrainingRequest, resume: boolean): Promise<void> {
    if (this.busy) return;
    const cancel = (this.#cancel = new CancellationTokenSource());
    this.request = request;
    this.status = 'running';
    this.progress = null;
    this.result = null;
    this.error = null;
    if (!resume) {
      this.loss.clear();
      this.dice.clear();
    }
    try {
      this.result = await this.#client.request('training.run', { ...request, resume }, { token: cancel.token, onProgress: (p) => this.#show(p) });
      this.status = 'done';
      this.#notifications.push('info', `Trained ${this.result.model.name}: it is in the model list`);
    } catch (error) {
      if (isCancelled(error)) this.status = 'cancelled';
      else {
        this.status = 'failed';
        this.error = (error as Error).message;
        this.#notifications.error(`Training failed: ${this.error}`);
      }
    } finally {
      this.#cancel = null;
      // A finished, stopped or failed run may all have left a model (a checkpoint is one).
      await this.#registry.refresh().catch(() => undefined);
      this.#proposeNextName();
    }
  }

  #show(p: Progress): void {
    this.progress = p;
    // The engine confirms a pause when the run holds (after the step it was in).
    if (p.stage === 'paused' && this.status === 'pausing') this.status = 'paused';
    const step = p.iteration;
    if (p.stage !== 'training' || step === undefined || !p.metrics) return;
    // A run validated where it stopped reports its last step twice; a curve takes it once.
    if (p.metrics.loss !== undefined && step > (this.loss.lastX ?? -1)) this.loss.push(step, p.metrics.loss);
    if (p.metrics.validationDice !== undefined && step > (this.dice.lastX ?? -1)) this.dice.push(step, p.metrics.validationDice);
  }

  /** After a run, a name the form proposed moves on, so that the next run makes a new model. */
  #proposeNextName(): void {
    if (!this.draft || this.draft.name !== this.#proposedName) return;
    this.draft.name = this.#proposedName = unusedName(this.#proposedName, this.#registry.models.map((m) => m.name));
  }
}
