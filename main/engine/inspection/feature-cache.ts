// A session's feature maps, one per (image, featurizer), kept because computing them is the
// slow part of every view that shows features; within a memory budget (least recently used
// go first), and dropped with their image.

import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { FeatureMap } from './feature-maps';
import { computeFeatureMap } from './feature-maps';

interface Entry {
  readonly imageId: string;
  readonly map: Promise<FeatureMap>;
  bytes: number;
  /** Derived data the views keep with the map (a PCA basis, say). */
  readonly extras: Map<string, unknown>;
}

export class FeatureCache {
  readonly #entries = new Map<string, Entry>();

  constructor(readonly budgetBytes = 1024 ** 3) {}

  /** The features of `image` by `model`, computed once. */
  async get(imageId: string, image: ScalarImage, model: string): Promise<{ map: FeatureMap; extras: Map<string, unknown> }> {
    const key = `${imageId}\u0000${model}`;
    let entry = this.#entries.get(key);
    if (entry) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    } else {
      entry = { imageId, map: computeFeatureMap(image, model), bytes: 0, extras: new Map() };
      this.#entries.set(key, entry);
      entry.map.then(
        (m) => {
          entry!.bytes = m.features.byteLength;
          this.#evict();
        },
        () => this.#entries.delete(key),
      );
    }
    return { map: await entry.map, extras: entry.extras };
  }

  get usedBytes(): number {
    let total = 0;
    for (const e of this.#entries.values()) total += e.bytes;
    return total;
  }

  release(imageId: string): void {
    for (const [key, e] of this.#entries) if (e.imageId === imageId) this.#entries.delete(key);
  }

  #evict(): void {
    for (const [key] of this.#entries) {
      if (this.usedBytes <= this.budgetBytes || this.#entries.size <= 1) return;
      this.#entries.delete(key);
    }
  }
}
