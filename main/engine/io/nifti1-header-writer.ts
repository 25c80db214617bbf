// The NIfTI-1 header of an image about to be written, made here as ITK's NIfTI writer makes it,
// so that writing a result needs no ITK pipeline at all. Asking ITK instead (loading its NIfTI
// writer and writing the image reduced to one voxel) took 0.10 s for a command's first file and
// 0.01–0.04 s for each next one: some 0.17 s of the 2 s a 2D slice's `register` takes.
//
// What ITK writes, and so what this writes (test/unit/io/nifti1-header-writer.test.ts holds it
// to ITK's own header, field by field, for scalar and vector, 2D and 3D, oblique, flipped and
// improper grids of every pixel type):
//   - dim: a scalar image's axes; a vector image as 5D with its components along dim[5]
//     (intent NIFTI_INTENT_VECTOR), the axes it lacks set to 1;
//   - pixdim: qfac, then the spacing (1 for a 2D image's missing third axis);
//   - a qform and an sform, both "scanner" (code 1), from R = F·D and the offset F·origin,
//     F = diag(−1, −1, 1): NIfTI's world is RAS where ITK's is LPS. The sform is R with its
//     columns scaled by the spacing; the qform holds R as a unit quaternion and qfac = det R.
//     (ITK computes its sform back from a float quaternion, so on an oblique grid its entries
//     differ from these in float32's last digit, and a 0 may read −1.3e-8);
//   - units mm and s, scl_slope 1, and the voxels at byte 352, after an empty extension flag.
// A direction matrix that is not orthonormal (to 1e-6) gets null: ITK makes such a matrix
// orthogonal its own way, and the caller asks ITK for that header instead.

import type { Image, TypedArray } from 'itk-wasm';
import { determinant } from '../../../shared/math/matrix';
import { directionNonOrthogonality } from '../../../shared/geometry/grid';
import { componentTypes } from '../../../shared/image/voxel-image';
import { nifti1HeaderBytes, nifti1Offsets, niftiDatatypes } from './nifti-header';

/** Where the voxels start: after NIfTI-1's header and its four bytes of "no extension". */
export const nifti1VoxelOffset = nifti1HeaderBytes + 4;
/** dim[] are int16. */
export const largestNifti1Dimension = 32767;

const niftiIntentVector = 1007;
const niftiXformScanner = 1;
const unitsMmAndSeconds = 2 | 8;
/** Past this, a direction matrix is not a rotation as ITK's header would hold it. */
const orthonormalTolerance = 1e-6;

/** NIfTI's datatype code for each pixel type XiMorph writes. */
const datatypeCodes = new Map(Object.entries(niftiDatatypes).filter(([, t]) => (componentTypes as readonly string[]).includes(t.name)).map(([code, t]) => [t.name, Number(code)]));

/** R = F·D, 3×3 row-major, for a 2D or 3D direction (a 2D image's third axis is the z axis). */
export function rasRotation(direction: ArrayLike<number>, dimension: number): number[] {
  const flip = [-1, -1, 1];
  const r = [0, 0, 0, 0, 0, 0, 0, 0, 1];
  // (+ 0 turns the −0 of a flipped zero into 0, as ITK's header has it.)
  for (let i = 0; i < dimension; i++) for (let j = 0; j < dimension; j++) r[i * 3 + j] = flip[i] * direction[i * dimension + j] + 0;
  return r;
}

/**
 * The quaternion (b, c, d; a ≥ 0 is implied) of a rotation R, after R's third column is negated
 * when det R < 0 (qfac = −1). Of the four ways to read a quaternion off R, the one dividing by
 * the largest of |a|, |b|, |c|, |d| is taken: the others lose precision near 180° turns.
 */
export function quaternionOf(rotation: readonly number[]): { b: number; c: number; d: number; qfac: 1 | -1 } {
  const qfac = determinant(rotation) < 0 ? -1 : 1;
  const m = (i: number, j: number) => rotation[i * 3 + j] * (j === 2 ? qfac : 1);
  const trace = m(0, 0) + m(1, 1) + m(2, 2);
  let a: number, b: number, c: number, d: number;
  if (trace + 1 > 0.5) {
    a = 0.5 * Math.sqrt(trace + 1);
    b = (0.25 * (m(2, 1) - m(1, 2))) / a;
    c = (0.25 * (m(0, 2) - m(2, 0))) / a;
    d = (0.25 * (m(1, 0) - m(0, 1))) / a;
  } else {
    const xx = 1 + m(0, 0) - (m(1, 1) + m(2, 2));
    const yy = 1 + m(1, 1) - (m(0, 0) + m(2, 2));
    const zz = 1 + m(2, 2) - (m(0, 0) + m(1, 1));
    if (xx > 1) {
      b = 0.5 * Math.sqrt(xx);
      c = (0.25 * (m(0, 1) + m(1, 0))) / b;
      d = (0.25 * (m(0, 2) + m(2, 0))) / b;
      a = (0.25 * (m(2, 1) - m(1, 2))) / b;
    } else if (yy > 1) {
      c = 0.5 * Math.sqrt(yy);
      b = (0.25 * (m(0, 1) + m(1, 0))) / c;
      d = (0.25 * (m(1, 2) + m(2, 1))) / c;
      a = (0.25 * (m(0, 2) - m(2, 0))) / c;
    } else {
      d = 0.5 * Math.sqrt(zz);
      b = (0.25 * (m(0, 2) + m(2, 0))) / d;
      c = (0.25 * (m(1, 2) + m(2, 1))) / d;
      a = (0.25 * (m(1, 0) - m(0, 1))) / d;
    }
    // q and −q are the same rotation; NIfTI stores the one with a ≥ 0.
    if (a < 0) [b, c, d] = [-b, -c, -d];
  }
  return { b: b + 0, c: c + 0, d: d + 0, qfac };
}

/**
 * The NIfTI-1 header (352 bytes, little-endian) ITK would write for `image`, or null where this
 * does not make it: a grid past NIfTI-1's sizes, not 2D or 3D, a pixel type NIfTI-1 has no code
 * for, or a direction that is not orthonormal.
 */
export function nifti1HeaderFor(image: Image): Uint8Array | null {
  const data = image.data as TypedArray | null;
  const dimension = image.size.length;
  const datatype = datatypeCodes.get(image.imageType.componentType);
  if (!data || datatype === undefined || (dimension !== 2 && dimension !== 3)) return null;
  if (!image.size.every((n) => Number.isInteger(n) && n >= 1 && n <= largestNifti1Dimension)) return null;
  const direction = Array.from(image.direction as ArrayLike<number>);
  if (!(directionNonOrthogonality(direction) <= orthonormalTolerance)) return null;
  const components = image.imageType.components;

  const header = new Uint8Array(nifti1VoxelOffset);
  const view = new DataView(header.buffer);
  const at = nifti1Offsets;
  const int16 = (offset: number, value: number) => view.setInt16(offset, value, true);
  const float32 = (offset: number, value: number) => view.setFloat32(offset, value, true);

  view.setInt32(at.sizeofHdr, nifti1HeaderBytes, true);
  header[at.regular] = 'r'.charCodeAt(0);
  const dim = [...image.size, 1, 1, 1, 1, 1, 1, 1].slice(0, 7);
  if (components > 1) {
    dim[4] = components; // dim[5]: a vector's components come after x, y, z and t
    int16(at.intentCode, niftiIntentVector);
  }
  int16(at.dim, components > 1 ? 5 : dimension);
  dim.forEach((n, i) => int16(at.dim + 2 * (i + 1), n));
  int16(at.datatype, datatype);
  int16(at.bitpix, 8 * data.BYTES_PER_ELEMENT);

  const rotation = rasRotation(direction, dimension);
  const spacing = [0, 1, 2].map((axis) => (axis < dimension ? image.spacing[axis] : 1));
  // ITK negates the first two coordinates (−0 for an origin at 0) and leaves a 2D image at z = 0.
  const offset = [-image.origin[0], -image.origin[1], dimension > 2 ? image.origin[2] : 0];
  const { b, c, d, qfac } = quaternionOf(rotation);
  float32(at.pixdim, qfac);
  spacing.forEach((s, axis) => float32(at.pixdim + 4 * (axis + 1), s));
  float32(at.voxOffset, nifti1VoxelOffset);
  float32(at.sclSlope, 1);
  header[at.xyztUnits] = unitsMmAndSeconds;
  int16(at.qformCode, niftiXformScanner);
  int16(at.sformCode, niftiXformScanner);
  [b, c, d].forEach((q, i) => float32(at.quatern + 4 * i, q));
  offset.forEach((o, i) => float32(at.qoffset + 4 * i, o));
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) float32(at.srow + 16 * row + 4 * col, rotation[row * 3 + col] * spacing[col] + 0);
    float32(at.srow + 16 * row + 12, offset[row]);
  }
  header.set([0x6e, 0x2b, 0x31, 0], at.magic); // "n+1\0"
  return header;
}
