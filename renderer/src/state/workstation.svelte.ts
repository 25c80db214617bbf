// The workstation's state and actions: images and their roles, registration jobs and the
// result on show, inspecting the pair and its landmarks, exporting, and the command line that
// reproduces a result. Components read it and call its methods; App.svelte only lays them out.

import type { OutputItem, RegistrationOverrides, SessionRecord } from '../../../shared/contract/index';
import { defaultOutputItems, defaultPresetId, resultsFolderOf } from '../../../shared/contract/index';
import { compareFromView, compareViewOf, isSavable, workspaceOf, type Part } from './workspace-file';
import type { CompareSettings, LabelSelection, ViewerLayer } from '../viewer/layers';
import type { EngineConnection } from './engine-connection.svelte';
import type { ImageLibrary, LibraryImage, OpenableSource } from './image-library.svelte';
import { MovingAlignment } from './moving-alignment.svelte';
import type { ImageMover } from '../viewer/image-mover';
import type { Notifications } from './notifications.svelte';
import { RoleAssignment } from './roles.svelte';
import { RegistrationJobs, type RegistrationJob, type RegistrationOutcome } from './registration-jobs.svelte';
import { displayCompare, displayLayers, type RoleImages } from './display-layers';
import { SaveLocations, type SaveLocation } from './save-locations.svelte';
import { Inspection, type InspectionPair } from './inspection.svelte';
import { Landmarks } from './landmarks.svelte';
import { defaultExportFolder } from './export-folder';
import { isCancelled, type EngineError } from '../../../shared/contract/errors';
import type { RequestOptions } from '../../../shared/rpc/client';

const lastExportKey = 'ximorph.lastExportFolder';

/** A remembered setting; storage may be unavailable (a private window): then nothing is. */
function readRemembered(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function remember(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Not remembered: the next export proposes a folder by the other rules.
  }
}

export class Workstation {
  readonly engine: EngineConnection;
  readonly library: ImageLibrary;
  readonly notifications: Notifications;
  readonly assignment = new RoleAssignment();
  readonly jobs: RegistrationJobs;
  readonly locations: SaveLocations;
  readonly inspection: Inspection;
  readonly landmarks: Landmarks;
  /** The moving image moved by hand: shown there, and where its registration starts. */
  readonly alignment = new MovingAlignment(() => this.assignment.moving);
  readonly #movingImageMover = this.alignment.mover(() => this.roleImages.moving);

  /**
   * The viewer's Move and Turn tools on the moving image, as its manual alignment: offered
   * while the moving image itself is shown (a result on show shows resampled layers instead).
   */
  get imageMover(): ImageMover | null {
    return this.roleImages.moving && !this.shownResult ? this.#movingImageMover : null;
  }

  preset = $state(defaultPresetId);
  /** The user chose the preset; until then the pair's dimension chooses it. */
  presetPicked = $state(false);
  overrides = $state<RegistrationOverrides>({});
  fixedMask = $state<string | null>(null);
  movingMask = $state<string | null>(null);
  /** The registration whose layers are on show. */
  result = $state.raw<RegistrationOutcome | null>(null);
  selectedLabel = $state.raw<LabelSelection | null>(null);
  compare = $state.raw<CompareSettings | null>(null);
  exporting = $state(false);
  /** The engine machine's documents folder, where exports go when nothing better is known. */
  documentsFolder = $state('');
  /** The last folder exported to, remembered across sessions in this browser. */
  lastExport = $state<string | null>(readRemembered(lastExportKey));
  /** Whether the session is on show: what the engine kept of it, or the startup files. Until then nothing is recorded. */
  started = $state(false);

  constructor(engine: EngineConnection, library: ImageLibrary, notifications: Notifications) {
    this.engine = engine;
    this.library = library;
    this.notifications = notifications;
    this.jobs = new RegistrationJobs(engine.client, notifications);
    this.locations = new SaveLocations(engine.client);
    this.roleImages = $derived({
      fixed: this.library.byId(this.assignment.fixed),
      moving: this.library.byId(this.assignment.moving),
      fixedLabels: this.library.byId(this.assignment.fixedLabels),
      movingLabels: this.library.byId(this.assignment.movingLabels),
    });
    this.shownResult = $derived.by(() => {
      const r = this.result;
      if (!r) return null;
      const job = this.jobs.jobs.find((j) => j.jobId === r.jobId);
      if (job && (job.inputs.fixedId !== this.assignment.fixed || job.inputs.movingId !== this.assignment.moving)) return null;
      return r;
    });
    this.shownImages = $derived(this.alignment.shown(this.roleImages));
    this.layers = $derived(displayLayers(this.shownImages, this.shownResult));
    this.inspectionPair = $derived.by(() => {
      const { fixed, moving } = this.roleImages;
      return fixed && moving ? { fixed, moving, jobId: this.shownResult?.jobId ?? null } : null;
    });
    this.inspection = new Inspection(engine.client, () => this.inspectionPair);
    this.landmarks = new Landmarks(engine.client, notifications, { pair: () => this.inspectionPair, model: () => this.inspection.model, proposeArgmax: () => this.inspection.follow === 'argmax' });
    this.activeCompare = $derived(displayCompare(this.roleImages, this.shownResult, this.compare));
  }

  readonly roleImages: RoleImages<LibraryImage>;
  /** The role images as shown: the moving image (and its labels) where the manual alignment puts them. */
  readonly shownImages: RoleImages<LibraryImage>;
  /** The shown result, as long as it still belongs to the chosen fixed and moving images. */
  readonly shownResult: RegistrationOutcome | null;
  readonly layers: ViewerLayer[];
  /** The fixed and moving images and the result relating them, when both are chosen. */
  readonly inspectionPair: InspectionPair | null;
  readonly activeCompare: CompareSettings | null;

  /** Where Export proposes to write (export-folder.ts). */
  get exportFolder(): string {
    const { fixed, moving } = this.roleImages;
    return defaultExportFolder({ lastExport: this.lastExport, moving: moving?.info.source ?? 'moving', fixed: fixed?.info.source ?? 'fixed', documents: this.documentsFolder || '.' });
  }

  /** Finished registrations of this session that were never exported or saved with a workspace. */
  get unexportedResults(): number {
    return this.jobs.jobs.filter((j) => j.status === 'done' && j.jobId !== null && !j.exportedTo).length;
  }

  /**
   * Shows the session the engine kept (a reload, a second tab), or else opens the files named
   * at startup: those were opened by the first page already.
   */
  async start(): Promise<void> {
    try {
      const startup = await this.engine.start();
      this.documentsFolder = startup.documentsFolder;
      await this.jobs.loadDefaults();
      const kept = await this.engine.client.request('session.restore', {});
      if (kept.record) await this.#serially(() => this.#restore(kept.record!, kept.heldJobIds));
      else await this.open(startup.sources);
      this.started = true;
    } catch (error) {
      this.notifications.error(`Could not reach the engine: ${(error as Error).message}`);
    }
  }

  /** The session as the engine keeps it for the next page: ids, parts, jobs and the view. */
  record(): SessionRecord {
    return {
      images: this.library.images.map((image) => ({ id: image.info.id, source: image.source, part: this.#partOf(image.info.id) })),
      registration: { preset: this.preset, overrides: $state.snapshot(this.overrides) as RegistrationOverrides, presetPicked: this.presetPicked },
      jobs: this.jobs.recorded(),
      shownJobId: this.result?.jobId ?? null,
      landmarks: this.landmarks.asContract(),
      compare: this.compare ? compareViewOf(this.compare) : null,
      manualAlignment: this.alignment.asRecord(),
    };
  }

  /**
   * Sends the record whenever it changes (call inside an effect: it reads everything it
   * records), at once: a reload right after a change must find it. Changes come at the pace
   * of a person (Svelte runs the effect once for a batch of them); progress ticks change
   * nothing recorded, so they send nothing.
   */
  keepRecord(): void {
    if (!this.started) return;
    const record = this.record();
    const text = JSON.stringify(record);
    if (text === this.#recorded) return;
    this.#recorded = text;
    this.engine.client.request('session.record', { record }).catch(() => (this.#recorded = ''));
  }

  #recorded = '';

  async #restore(record: SessionRecord, heldJobIds: readonly string[]): Promise<void> {
    for (const entry of record.images) {
      const image = await this.library.fetchHeld(entry.id, entry.source);
      if (image) this.#assignPart(image.info.id, entry.part);
    }
    this.preset = record.registration.preset;
    this.presetPicked = record.registration.presetPicked ?? false;
    this.overrides = record.registration.overrides;
    this.jobs.restore(record.jobs);
    this.landmarks.replaceAll(record.landmarks);
    if (record.shownJobId && heldJobIds.includes(record.shownJobId)) {
      try {
        this.result = await this.engine.client.request('registration.fetch', { jobId: record.shownJobId });
      } catch (error) {
        this.notifications.error(`Could not show the result again: ${(error as Error).message}`);
      }
    }
    if (record.compare) this.compare = compareFromView(record.compare, this.compare);
    this.alignment.restore(record.manualAlignment);
  }

  /** Finished results registered from an image that were never written anywhere: closing it asks first. */
  unexportedResultsFrom(imageId: string): RegistrationJob[] {
    return this.jobs.jobs.filter((j) => j.status === 'done' && !j.exportedTo && Object.values(j.inputs).includes(imageId));
  }

  /** Registrations queued or running from an image: closing it asks first, and cancels them. */
  activeJobsFrom(imageId: string): RegistrationJob[] {
    return this.jobs.active.filter((j) => Object.values(j.inputs).includes(imageId));
  }

  /**
   * Closes an image, with an Undo on the notice that says so: the engine lets go of it only
   * once the notice is gone, so that the undo puts back the same image in the same part. A
   * registration from it still queued or running is cancelled: it would only fail at its end,
   * the image gone.
   */
  closeImage(id: string): void {
    const image = this.library.byId(id);
    if (!image) return;
    for (const job of this.activeJobsFrom(id)) this.jobs.cancel(job.id);
    const index = this.library.images.indexOf(image);
    const part = this.#partOf(id);
    this.assignment.forget(id);
    if (this.fixedMask === id) this.fixedMask = null;
    if (this.movingMask === id) this.movingMask = null;
    this.library.takeOut(id);
    this.notifications.push('info', `Closed ${image.info.name}`, {
      action: {
        label: 'Undo',
        run: () => {
          this.library.putBack(image, index);
          this.#assignPart(id, part);
        },
      },
      onGone: () => void this.library.release(id),
    });
  }

  /**
   * Removes a job card, with an Undo on the notice that says so; the engine lets go of its
   * result once the notice is gone. A result on show leaves the view (and comes back with Undo).
   */
  removeJob(job: RegistrationJob): void {
    const taken = this.jobs.takeOut(job.id);
    if (!taken) return;
    const wasShown = job.jobId !== null && this.result?.jobId === job.jobId;
    const shown = this.result;
    if (wasShown) this.result = null;
    this.notifications.push('info', `Removed ${job.label}${job.exportedTo ? ` (its files stay in ${job.exportedTo})` : ''}`, {
      action: {
        label: 'Undo',
        run: () => {
          this.jobs.putBack(taken.job, taken.index);
          if (wasShown) this.result = shown;
        },
      },
      onGone: () => {
        if (job.jobId) void this.engine.client.request('registration.release', { jobId: job.jobId }).catch(() => undefined);
      },
    });
  }

  #assignPart(id: string, part: Part): void {
    if (part === 'fixedMask') this.fixedMask = id;
    else if (part === 'movingMask') this.movingMask = id;
    else if (part) this.assignment.set(part, id);
  }

  /**
   * Shows a finished job's result again, with the images it registered in their parts. The
   * engine holds the last few results; an older one reopens from the folder it was exported to.
   */
  async showResult(job: RegistrationJob): Promise<void> {
    if (!job.jobId) return;
    if (!this.library.byId(job.inputs.fixedId) || !this.library.byId(job.inputs.movingId)) {
      this.notifications.error(`${job.label}: the images it registered are closed; open them again and register to see it`);
      return;
    }
    let outcome: RegistrationOutcome;
    try {
      outcome = await this.engine.client.request('registration.fetch', { jobId: job.jobId });
    } catch (error) {
      const gone = (error as EngineError).code === 'NOT_FOUND';
      if (!gone || !job.exportedTo) {
        this.notifications.error(gone ? `${job.label}: the engine keeps only the last two results, and this one was never exported; register again to see it` : (error as Error).message);
        return;
      }
      try {
        outcome = await this.engine.client.request('registration.open', { directory: job.exportedTo });
      } catch (reopenError) {
        this.notifications.error(`${job.label}: could not reopen it from ${job.exportedTo}: ${(reopenError as Error).message}`);
        return;
      }
      this.jobs.rebind(job.jobId, outcome.jobId);
    }
    for (const part of ['fixed', 'moving', 'fixedLabels', 'movingLabels'] as const) {
      const id = job.inputs[`${part}Id`];
      if (id && this.library.byId(id)) this.assignment.set(part, id);
    }
    this.result = outcome;
    this.notifications.push('info', `Showing ${job.label}: mean NCC ${outcome.report.metrics.nccAfter.toFixed(3)}`);
  }

  #loads: Promise<unknown> = Promise.resolve();

  /**
   * Runs what changes the set of images one after another: the startup files, files the user
   * opens while those still load, a workspace replacing everything. Interleaved, a workspace
   * could clear the images while a startup load was still adding them.
   */
  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#loads.then(operation, operation);
    this.#loads = run.catch(() => undefined);
    return run;
  }

  /** Loads one source after another, so that "fixed, then moving" keeps its meaning. */
  open(sources: readonly OpenableSource[]): Promise<void> {
    return this.#serially(async () => {
      for (const source of sources) {
        const image = await this.library.load(source);
        if (image) this.assignment.assign(image);
      }
    });
  }

  async loadSample(sampleId: string): Promise<void> {
    const sample = this.engine.samples.find((s) => s.id === sampleId);
    if (sample) await this.open(sample.items.map((i) => ({ kind: 'sample', sampleId, item: i.item })));
  }

  async register(): Promise<void> {
    const { fixed, moving, fixedLabels, movingLabels } = this.assignment;
    if (!fixed || !moving) return;
    const label = `${this.library.byId(moving)?.info.name} → ${this.library.byId(fixed)?.info.name}`;
    const inputs = {
      fixedId: fixed,
      movingId: moving,
      fixedLabelsId: fixedLabels ?? undefined,
      movingLabelsId: movingLabels ?? undefined,
      fixedMaskId: this.fixedMask ?? undefined,
      movingMaskId: this.movingMask ?? undefined,
    };
    const overrides = $state.snapshot(this.overrides) as RegistrationOverrides;
    const movingImage = this.library.byId(moving);
    // A manual alignment is where the registration starts.
    const start = movingImage ? this.alignment.startFrom(overrides, movingImage) : overrides;
    const outcome = await this.jobs.run(label, inputs, start, this.preset);
    if (outcome) {
      this.result = outcome;
      this.notifications.push('info', `Registered: mean NCC ${outcome.report.metrics.nccBefore.toFixed(3)} → ${outcome.report.metrics.nccAfter.toFixed(3)}`);
    }
  }

  /**
   * Writes the chosen outputs of the shown result, streaming which file is being written;
   * resolves to why it could not (a cancel among the reasons), or null. The engine writes into
   * a staging folder and renames it into place, so a cancelled export leaves the folder as it was.
   */
  async export(location: SaveLocation, items: OutputItem[], watch: RequestOptions<'registration.export'> = {}): Promise<string | null> {
    const r = this.shownResult;
    if (!r) return null;
    this.exporting = true;
    try {
      const { files } = await this.engine.client.request('registration.export', { jobId: r.jobId, directory: location.path, items, grant: location.grant }, watch);
      this.jobs.markExported(r.jobId, location.path);
      this.lastExport = location.path;
      remember(lastExportKey, location.path);
      // It stays: the user may want to find the folder. In Electron (a folder the user chose
      // in a native dialog, with its grant) the file manager can show it.
      const grant = location.grant;
      const reveal = grant ? { label: 'Show folder', run: () => void this.#reveal(location.path, grant) } : undefined;
      this.notifications.push('info', `Wrote ${files.length} files to ${location.path}`, { sticky: true, action: reveal });
      return null;
    } catch (error) {
      if (isCancelled(error)) return `Export cancelled: nothing was written to ${location.path}.`;
      return (error as Error).message;
    } finally {
      this.exporting = false;
    }
  }

  async #reveal(folder: string, grant: string): Promise<void> {
    try {
      await this.engine.client.request('files.reveal', { path: folder, grant });
    } catch (error) {
      this.notifications.error((error as Error).message);
    }
  }

  #partOf(id: string): Part {
    if (this.fixedMask === id) return 'fixedMask';
    if (this.movingMask === id) return 'movingMask';
    return this.assignment.roleOf(id);
  }

  #workspace(resultDirectory: string | null) {
    return workspaceOf({
      images: this.library.images,
      partOf: (id) => this.#partOf(id),
      preset: this.preset,
      overrides: $state.snapshot(this.overrides) as RegistrationOverrides,
      resultDirectory,
      compare: this.compare,
      landmarks: this.landmarks.asContract(),
    });
  }

  /**
   * Saves the session; the shown result is exported beside the file so that it reopens. The
   * file is saved first, without the result, so that nothing is written beside a file the
   * user chose not to replace; then again with it, once it is exported.
   */
  async saveWorkspace(location: SaveLocation): Promise<void> {
    const save = (resultDirectory: string | null, overwrite: boolean) =>
      this.engine.client.request('workspace.save', { path: location.path, workspace: this.#workspace(resultDirectory), overwrite, grant: location.grant });
    try {
      const saved = await this.locations.withConsentToReplace(location, (overwrite) => save(null, overwrite));
      if (!saved) return;
      const r = this.shownResult;
      if (r) {
        const resultDirectory = `${resultsFolderOf(saved.path)}/${r.jobId}`;
        try {
          await this.engine.client.request('registration.export', { jobId: r.jobId, directory: resultDirectory, items: [...defaultOutputItems], grant: location.grant });
          this.jobs.markExported(r.jobId, resultDirectory);
        } catch (error) {
          this.notifications.error(`Saved ${saved.path} without its result: ${(error as Error).message}`);
          return;
        }
        await save(resultDirectory, true);
      }
      const skipped = this.library.images.filter((i) => !isSavable(i)).length;
      this.workspaceFile = saved.path;
      this.notifications.push('info', `Saved ${saved.path}${skipped ? ` (${skipped} dropped file${skipped > 1 ? 's' : ''} not included: open them from disk to save them)` : ''}`);
    } catch (error) {
      this.notifications.error((error as Error).message);
    }
  }

  /** The workspace file being opened, from the moment it is asked for until its session is in place. */
  openingWorkspace = $state<string | null>(null);
  /** The workspace file last saved or opened: what the workspace dialogs propose. */
  workspaceFile = $state<string | null>(null);

  /** Replaces the session with a workspace's. */
  openWorkspace(path: string): Promise<void> {
    // Busy at once: the images it replaces stay on screen until the engine has read the file.
    this.openingWorkspace = path;
    return this.#serially(() => this.#replaceWithWorkspace(path)).finally(() => {
      if (this.openingWorkspace === path) this.openingWorkspace = null;
    });
  }

  async #replaceWithWorkspace(path: string): Promise<void> {
    let opened;
    try {
      opened = await this.engine.client.request('workspace.open', { path });
    } catch (error) {
      this.notifications.error((error as Error).message);
      return;
    }
    const { workspace } = opened;
    this.workspaceFile = opened.path;
    for (const image of [...this.library.images]) await this.library.remove(image.info.id);
    for (const role of ['fixed', 'moving', 'fixedLabels', 'movingLabels'] as const) this.assignment.set(role, null);
    this.fixedMask = this.movingMask = this.result = null;
    for (const entry of workspace.images) {
      const image = await this.library.load(entry.source, { role: entry.loadAs, volumeIndex: entry.volumeIndex });
      if (image) this.#assignPart(image.info.id, entry.part);
    }
    this.landmarks.replaceAll(workspace.landmarks ?? []);
    this.preset = workspace.registration.preset;
    this.overrides = workspace.registration.overrides;
    const shown = workspace.shownResult !== null ? workspace.results[workspace.shownResult] : undefined;
    if (shown) {
      try {
        this.result = await this.engine.client.request('registration.open', { directory: shown.directory });
      } catch (error) {
        this.notifications.error((error as Error).message);
      }
    }
    const c = workspace.view.compare;
    if (c) this.compare = compareFromView(c, this.compare);
  }

  async command(): Promise<string | null> {
    const r = this.shownResult;
    if (!r) return null;
    return (await this.engine.client.request('registration.command', { jobId: r.jobId })).command;
  }
}
