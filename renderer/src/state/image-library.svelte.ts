// The images loaded in this session. A failed load never disturbs what is already here:
// the error goes to the notifications, naming the file and the reason.
// Loads that need a decision (a DICOM folder with several series, a 4D file) come back as
// pending choices that the UI resolves by loading again with the choice made.
// Dropped files are first sent to the engine in chunks; the engine keeps them while the user
// chooses, and removes them once they are loaded or the choice is dismissed.

import type { ContractClient } from '../../../shared/rpc/client';
import type { DicomSeries, ImageInfo, ImageRole, ImageSource, Progress } from '../../../shared/contract/index';
import type { EngineError } from '../../../shared/contract/errors';
import type { PixelArray } from '../../../shared/image/voxel-image';
import type { UploadableFile } from '../../../shared/rpc/send-upload';
import { sendUpload } from '../../../shared/rpc/send-upload';
import { withItemAt } from './list-edits';
import type { Notifications } from './notifications.svelte';

/** Files dropped on the window, still on the user's side. */
export interface DroppedFiles {
  readonly kind: 'dropped';
  readonly files: readonly UploadableFile[];
}

/** What the UI can open: anything the engine can find, or dropped files it will be sent. */
export type OpenableSource = ImageSource | DroppedFiles;

export interface LibraryImage {
  readonly info: ImageInfo;
  readonly pixels: PixelArray;
  readonly source: ImageSource;
}

export type PendingChoice =
  | { kind: 'series'; source: ImageSource; folder: string; series: DicomSeries[] }
  | { kind: 'volume'; source: ImageSource; file: string; volumes: number };

export interface LoadOptions {
  role?: ImageRole;
  volumeIndex?: number;
}

export interface LoadTask {
  id: number;
  label: string;
  progress: Progress | null;
}

export function describeSource(source: OpenableSource): string {
  switch (source.kind) {
    case 'path':
      return source.path.split(/[\\/]/).pop() ?? source.path;
    case 'dicomSeries':
      return `DICOM series in ${source.folder}`;
    case 'dropped':
      return source.files.length === 1 ? source.files[0].name : `${source.files.length} dropped files`;
    case 'upload':
      return source.seriesUid ? 'a DICOM series of dropped files' : 'dropped files';
    case 'sample':
      return `sample ${source.sampleId} (${source.item})`;
  }
}

export class ImageLibrary {
  images = $state.raw<LibraryImage[]>([]);
  tasks = $state<LoadTask[]>([]);
  choice = $state.raw<PendingChoice | null>(null);
  readonly #client: ContractClient;
  readonly #notifications: Notifications;
  #nextTask = 1;

  constructor(client: ContractClient, notifications: Notifications) {
    this.#client = client;
    this.#notifications = notifications;
  }

  byId(id: string | null | undefined): LibraryImage | undefined {
    return id ? this.images.find((i) => i.info.id === id) : undefined;
  }

  /** Loads one source; resolves to the new image, or null when it failed or needs a choice. */
  async load(source: OpenableSource, options: LoadOptions = {}): Promise<LibraryImage | null> {
    const task: LoadTask = { id: this.#nextTask++, label: describeSource(source), progress: null };
    const showProgress = (progress: Progress) => (this.tasks = this.tasks.map((t) => (t.id === task.id ? { ...t, progress } : t)));
    this.tasks = [...this.tasks, task];
    try {
      if (source.kind !== 'dropped') return await this.#loadInEngine(source, options, showProgress);
      let uploadId: string;
      try {
        uploadId = await sendUpload(this.#client, source.files, { onProgress: (fraction) => showProgress({ stage: 'uploading', fraction }) });
      } catch (error) {
        this.#notifications.error((error as Error).message);
        return null;
      }
      return await this.#loadInEngine({ kind: 'upload', uploadId }, options, showProgress);
    } finally {
      this.tasks = this.tasks.filter((t) => t.id !== task.id);
    }
  }

  async #loadInEngine(source: ImageSource, options: LoadOptions, showProgress: (progress: Progress) => void): Promise<LibraryImage | null> {
    try {
      const { info, pixels } = await this.#client.request('image.load', { source, ...options }, { onProgress: showProgress });
      const image = { info, pixels, source };
      this.images = [...this.images, image];
      for (const warning of info.warnings) this.#notifications.push('warning', `${info.name}: ${warning}`, { imageId: info.id });
      return image;
    } catch (error) {
      this.#handleFailure(source, error as EngineError);
      return null;
    }
  }

  /** An image the engine still holds, shown again (after a reload): no file is read again. */
  async fetchHeld(id: string, source: ImageSource): Promise<LibraryImage | null> {
    try {
      const { info, pixels } = await this.#client.request('image.fetch', { id });
      const image = { info, pixels, source };
      this.images = [...this.images, image];
      return image;
    } catch (error) {
      this.#notifications.error(`Could not show ${describeSource(source)} again: ${(error as Error).message}`);
      return null;
    }
  }

  #handleFailure(source: ImageSource, error: EngineError): void {
    const details = error.details ?? {};
    if (error.code === 'NEEDS_CHOICE' && Array.isArray(details.series)) {
      this.#offerChoice({ kind: 'series', source, folder: String(details.folder ?? error.file ?? ''), series: details.series as DicomSeries[] });
    } else if (error.code === 'NEEDS_CHOICE' && typeof details.volumes === 'number') {
      this.#offerChoice({ kind: 'volume', source, file: error.file ?? describeSource(source), volumes: details.volumes });
    } else {
      this.#notifications.error(error.message);
    }
  }

  #offerChoice(choice: PendingChoice): void {
    this.dismissChoice();
    this.choice = choice;
  }

  /** Takes the pending choice to act on it; its dropped files stay with the engine for the load. */
  takeChoice(): PendingChoice | null {
    const choice = this.choice;
    this.choice = null;
    return choice;
  }

  /** Drops the pending choice; the engine removes the dropped files it was keeping for it. */
  dismissChoice(): void {
    const source = this.takeChoice()?.source;
    if (source?.kind === 'upload') void this.#client.request('upload.discard', { uploadId: source.uploadId }).catch(() => undefined);
  }

  async remove(id: string): Promise<void> {
    this.takeOut(id);
    await this.release(id);
  }

  /** Takes an image off the list; the engine keeps it until `release`, so that `putBack` can undo this. */
  takeOut(id: string): void {
    this.images = this.images.filter((i) => i.info.id !== id);
    this.#notifications.dismissForImage(id);
  }

  putBack(image: LibraryImage, index: number): void {
    this.images = withItemAt(this.images, image, index);
  }

  /** The engine lets go of an image taken off the list. */
  async release(id: string): Promise<void> {
    await this.#client.request('image.release', { id }).catch(() => undefined);
  }
}
