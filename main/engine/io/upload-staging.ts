// Files the user dropped in the UI arrive in chunks (see shared/contract/upload-channels.ts).
// ITK reads files, so each upload gets a private folder (mode 0700) in which every chunk is
// written at its place as it arrives: nothing here holds a whole file in memory. An upload
// is removed when it is loaded, when it is discarded, when the client that sent it goes away,
// and when nobody has touched it for a while (a tab that stopped in the middle).

import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineError, badInput } from '../../../shared/contract/errors';

const GiB = 1024 ** 3;

export interface UploadLimits {
  /** The largest file one may drop; bigger ones are opened from disk. */
  readonly fileBytes: number;
  /** All the files of one upload together (a DICOM series, say). */
  readonly uploadBytes: number;
  /** Everything staged at once, over all uploads and clients: the disk the engine may fill. */
  readonly stagedBytes: number;
  /** An upload that nobody touches for this long is removed. */
  readonly idleMs: number;
}

/** Two GiB per file is what itk-wasm can read anyway (see image-size-limits.ts). */
export const defaultUploadLimits: UploadLimits = { fileBytes: 2 * GiB, uploadBytes: 4 * GiB, stagedBytes: 8 * GiB, idleMs: 10 * 60_000 };

export interface StagedFile {
  readonly path: string;
  /** The name the user knows the file by. */
  readonly name: string;
}

/** A complete upload, as loaders see it: its files, in a folder of their own. */
export interface StagedUpload {
  readonly folder: string;
  readonly files: readonly StagedFile[];
}

interface UploadingFile extends StagedFile {
  readonly size: number;
  /** Bytes accepted so far; chunks of a file arrive in order. */
  received: number;
}

interface Upload extends StagedUpload {
  readonly id: string;
  readonly owner: object;
  readonly files: UploadingFile[];
  readonly declaredBytes: number;
  /** The chunk writes, one after another; never rejects (a failure is kept in `failure`). */
  writes: Promise<void>;
  failure?: EngineError;
  /** Being loaded: removal waits until the load is done. */
  busy: boolean;
  discarded: boolean;
  idle: NodeJS.Timeout;
}

function formatSize(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** A name that cannot escape the staging folder, keeping the extension readers need. */
function safeName(name: string, index: number): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[^\w.+-]/g, '_');
  return base && base !== '.' && base !== '..' ? base : `upload-${index}`;
}

/** Staged names, unique even where two dropped files share a name (DICOM slices from two folders). */
function stagedNames(files: readonly { name: string }[]): string[] {
  const used = new Set<string>();
  return files.map((file, i) => {
    let name = safeName(file.name, i);
    if (used.has(name)) name = `${i}-${name}`;
    used.add(name);
    return name;
  });
}

async function writeAt(file: string, bytes: Uint8Array, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (let done = 0; done < bytes.byteLength; ) done += (await handle.write(bytes, done, bytes.byteLength - done, offset + done)).bytesWritten;
  } finally {
    await handle.close();
  }
}

const goneError = () => new EngineError('NOT_FOUND', 'the upload is gone (it was loaded, cancelled, or left unfinished too long); drop the files again');

/** The uploads of one engine session. Owners are the clients' connections. */
export class UploadStaging {
  readonly #uploads = new Map<string, Upload>();
  readonly #root: string;
  readonly #limits: UploadLimits;

  constructor(options: { root?: string; limits?: Partial<UploadLimits> } = {}) {
    this.#root = options.root ?? os.tmpdir();
    this.#limits = { ...defaultUploadLimits, ...options.limits };
  }

  /** Checks the announced sizes against the limits and makes the files, empty; returns the upload's id. */
  async begin(files: readonly { name: string; size: number }[], owner: object): Promise<string> {
    const limits = this.#limits;
    if (files.length === 0) throw new EngineError('BAD_INPUT', 'the upload holds no files');
    const tooBig = files.find((f) => f.size > limits.fileBytes);
    if (tooBig) throw badInput(tooBig.name, `it is ${formatSize(tooBig.size)}, more than the ${formatSize(limits.fileBytes)} a dropped file may have; open it through Open instead`);
    const declaredBytes = files.reduce((sum, f) => sum + f.size, 0);
    const label = files.length === 1 ? files[0].name : `${files.length} dropped files`;
    if (declaredBytes > limits.uploadBytes)
      throw badInput(label, `together they are ${formatSize(declaredBytes)}, more than the ${formatSize(limits.uploadBytes)} one drop may have; open them through Open instead`);
    const staged = [...this.#uploads.values()].reduce((sum, u) => sum + u.declaredBytes, 0);
    if (staged + declaredBytes > limits.stagedBytes)
      throw badInput(label, `${formatSize(staged)} of dropped files are still waiting to be loaded; wait for them, or open these through Open instead`);

    // Registered before the first await, so that concurrent begins see each other's sizes.
    const id = randomBytes(12).toString('base64url');
    const folder = path.join(this.#root, `ximorph-upload-${id}`);
    const names = stagedNames(files);
    const upload: Upload = {
      id,
      owner,
      folder,
      files: files.map((f, i) => ({ name: f.name, path: path.join(folder, names[i]), size: f.size, received: 0 })),
      declaredBytes,
      writes: Promise.resolve(),
      busy: false,
      discarded: false,
      // A load in progress is activity; removal of an idle upload waits for it.
      idle: setTimeout(() => (upload.busy ? upload.idle.refresh() : void this.#remove(upload)), limits.idleMs).unref(),
    };
    this.#uploads.set(id, upload);
    try {
      await mkdir(folder, { mode: 0o700 });
      for (const file of upload.files) await writeFile(file.path, new Uint8Array(0), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      await this.#remove(upload);
      throw new EngineError('FAILED', `${label}: could not make room to receive them (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    return id;
  }

  /** Writes one chunk where it belongs; resolves once it is on disk. */
  async write(id: string, owner: object, fileIndex: number, offset: number, bytes: Uint8Array): Promise<void> {
    const upload = this.#find(id, owner);
    const file = upload.files[fileIndex];
    if (!file) throw new EngineError('INVALID_MESSAGE', `the upload has no file number ${fileIndex}`);
    if (upload.failure) throw upload.failure;
    if (upload.busy) throw new EngineError('INVALID_MESSAGE', `${file.name}: bytes arrived while the upload was being loaded`);
    if (offset !== file.received) throw new EngineError('INVALID_MESSAGE', `${file.name}: expected the bytes from ${file.received}, not from ${offset}`);
    if (offset + bytes.byteLength > file.size) throw new EngineError('INVALID_MESSAGE', `${file.name}: more bytes arrived than the ${file.size} announced`);
    file.received += bytes.byteLength;
    upload.idle.refresh();
    upload.writes = upload.writes.then(async () => {
      if (upload.failure || upload.discarded) return;
      try {
        await writeAt(file.path, bytes, offset);
      } catch (error) {
        upload.failure = new EngineError('FAILED', `${file.name}: could not be received (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: file.name });
      }
    });
    await upload.writes;
    if (upload.failure) throw upload.failure;
  }

  /**
   * Runs `use` on the complete upload, then removes it: a load takes its upload, whatever the
   * outcome, except when the engine needs the user to choose (a series, a volume) first.
   */
  async consume<T>(id: string, owner: object, use: (upload: StagedUpload) => Promise<T>): Promise<T> {
    const upload = this.#find(id, owner);
    if (upload.busy) throw new EngineError('FAILED', 'these dropped files are already being loaded');
    upload.busy = true;
    let keep = false;
    try {
      await upload.writes;
      if (upload.failure) throw upload.failure;
      const short = upload.files.find((f) => f.received < f.size);
      if (short) throw badInput(short.name, `only ${short.received} of its ${short.size} bytes arrived; drop it again`);
      return await use(upload);
    } catch (error) {
      keep = error instanceof EngineError && error.code === 'NEEDS_CHOICE';
      throw error;
    } finally {
      upload.busy = false;
      if (keep && !upload.discarded) upload.idle.refresh();
      else await this.#remove(upload);
    }
  }

  /** Removes an upload (at once, or when the load using it ends). Unknown ids are already gone. */
  async discard(id: string, owner: object): Promise<void> {
    const upload = this.#uploads.get(id);
    if (upload?.owner === owner) await this.#removeUnlessBusy(upload);
  }

  /** Removes everything a client uploaded: it has gone away. */
  async discardAll(owner: object): Promise<void> {
    await Promise.all([...this.#uploads.values()].filter((u) => u.owner === owner).map((u) => this.#removeUnlessBusy(u)));
  }

  /** Uploads held now: for tests and diagnostics. */
  get size(): number {
    return this.#uploads.size;
  }

  #find(id: string, owner: object): Upload {
    const upload = this.#uploads.get(id);
    if (!upload || upload.owner !== owner || upload.discarded) throw goneError();
    return upload;
  }

  async #removeUnlessBusy(upload: Upload): Promise<void> {
    upload.discarded = true;
    if (!upload.busy) await this.#remove(upload);
  }

  async #remove(upload: Upload): Promise<void> {
    upload.discarded = true;
    clearTimeout(upload.idle);
    if (this.#uploads.get(upload.id) !== upload) return;
    this.#uploads.delete(upload.id);
    await upload.writes;
    // Never rejects: a folder that cannot be removed is left to the system's temp cleanup,
    // and timers and closing connections call this with nobody to tell.
    await rm(upload.folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
