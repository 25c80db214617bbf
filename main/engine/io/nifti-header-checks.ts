// What a NIfTI header must say for its voxels to be read as it means them: sizes that are
// not negative, a data type that exists (with a bitpix that agrees), and a data offset. ITK's
// nifticlib reads some of these wrongly without a word (a negative size becomes 1) and fails
// on others with a bare exception, so they are checked here, with the field named.

import { EngineError } from '../../../shared/contract/errors';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import type { NiftiHeader } from './nifti-header';
import { nifti1HeaderBytes, nifti2HeaderBytes, niftiDatatypes as datatypes } from './nifti-header';

/**
 * Where the voxels start in a single-file NIfTI. nifticlib (ITK's reader) takes a vox_offset
 * below the header's own size, 0 included, to mean "right after the header": byte 348 of a
 * NIfTI-1 file (not 352: there is then no room for the extension flag), byte 540 of a NIfTI-2
 * file. We count and check the same bytes ITK reads.
 */
export function niftiDataOffset(header: NiftiHeader): number {
  const headerBytes = header.version === 1 ? nifti1HeaderBytes : nifti2HeaderBytes;
  return Math.max(Math.floor(header.voxOffset), headerBytes);
}

/** Bytes a single-file NIfTI must hold: the header, extensions, then every voxel. */
export function expectedNiftiFileBytes(header: NiftiHeader): number {
  const voxels = header.dims.reduce((a, b) => a * Math.max(1, b), 1);
  return niftiDataOffset(header) + Math.ceil((voxels * header.bitsPerVoxel) / 8);
}

/** Refuses sizes, data types and offsets that do not describe readable voxels. */
export function checkNiftiHeader(ref: FileRef, header: NiftiHeader): void {
  const negative = header.dims.findIndex((n) => n < 0);
  if (negative >= 0)
    throw fileProblem(ref, `its header is corrupt: the size along axis ${negative + 1} is ${header.dims[negative]} (dim[${negative + 1}]); sizes cannot be negative`);
  const type = datatypes[header.datatype];
  if (!type) throw fileProblem(ref, `its header is corrupt: datatype ${header.datatype} is not a NIfTI data type`);
  if (!type.readable)
    throw new EngineError('UNSUPPORTED', `${ref.name}: its voxels are of NIfTI type ${type.name} (datatype ${header.datatype}), which XiMorph cannot read`, { file: ref.path });
  if (header.bitsPerVoxel !== type.bits)
    throw fileProblem(ref, `its header is corrupt: bitpix ${header.bitsPerVoxel} does not match datatype ${header.datatype} (${type.name}, ${type.bits} bits per voxel)`);
  if (!Number.isFinite(header.voxOffset) || header.voxOffset < 0)
    throw fileProblem(ref, `its header is corrupt: the data offset (vox_offset ${header.voxOffset}) is ${Number.isNaN(header.voxOffset) ? 'not a number' : 'negative or infinite'}`);
}
