// The images the engine holds for its clients, by id. The renderer keeps its own copy for
// display; the engine's copy is what registrations read, so the pixels never travel back.

import { randomUUID } from 'node:crypto';
import type { ImageInfo } from '../../shared/contract/index';
import { EngineError } from '../../shared/contract/errors';
import type { ScalarImage } from '../../shared/image/voxel-image';

export interface StoredImage {
  readonly info: ImageInfo;
  readonly image: ScalarImage;
}

export class ImageStore {
  readonly #images = new Map<string, StoredImage>();

  add(info: Omit<ImageInfo, 'id'>, image: ScalarImage): StoredImage {
    const stored = { info: { ...info, id: randomUUID() }, image };
    this.#images.set(stored.info.id, stored);
    return stored;
  }

  get(id: string): StoredImage {
    const stored = this.#images.get(id);
    if (!stored) throw new EngineError('NOT_FOUND', `the engine no longer holds image ${id}; load it again`);
    return stored;
  }

  release(id: string): void {
    this.#images.delete(id);
  }
}
