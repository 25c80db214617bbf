// The images loaded in this session. A failed load never disturbs what is already here:
// the error goes to the notifications, naming the file and the reason.
// Loads that need a decision (a DICOM folder with several series, a 4D file) come back as
// pending choices that the UI resolves by loading again with the choice made.

import type { ContractClient } from '../../../shared/rpc/client';
import type { DicomSeries, ImageInfo, ImageRole, ImageSource, Progress } from '../../../shared/contract/index';
import type { EngineError } from '../../../shared/contract/errors';
import type { PixelArray } from '../../../shared/image/voxel-image';
import type { Notifications } from './notifications.svelte';

export interface LibraryImage {
  readonly info: ImageInfo;
  readonly pixels: PixelArray;
  readonly source: ImageSource;
}

export type PendingChoice =
  | { kind: 'series'; source: ImageSource; folder: string; series: DicomSeries[] }
  | { kind: 'volume'; source: ImageSource; file: string; volumes: number };

export interface LoadTask {
  id: number;
  label: string;
  progress: Progress | null;
}

export function describeSource(source: ImageSource): string {
  switch (source.kind) {
    case 'path':
      return source.path.split(/[\\/]/).pop() ?? source.path;
    case 'dicomSeries':
      return `DICOM series in ${source.folder}`;
    case 'upload':
      return source.files.length === 1 ? source.files[0].name : `${source.files.length} dropped files`;
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
  async load(source: ImageSource, options: { role?: ImageRole; volumeIndex?: number } = {}): Promise<LibraryImage | null> {
    const task: LoadTask = { id: this.#nextTask++, label: describeSource(source), progress: null };
    this.tasks = [...this.tasks, task];
    try {
      const { info, pixels } = await this.#client.request(
        'image.load',
        { source, ...options },
        { onProgress: (p) => (this.tasks = this.tasks.map((t) => (t.id === task.id ? { ...t, progress: p } : t))) },
      );
      const image = { info, pixels, source };
      this.images = [...this.images, image];
      for (const warning of info.warnings) this.#notifications.push('warning', `${info.name}: ${warning}`);
      return image;
    } catch (error) {
      this.#handleFailure(source, error as EngineError);
      return null;
    } finally {
      this.tasks = this.tasks.filter((t) => t.id !== task.id);
    }
  }

  #handleFailure(source: ImageSource, error: EngineError): void {
    const details = error.details ?? {};
    if (error.code === 'NEEDS_CHOICE' && Array.isArray(details.series)) {
      this.choice = { kind: 'series', source, folder: String(details.folder ?? error.file ?? ''), series: details.series as DicomSeries[] };
    } else if (error.code === 'NEEDS_CHOICE' && typeof details.volumes === 'number') {
      this.choice = { kind: 'volume', source, file: error.file ?? describeSource(source), volumes: details.volumes };
    } else {
      this.#notifications.error(error.message);
    }
  }

  async remove(id: string): Promise<void> {
    this.images = this.images.filter((i) => i.info.id !== id);
    await this.#client.request('image.release', { id }).catch(() => undefined);
  }
}
