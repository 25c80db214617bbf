// MetaImage (.mha, .mhd) and NRRD (.nrrd, .nhdr) headers are text. Where a field is wrong
// (an unknown pixel type or encoding, a negative size, a NaN in the space origin), ITK fails
// with a bare exception and no reason, so the fields it would fail on are checked here first
// and named. Geometry ITK does pass through (a zero spacing) is judged later, for every
// format alike (grid-validity.ts).

import { open } from 'node:fs/promises';
import type { FileRef } from './file-problems';
import { fileProblem } from './file-problems';
import type { ImageFormat } from './image-formats';

/** The first 16 KiB of a file as text, enough for any header we read. */
export async function headerText(filePath: string): Promise<string> {
  const handle = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(16 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

const metaElementTypes = new Set(
  ['CHAR', 'UCHAR', 'SHORT', 'USHORT', 'INT', 'UINT', 'LONG', 'ULONG', 'LONG_LONG', 'ULONG_LONG', 'FLOAT', 'DOUBLE'].flatMap((t) => [`MET_${t}`, `MET_${t}_ARRAY`]),
);

const nrrdTypes = new Set(
  [
    'signed char', 'int8', 'int8_t', 'uchar', 'unsigned char', 'uint8', 'uint8_t',
    'short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t',
    'ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t',
    'int', 'signed int', 'int32', 'int32_t', 'uint', 'unsigned int', 'uint32', 'uint32_t',
    'longlong', 'long long', 'long long int', 'signed long long', 'signed long long int', 'int64', 'int64_t',
    'ulonglong', 'unsigned long long', 'unsigned long long int', 'uint64', 'uint64_t', 'float', 'double',
  ],
);
const nrrdEncodings = new Set(['raw', 'txt', 'text', 'ascii', 'hex', 'gz', 'gzip', 'bz2', 'bzip2']);

const isPositiveWholeNumber = (word: string) => /^\d+$/.test(word) && Number(word) > 0;

/** Numbers in a NRRD vector list such as "(1,0,0) (0,1,0) none"; "none" stands for no vector. */
function nrrdVectorNumbers(value: string): string[] {
  return value
    .replace(/none/g, '')
    .split(/[\s(),]+/)
    .filter(Boolean);
}

function checkMetaFields(ref: FileRef, field: (name: string) => string | undefined): void {
  const dims = field('NDims');
  if (dims === undefined || !isPositiveWholeNumber(dims)) throw fileProblem(ref, `its MetaImage header has no valid NDims (${dims ?? 'missing'})`);
  const size = field('DimSize')?.split(/\s+/) ?? [];
  if (size.length !== Number(dims) || !size.every(isPositiveWholeNumber))
    throw fileProblem(ref, `its MetaImage header's DimSize (${size.join(' ') || 'missing'}) is not ${dims} positive whole numbers`);
  const type = field('ElementType');
  if (!type || !metaElementTypes.has(type)) throw fileProblem(ref, `its MetaImage ElementType ${type ?? '(missing)'} is not a pixel type MetaIO knows`);
}

function checkNrrdFields(ref: FileRef, text: string, field: (name: string) => string | undefined): void {
  if (!/^NRRD000\d/.test(text)) throw fileProblem(ref, 'this is not a NRRD file (it does not start with "NRRD000")');
  const type = field('type');
  if (!type || !nrrdTypes.has(type)) throw fileProblem(ref, `its NRRD type "${type ?? '(missing)'}" is not a NRRD pixel type`);
  const encoding = field('encoding');
  if (!encoding || !nrrdEncodings.has(encoding)) throw fileProblem(ref, `its NRRD encoding "${encoding ?? '(missing)'}" is not one ITK reads`);
  const sizes = field('sizes')?.split(/\s+/) ?? [];
  if (!sizes.every(isPositiveWholeNumber)) throw fileProblem(ref, `its NRRD sizes (${sizes.join(' ')}) are not positive whole numbers`);
  for (const name of ['space directions', 'space origin']) {
    const numbers = nrrdVectorNumbers(field(name) ?? '');
    if (numbers.some((n) => !Number.isFinite(Number(n)))) throw fileProblem(ref, `its NRRD ${name} (${field(name)}) holds a value that is not a finite number`);
  }
}

/** Checks the header fields of a MetaImage or NRRD file that ITK fails on without a reason. */
export function checkTextImageHeader(ref: FileRef, format: ImageFormat, text: string): void {
  // The header ends at the first blank line (NRRD) or with ElementDataFile (MetaImage).
  const header = format === 'nrrd' ? text.split(/\r?\n\r?\n/)[0] : text;
  const separator = format === 'nrrd' ? ':' : '=';
  const field = (name: string) => {
    const line = header.split(/\r?\n/).find((l) => l.slice(0, l.indexOf(separator)).trim().toLowerCase() === name.toLowerCase());
    return line?.slice(line.indexOf(separator) + 1).trim();
  };
  if (format === 'meta') checkMetaFields(ref, field);
  else if (format === 'nrrd') checkNrrdFields(ref, text, field);
}
