// The parts of a NIfTI-1 or NIfTI-2 header that decide geometry and size. We read it
// ourselves (ITK does not tell us both of its transforms, nor whether the data is complete)
// and take both byte orders, as the standard allows.

export interface NiftiHeader {
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  /** dim[1..dim[0]]: voxels along each axis. */
  readonly dims: readonly number[];
  readonly pixdim: readonly number[];
  readonly datatype: number;
  readonly bitsPerVoxel: number;
  readonly voxOffset: number;
  readonly intentCode: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** The sform's three rows (RAS), four numbers each. */
  readonly sform: readonly (readonly number[])[];
  /** The qform's quaternion (b, c, d; a is implied) and offset (RAS); its scales are pixdim[1..3]. */
  readonly quatern: readonly number[];
  readonly qoffset: readonly number[];
  /** Whether the data follows in the same file ("n+1", "n+2") rather than a .img. */
  readonly singleFile: boolean;
}

export const niftiIntentLabel = 1002;
export const nifti1HeaderBytes = 348;
export const nifti2HeaderBytes = 540;

/** Byte offsets of the NIfTI-1 header's fields (nifti1.h) that XiMorph reads or writes. */
export const nifti1Offsets = {
  sizeofHdr: 0,
  regular: 38,
  dim: 40,
  intentCode: 68,
  datatype: 70,
  bitpix: 72,
  pixdim: 76,
  voxOffset: 108,
  sclSlope: 112,
  xyztUnits: 123,
  qformCode: 252,
  sformCode: 254,
  quatern: 256,
  qoffset: 268,
  srow: 280,
  magic: 344,
} as const;

/** NIfTI's data types: name, bits per voxel, and whether ITK's reader takes them. */
export const niftiDatatypes: Readonly<Record<number, { readonly name: string; readonly bits: number; readonly readable: boolean }>> = {
  1: { name: 'binary', bits: 1, readable: false },
  2: { name: 'uint8', bits: 8, readable: true },
  4: { name: 'int16', bits: 16, readable: true },
  8: { name: 'int32', bits: 32, readable: true },
  16: { name: 'float32', bits: 32, readable: true },
  32: { name: 'complex64', bits: 64, readable: true },
  64: { name: 'float64', bits: 64, readable: true },
  128: { name: 'RGB24', bits: 24, readable: true },
  256: { name: 'int8', bits: 8, readable: true },
  512: { name: 'uint16', bits: 16, readable: true },
  768: { name: 'uint32', bits: 32, readable: true },
  1024: { name: 'int64', bits: 64, readable: true },
  1280: { name: 'uint64', bits: 64, readable: true },
  1536: { name: 'float128', bits: 128, readable: false },
  1792: { name: 'complex128', bits: 128, readable: true },
  2048: { name: 'complex256', bits: 256, readable: false },
  2304: { name: 'RGBA32', bits: 32, readable: true },
};

const xformNames: Record<number, string> = { 1: 'scanner', 2: 'aligned', 3: 'Talairach', 4: 'MNI', 5: 'template' };

export function describeXformCode(code: number): string {
  return `code ${code}${xformNames[code] ? `, ${xformNames[code]}` : ''}`;
}

/** Parses the header at the start of `bytes`; undefined when it is not a NIfTI header. */
export function parseNiftiHeader(bytes: Uint8Array): NiftiHeader | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const sizeofHdr = view.getInt32(0, littleEndian);
    if (sizeofHdr === nifti1HeaderBytes && bytes.length >= nifti1HeaderBytes) return parseNifti1(view, littleEndian);
    if (sizeofHdr === nifti2HeaderBytes && bytes.length >= nifti2HeaderBytes) return parseNifti2(view, littleEndian);
  }
  return undefined;
}

function ascii(view: DataView, offset: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(view.getUint8(offset + i));
  return s;
}

function parseNifti1(view: DataView, le: boolean): NiftiHeader | undefined {
  const at = nifti1Offsets;
  const magic = ascii(view, at.magic, 4);
  if (magic !== 'n+1\0' && magic !== 'ni1\0') return undefined;
  const rank = view.getInt16(at.dim, le);
  if (rank < 1 || rank > 7) return undefined;
  const dims = Array.from({ length: rank }, (_, i) => view.getInt16(at.dim + 2 * (i + 1), le));
  const pixdim = Array.from({ length: 8 }, (_, i) => view.getFloat32(at.pixdim + 4 * i, le));
  const floats = (offset: number, n: number) => Array.from({ length: n }, (_, i) => view.getFloat32(offset + 4 * i, le));
  return {
    version: 1,
    littleEndian: le,
    dims,
    pixdim,
    datatype: view.getInt16(at.datatype, le),
    bitsPerVoxel: view.getInt16(at.bitpix, le),
    voxOffset: view.getFloat32(at.voxOffset, le),
    intentCode: view.getInt16(at.intentCode, le),
    qformCode: view.getInt16(at.qformCode, le),
    sformCode: view.getInt16(at.sformCode, le),
    sform: [0, 1, 2].map((row) => floats(at.srow + 16 * row, 4)),
    quatern: floats(at.quatern, 3),
    qoffset: floats(at.qoffset, 3),
    singleFile: magic === 'n+1\0',
  };
}

function parseNifti2(view: DataView, le: boolean): NiftiHeader | undefined {
  const magic = ascii(view, 4, 4);
  if (magic !== 'n+2\0' && magic !== 'ni2\0') return undefined;
  const int64 = (offset: number) => Number(view.getBigInt64(offset, le));
  const rank = int64(16);
  if (rank < 1 || rank > 7) return undefined;
  const dims = Array.from({ length: rank }, (_, i) => int64(24 + 8 * i));
  const pixdim = Array.from({ length: 8 }, (_, i) => view.getFloat64(104 + 8 * i, le));
  const row = (offset: number) => Array.from({ length: 4 }, (_, i) => view.getFloat64(offset + 8 * i, le));
  return {
    version: 2,
    littleEndian: le,
    dims,
    pixdim,
    datatype: view.getInt16(12, le),
    bitsPerVoxel: view.getInt16(14, le),
    voxOffset: int64(168),
    intentCode: view.getInt32(504, le),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    sform: [row(400), row(432), row(464)],
    quatern: [352, 360, 368].map((at) => view.getFloat64(at, le)),
    qoffset: [376, 384, 392].map((at) => view.getFloat64(at, le)),
    singleFile: magic === 'n+2\0',
  };
}
