// NIfTI files written without handing the voxels to itk-wasm. itk-wasm copies an image into
// its WebAssembly heap, and ITK's NIfTI writer makes a second copy to put a vector image's
// components one volume after another: for a 1 mm brain's displacement field (85 MB) the
// process grew by about 330 MB while each field was written (the whole command's peak).
//
// The header is the one ITK writes: made here (nifti1-header-writer.ts) for the grids results
// have, and otherwise asked of ITK, which writes the same image reduced to one voxel, whose
// 352-byte header differs from the full image's in dim[1..D] alone, and those are set.
// The voxels are then laid out from the image's own array a chunk at a time, the components'
// volumes one after another as NIfTI stores them, and compressed on the way (parallel-gzip.ts).
// Where neither header is a plain NIfTI-1 one (a grid too large for NIfTI-1, which ITK then
// writes as NIfTI-2, a type it converts), the caller writes through itk-wasm as before.

import { endianness } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Image } from 'itk-wasm';
import type { TypedArray } from 'itk-wasm';
import type { CancellationToken } from '../../../shared/rpc/cancellation';
import { throwIfCancelled } from '../../../shared/rpc/cancellation';
import type { ByteSource, GzipOptions } from './parallel-gzip';
import { gzipToFile } from './parallel-gzip';
import { writeWithItk } from './itk-image-writer';
import { nifti1HeaderBytes, nifti1Offsets as at } from './nifti-header';
import { nifti1HeaderFor, nifti1VoxelOffset, largestNifti1Dimension } from './nifti1-header-writer';

/** Whether the voxels can be streamed at all: a little-endian host (the file is little-endian), sizes NIfTI-1 holds. */
export function canStreamNifti(image: Image): boolean {
  return endianness() === 'LE' && image.data !== null && image.size.every((n) => n >= 1 && n <= largestNifti1Dimension);
}

/**
 * ITK's header for `image`, from a one-voxel image on the same grid, or null where it is not
 * the plain NIfTI-1 header whose voxels follow as stored (see above). `scratch` is a path the
 * one-voxel file may be written to; it is removed.
 */
export async function niftiHeaderFromItk(image: Image, scratch: string, target: string): Promise<Uint8Array | null> {
  const data = image.data as TypedArray;
  const components = image.imageType.components;
  const tiny = new Image(image.imageType);
  tiny.size = image.size.map(() => 1);
  tiny.spacing = [...image.spacing];
  tiny.origin = [...image.origin];
  tiny.direction = image.direction;
  tiny.data = new (data.constructor as new (n: number) => TypedArray)(components);
  let file: Uint8Array;
  try {
    await writeWithItk(tiny, scratch, false, target);
    file = await readFile(scratch);
  } finally {
    await rm(scratch, { force: true });
  }
  const bytesPerComponent = data.BYTES_PER_ELEMENT;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const plain =
    file.byteLength === nifti1VoxelOffset + components * bytesPerComponent &&
    view.getInt32(at.sizeofHdr, true) === nifti1HeaderBytes &&
    String.fromCharCode(...file.subarray(at.magic, at.magic + 4)) === 'n+1\0' &&
    view.getFloat32(at.voxOffset, true) === nifti1VoxelOffset &&
    view.getInt16(at.bitpix, true) === 8 * bytesPerComponent &&
    image.size.every((_, a) => view.getInt16(at.dim + 2 * (a + 1), true) === 1);
  if (!plain) return null;
  const header = file.slice(0, nifti1VoxelOffset);
  const headerView = new DataView(header.buffer);
  image.size.forEach((n, a) => headerView.setInt16(at.dim + 2 * (a + 1), n, true));
  return header;
}

/**
 * The file's bytes: the header, then each component's volume in turn. A chunk may start or
 * end inside a voxel's value, so values are gathered whole into a scratch array of the
 * array's own type and its bytes copied.
 */
export function niftiByteSource(header: Uint8Array, data: TypedArray, components: number): ByteSource {
  const bytesPerComponent = data.BYTES_PER_ELEMENT;
  const voxels = data.length / components;
  const stored = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let scratch: TypedArray | undefined;
  return {
    size: header.byteLength + data.byteLength,
    read(start, into) {
      let filled = 0;
      if (start < header.byteLength) {
        const part = header.subarray(start, Math.min(header.byteLength, start + into.length));
        into.set(part);
        filled = part.length;
      }
      if (filled === into.length) return;
      const from = start + filled - header.byteLength; // byte offset into the voxels
      const to = start + into.length - header.byteLength;
      if (components === 1) {
        into.set(stored.subarray(from, to), filled);
        return;
      }
      const first = Math.floor(from / bytesPerComponent);
      const last = Math.ceil(to / bytesPerComponent);
      // One strided run per component the range touches, into a buffer kept between reads: a
      // fresh one per read cost a first touch of every page (11 µs each on these machines), and
      // a division per value; the two fields of a 1 mm brain took 0.7 s here before.
      if (!scratch || scratch.length < last - first) scratch = new (data.constructor as new (n: number) => TypedArray)(last - first);
      const values = scratch;
      for (let component = Math.floor(first / voxels); component * voxels < last; component++) {
        const begin = Math.max(first, component * voxels);
        const end = Math.min(last, (component + 1) * voxels);
        let at = (begin - component * voxels) * components + component;
        for (let e = begin; e < end; e++, at += components) values[e - first] = data[at];
      }
      const bytes = new Uint8Array(values.buffer, 0, (last - first) * bytesPerComponent);
      const skip = from - first * bytesPerComponent;
      into.set(bytes.subarray(skip, skip + to - from), filled);
    },
  };
}

/** Writes `source` to `file` as it is, a chunk at a time (a .nii). */
export async function writeBytes(source: ByteSource, file: string, token: CancellationToken, chunkBytes = 8 * 1024 * 1024): Promise<void> {
  const output = await open(file, 'w');
  try {
    const chunk = new Uint8Array(chunkBytes);
    for (let start = 0; start < source.size; start += chunkBytes) {
      throwIfCancelled(token);
      const part = chunk.subarray(0, Math.min(chunkBytes, source.size - start));
      await source.read(start, part);
      await output.write(part);
    }
  } finally {
    await output.close();
  }
}

/**
 * Writes `image` as a .nii or .nii.gz at `file` (gzip with `gzip`'s options when given);
 * returns false, having written nothing, where the header is not one to stream after.
 */
export async function writeNiftiStreamed(image: Image, file: string, target: string, token: CancellationToken, gzip?: GzipOptions): Promise<boolean> {
  const header = nifti1HeaderFor(image) ?? (await niftiHeaderFromItk(image, path.join(path.dirname(file), `${path.basename(file)}.header.nii`), target));
  if (!header) return false;
  const source = niftiByteSource(header, image.data as TypedArray, image.imageType.components);
  if (gzip) await gzipToFile(source, file, token, gzip);
  else await writeBytes(source, file, token);
  return true;
}
