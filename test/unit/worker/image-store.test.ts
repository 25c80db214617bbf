// The engine's image store holds what the UI is sent: Electron's IPC does not carry shared
// memory, so an image on a SharedArrayBuffer (a registration's outputs, computed on the kernel
// threads) is kept as a copy in memory of its own, and an ordinary one as it is.

import { describe, expect, it } from 'vitest';
import { ImageStore } from '../../../main/worker/image-store';
import type { ImageInfo } from '../../../shared/contract/index';

const grid = { size: [3, 2], spacing: [1, 1], origin: [0, 0], direction: [1, 0, 0, 1] };
const info = { name: 'warped' } as unknown as Omit<ImageInfo, 'id'>;

describe('the image store', () => {
  it('keeps a shared image as a copy in memory of its own, with the same values', () => {
    const pixels = new Int16Array(new SharedArrayBuffer(12));
    pixels.set([1, -2, 3, 4, 5, 6]);
    const stored = new ImageStore().add(info, { grid, pixels });
    expect(stored.image.pixels).toBeInstanceOf(Int16Array);
    expect(stored.image.pixels.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(stored.image.pixels)).toEqual([1, -2, 3, 4, 5, 6]);
    expect(stored.image.grid).toBe(grid);
  });

  it('keeps an ordinary image as it is', () => {
    const pixels = Float32Array.from([0.5, 1, 2, 3, 4, 5]);
    const store = new ImageStore();
    const stored = store.add(info, { grid, pixels });
    expect(stored.image.pixels).toBe(pixels);
    expect(store.get(stored.info.id).image.pixels).toBe(pixels);
  });
});
