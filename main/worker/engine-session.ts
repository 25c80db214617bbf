// Everything one engine worker holds for its clients: the images, files being uploaded, the
// compute backend, the job queue, recent files, what to open at startup, and the record of
// what the UI shows, so that a reload finds it again.

import type { BackendInfo, ImageSource, SessionRecord } from '../../shared/contract/index';
import { selectComputeBackend } from '../engine/compute/backend';
import type { BackendPreference } from '../engine/compute/backend';
import { appDirectories } from '../engine/session/app-directories';
import { RecentFiles } from '../engine/session/recent-files';
import { UploadStaging } from '../engine/io/index';
import { ImageStore } from './image-store';
import { FeatureCache } from '../engine/inspection/feature-cache';
import { JobQueue } from './job-queue';
import { RegistrationStore } from './registration-store';
import packageJson from '../../package.json' with { type: 'json' };

export interface EngineSessionOptions {
  startupSources: ImageSource[];
  backend?: string;
}

export class EngineSession {
  readonly version: string = packageJson.version;
  readonly images = new ImageStore();
  /** Features of the session's images, by featurizer; released with their image. */
  readonly features = new FeatureCache();
  readonly uploads = new UploadStaging();
  readonly jobs = new JobQueue();
  readonly registrations = new RegistrationStore((evicted) => evicted.imageIds.forEach((id) => this.images.release(id)));
  readonly directories = appDirectories();
  readonly recentFiles = new RecentFiles(this.directories.config);
  readonly startupSources: ImageSource[];
  /** What the last window or tab showed: the next one to connect shows it again. */
  record: SessionRecord | null = null;
  readonly #backendPreference: BackendPreference;
  #backend: Promise<BackendInfo> | null = null;

  constructor(options: EngineSessionOptions) {
    this.startupSources = options.startupSources;
    this.#backendPreference = (options.backend ?? 'auto') as BackendPreference;
  }

  /** Starts the compute backend on first use; every report names it. */
  backend(): Promise<BackendInfo> {
    this.#backend ??= selectComputeBackend(this.#backendPreference).then((info) => ({
      name: info.name,
      detail: info.detail,
      fallbacks: [...info.fallbacks],
    }));
    return this.#backend;
  }
}
