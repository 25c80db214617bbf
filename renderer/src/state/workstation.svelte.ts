// The workstation's state and actions: images and their roles, registration jobs and the
// result on show, inspecting the pair and its landmarks, exporting, and the command line that
// reproduces a result. Components read it and call its methods; App.svelte only lays them out.

import { SvelteSet } from 'svelte/reactivity';
import type { OutputItem, RegistrationOverrides } from '../../../shared/contract/index';
import { defaultOutputItems, defaultPresetId, resultsFolderOf } from '../../../shared/contract/index';
import { isSavable, workspaceOf, type Part } from './workspace-file';
import type { CompareSettings, LabelSelection, ViewerLayer } from '../viewer/layers';
import type { EngineConnection } from './engine-connection.svelte';
import type { ImageLibrary, OpenableSource } from './image-library.svelte';
import type { Notifications } from './notifications.svelte';
import { RoleAssignment } from './roles.svelte';
import { RegistrationJobs, type RegistrationOutcome } from './registration-jobs.svelte';
import { displayCompare, displayLayers, type RoleImages } from './display-layers';
import { SaveLocations, type SaveLocation } from './save-locations.svelte';
import { Inspection, type InspectionPair } from './inspection.svelte';
import { Landmarks } from './landmarks.svelte';
import { defaultExportFolder } from './export-folder';
import { isCancelled } from '../../../shared/contract/errors';
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

  preset = $state(defaultPresetId);
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
  /** Results written somewhere (exported, or saved with a workspace): leaving loses nothing of them. */
  readonly #kept = new SvelteSet<string>();

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
    this.layers = $derived(displayLayers(this.roleImages, this.shownResult));
    this.inspectionPair = $derived.by(() => {
      const { fixed, moving } = this.roleImages;
      return fixed && moving ? { fixed, moving, jobId: this.shownResult?.jobId ?? null } : null;
    });
    this.inspection = new Inspection(engine.client, () => this.inspectionPair);
    this.landmarks = new Landmarks(engine.client, notifications, { pair: () => this.inspectionPair, model: () => this.inspection.model, proposeArgmax: () => this.inspection.follow === 'argmax' });
    this.activeCompare = $derived(displayCompare(this.roleImages, this.shownResult, this.compare));
  }

  readonly roleImages: RoleImages;
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
    return this.jobs.jobs.filter((j) => j.status === 'done' && j.jobId !== null && !this.#kept.has(j.jobId)).length;
  }

  async start(): Promise<void> {
    try {
      const startup = await this.engine.start();
      this.documentsFolder = startup.documentsFolder;
      await this.jobs.loadDefaults();
      await this.open(startup.sources);
    } catch (error) {
      this.notifications.error(`Could not reach the engine: ${(error as Error).message}`);
    }
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
    const outcome = await this.jobs.run(label, inputs, $state.snapshot(this.overrides) as RegistrationOverrides, this.preset);
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
      this.#kept.add(r.jobId);
      this.lastExport = location.path;
      remember(lastExportKey, location.path);
      // It stays: the user may want to find the folder.
      this.notifications.push('info', `Wrote ${files.length} files to ${location.path}`, { sticky: true });
      return null;
    } catch (error) {
      if (isCancelled(error)) return `Export cancelled: nothing was written to ${location.path}.`;
      return (error as Error).message;
    } finally {
      this.exporting = false;
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
          this.#kept.add(r.jobId);
        } catch (error) {
          this.notifications.error(`Saved ${saved.path} without its result: ${(error as Error).message}`);
          return;
        }
        await save(resultDirectory, true);
      }
      const skipped = this.library.images.filter((i) => !isSavable(i)).length;
      this.notifications.push('info', `Saved ${saved.path}${skipped ? ` (${skipped} dropped file${skipped > 1 ? 's' : ''} not included: open them from disk to save them)` : ''}`);
    } catch (error) {
      this.notifications.error((error as Error).message);
    }
  }

  /** Replaces the session with a workspace's. */
  openWorkspace(path: string): Promise<void> {
    return this.#serially(() => this.#replaceWithWorkspace(path));
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
    for (const image of [...this.library.images]) await this.library.remove(image.info.id);
    for (const role of ['fixed', 'moving', 'fixedLabels', 'movingLabels'] as const) this.assignment.set(role, null);
    this.fixedMask = this.movingMask = this.result = null;
    for (const entry of workspace.images) {
      const image = await this.library.load(entry.source, { role: entry.loadAs, volumeIndex: entry.volumeIndex });
      if (!image || !entry.part) continue;
      if (entry.part === 'fixedMask') this.fixedMask = image.info.id;
      else if (entry.part === 'movingMask') this.movingMask = image.info.id;
      else this.assignment.set(entry.part, image.info.id);
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
    if (c) this.compare = { fixedLayerId: 'fixed', after: [], ...(this.compare ?? {}), ...c } as CompareSettings;
  }

  async command(): Promise<string | null> {
    const r = this.shownResult;
    if (!r) return null;
    return (await this.engine.client.request('registration.command', { jobId: r.jobId })).command;
  }
}
