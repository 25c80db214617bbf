// The engine's feature cache: a map is computed once per (image, featurizer); what views derive
// from it (attention's keys, a PCA basis) is made once, kept with it and counted in its budget,
// and everything goes with the image or when the budget is exceeded.

import { beforeAll, describe, expect, it } from 'vitest';
import { selectComputeBackend } from '../../../main/engine/compute/backend';
import { FeatureCache } from '../../../main/engine/inspection/feature-cache';
import { attentionKeys } from '../../../main/engine/inspection/point-match';
import type { ScalarImage } from '../../../shared/image/voxel-image';

const ramp = (n: number): ScalarImage => ({
  grid: { size: [n, n, n], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
  pixels: Float32Array.from({ length: n ** 3 }, (_, i) => (i % n) + ((i / n) | 0) % n),
});

describe('the feature cache', () => {
  beforeAll(async () => {
    await selectComputeBackend('cpu');
  });

  it('computes a map once and derives from it once, counting what is derived', async () => {
    const cache = new FeatureCache();
    const image = ramp(24);
    const first = await cache.get('a', image, 'mind-ssc');
    const mapBytes = cache.usedBytes;
    expect(mapBytes).toBe(first.map.features.byteLength);
    let made = 0;
    const keys = first.derive('attention keys', () => (made++, attentionKeys(first.map)), (k) => k.byteLength);
    const again = await cache.get('a', image, 'mind-ssc');
    expect(again.map).toBe(first.map);
    expect(again.derive('attention keys', () => (made++, attentionKeys(again.map)), (k) => k.byteLength)).toBe(keys);
    expect(made).toBe(1);
    expect(cache.usedBytes).toBe(mapBytes + keys.byteLength);
    // The keys hold the features again as channel planes, ½|k|², the world points (x, y and z
    // planes), the logits and the heatmap's bytes, all in the match kernel's memory: counted
    // whole, with its padding and its 64 KiB pages.
    const voxels = first.map.features.length / first.map.channels;
    const held = voxels * ((first.map.channels + 5) * 4 + 1);
    expect(keys.byteLength).toBeGreaterThanOrEqual(held);
    expect(keys.byteLength).toBeLessThan(held + 64 * 4 * (first.map.channels + 5) + 2 * 65536);
    cache.release('a');
    expect(cache.usedBytes).toBe(0);
  });

  it('lets the least recently used map go, with what was derived from it, once over budget', async () => {
    const probe = new FeatureCache();
    const small = ramp(16);
    const one = await probe.get('x', small, 'intensity');
    const keysBytes = one.derive('attention keys', () => attentionKeys(one.map), (k) => k.byteLength).byteLength;
    const entryBytes = one.map.features.byteLength + keysBytes;
    // Room for one map with its keys and a bare second map, not for two with keys.
    const cache = new FeatureCache(entryBytes + one.map.features.byteLength);
    const a = await cache.get('a', small, 'intensity');
    a.derive('attention keys', () => attentionKeys(a.map), (k) => k.byteLength);
    const b = await cache.get('b', small, 'intensity');
    expect(cache.usedBytes).toBe(entryBytes + b.map.features.byteLength);
    b.derive('attention keys', () => attentionKeys(b.map), (k) => k.byteLength);
    // 'a' was used least recently: it goes, with its keys.
    expect(cache.usedBytes).toBe(entryBytes);
    let recomputed = false;
    const c = await cache.get('a', small, 'intensity');
    c.derive('attention keys', () => ((recomputed = true), attentionKeys(c.map)));
    expect(recomputed).toBe(true);
  });
});
