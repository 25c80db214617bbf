// The images the engine holds for its clients, by id. The renderer keeps its own copy for
// display; the engine's copy is what registrations read, so the pixels never travel back.

import { randomUUID } from 'node:crypto';
import type { ImageInfo } from '../../shared/contract/index';
import { EngineError } from '../../shared/contract/errors';
import type { ScalarImage } from '../../shared/image/voxel-image';
import type { CommandImage } from '../engine/registration-job/reproduce-command';

export interface StoredImage {
  readonly info: ImageInfo;
  readonly image: ScalarImage;
  /** How the command line names it again, where it can (not for uploads or computed images). */
  readonly origin?: CommandImage;
}

/**
 * The image in memory of its own. Held images go to the UI, and Electron's IPC does not carry
 * shared memory: a result computed on the kernel threads (dense-outputs.ts) is copied once.
 */
function inOwnMemory(image: ScalarImage): ScalarImage {
  return image.pixels.buffer instanceof SharedArrayBuffer ? { ...image, pixels: image.pixels.slice() } : image;
}

export class ImageStore {
  readonly #images = new Map<string, StoredImage>();

  add(info: Omit<ImageInfo, 'id'>, image: ScalarImage, origin?: CommandImage): StoredImage {
    const stored = { info: { ...info, id: randomUUID() }, image: inOwnMemory(image), origin };
    this.#images.set(stored.info.id, stored);
    return stored;
  }

  get(id: string): StoredImage {
    const stored = this.#images.get(id);
    if (!stored) throw new EngineError('NOT_FOUND', `the engine no longer holds image ${id}; load it again`);
    return stored;
  }

  has(id: string): boolean {
    return this.#images.has(id);
  }

  release(id: string): void {
    this.#images.delete(id);
  }
}
