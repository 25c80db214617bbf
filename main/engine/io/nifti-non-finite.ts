// Counting NaN and infinite voxels in NIfTI data as it streams past. ITK's NIfTI reader
// (nifticlib) silently replaces them by 0, so after ITK has read the file they cannot be
// counted any more; we count them in the raw bytes, per volume, while checking the file.

import type { NiftiHeader } from './nifti-header';
import { niftiDataOffset } from './nifti-header-checks';

const floatDatatypes: Record<number, 4 | 8> = { 16: 4, 64: 8 };

export function hasFloatVoxels(header: NiftiHeader): boolean {
  return header.datatype in floatDatatypes;
}

export class NonFiniteCounter {
  /** Non-finite voxels in each volume (4D files hold several). */
  readonly byVolume: number[] = [];
  readonly #bytes: 4 | 8;
  readonly #littleEndian: boolean;
  readonly #dataStart: number;
  readonly #perVolume: number;
  readonly #total: number;
  #index = 0;
  #carry: Buffer = Buffer.alloc(0);

  constructor(header: NiftiHeader) {
    this.#bytes = floatDatatypes[header.datatype] ?? 4;
    this.#littleEndian = header.littleEndian;
    this.#dataStart = niftiDataOffset(header);
    const dims = header.dims.map((n) => Math.max(1, n));
    this.#perVolume = (dims[0] ?? 1) * (dims[1] ?? 1) * (dims[2] ?? 1);
    this.#total = dims.reduce((a, b) => a * b, 1);
  }

  /** Feeds the bytes at `streamOffset` of the (decompressed) file, in order. */
  push(chunk: Uint8Array, streamOffset: number): void {
    const skip = Math.max(0, this.#dataStart - streamOffset);
    if (skip >= chunk.length || this.#index >= this.#total) return;
    let data = Buffer.from(chunk.buffer, chunk.byteOffset + skip, chunk.length - skip);
    if (this.#carry.length > 0) data = Buffer.concat([this.#carry, data]);
    const whole = data.length - (data.length % this.#bytes);
    const view = new DataView(data.buffer, data.byteOffset, whole);
    for (let at = 0; at < whole && this.#index < this.#total; at += this.#bytes, this.#index++) {
      const v = this.#bytes === 4 ? view.getFloat32(at, this.#littleEndian) : view.getFloat64(at, this.#littleEndian);
      if (!Number.isFinite(v)) {
        const volume = Math.floor(this.#index / this.#perVolume);
        this.byVolume[volume] = (this.byVolume[volume] ?? 0) + 1;
      }
    }
    this.#carry = Buffer.from(data.subarray(whole));
  }

  inVolume(volume: number): number {
    return this.byVolume[volume] ?? 0;
  }
}
