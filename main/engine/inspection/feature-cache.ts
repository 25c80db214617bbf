// A session's feature maps, one per (image, featurizer), kept because computing them is the
// slow part of every view that shows features; within a memory budget (least recently used
// go first), and dropped with their image.

import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { FeatureMap } from './feature-maps';
import { computeFeatureMap } from './feature-maps';

interface Entry {
  readonly imageId: string;
  readonly map: Promise<FeatureMap>;
  /** The map's bytes and those of what was derived from it. */
  bytes: number;
  /** Data the views derive from the map (a PCA basis, attention's keys), kept with it. */
  readonly derived: Map<string, unknown>;
}

/** What a view derives from a feature map once: made on first use, kept and counted with the map. */
export type Derive = <T>(name: string, make: () => T, bytesOf?: (value: T) => number) => T;

export class FeatureCache {
  readonly #entries = new Map<string, Entry>();

  constructor(readonly budgetBytes = 1024 ** 3) {}

  /** The features of `image` by `model`, computed once. */
  async get(imageId: string, image: ScalarImage, model: string): Promise<{ map: FeatureMap; derive: Derive }> {
    const key = `${imageId}\u0000${model}`;
    let entry = this.#entries.get(key);
    if (entry) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    } else {
      entry = { imageId, map: computeFeatureMap(image, model), bytes: 0, derived: new Map() };
      this.#entries.set(key, entry);
      entry.map.then(
        (m) => {
          entry!.bytes = m.features.byteLength;
          this.#evict();
        },
        () => this.#entries.delete(key),
      );
    }
    const map = await entry.map;
    const kept = entry;
    const derive: Derive = (name, make, bytesOf) => {
      if (kept.derived.has(name)) return kept.derived.get(name) as ReturnType<typeof make>;
      const value = make();
      kept.derived.set(name, value);
      kept.bytes += bytesOf?.(value) ?? 0;
      this.#evict();
      return value;
    };
    return { map, derive };
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
