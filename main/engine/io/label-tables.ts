// Names and colours for label values, from the files that travel beside label maps:
// mricron's "<name>.nii.txt" (value, name, and for AAL a region code) and "<name>.nii.lut"
// (768 bytes: 256 reds, then 256 greens, then 256 blues, as in ImageJ), and the text colour
// tables of ITK-SNAP (value R G B A visible mesh "name") and Slicer/FreeSurfer (value name R G
// B A). Colours are 0–255.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabelEntry } from '../../../shared/contract/image-channels';
import { fullExtension } from './image-formats';

type Rgb = [number, number, number];

const isInteger = (token: string) => /^[+-]?\d+$/.test(token);
const isByte = (token: string) => isInteger(token) && +token >= 0 && +token <= 255;

/** One line of a text label table, or undefined for comments, headers and blank lines. */
function parseLabelLine(line: string): LabelEntry | undefined {
  const text = line.trim();
  if (!text || text.startsWith('#')) return undefined;
  const quoted = /^(.*?)"(.*)"\s*$/.exec(text);
  if (quoted) {
    // ITK-SNAP: IDX R G B A VIS MSH "LABEL"
    const numbers = quoted[1].trim().split(/\s+/);
    if (!isInteger(numbers[0])) return undefined;
    const color = numbers.length >= 4 && numbers.slice(1, 4).every(isByte) ? (numbers.slice(1, 4).map(Number) as Rgb) : undefined;
    return { value: +numbers[0], name: quoted[2], ...(color ? { color } : {}) };
  }
  const tokens = text.split(/\s+/);
  if (tokens.length < 2 || !isInteger(tokens[0])) return undefined;
  // Slicer / FreeSurfer: value name R G B [A]
  if (tokens.length >= 5 && tokens.slice(2, 5).every(isByte) && tokens.length <= 6)
    return { value: +tokens[0], name: tokens[1], color: tokens.slice(2, 5).map(Number) as Rgb };
  // mricron: value name [code]; the AAL code is not a colour.
  const nameTokens = tokens.length >= 3 && isInteger(tokens[tokens.length - 1]) ? tokens.slice(1, -1) : tokens.slice(1);
  return { value: +tokens[0], name: nameTokens.join(' ') };
}

export function parseLabelText(text: string): LabelEntry[] {
  const entries = new Map<number, LabelEntry>();
  for (const line of text.split(/\r?\n|\r/)) {
    const entry = parseLabelLine(line);
    if (entry) entries.set(entry.value, entry);
  }
  return [...entries.values()].sort((a, b) => a.value - b.value);
}

/** An ImageJ/mricron binary LUT: colours for values 0–255. */
export function parseBinaryLut(bytes: Uint8Array): Rgb[] | undefined {
  if (bytes.length !== 768) return undefined;
  return Array.from({ length: 256 }, (_, v) => [bytes[v], bytes[256 + v], bytes[512 + v]] as Rgb);
}

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/** Where a label table for `imagePath` may be: "aal.nii.txt" and "aal.txt" for "aal.nii.gz". */
function sidecarCandidates(imagePath: string, extensions: readonly string[]): string[] {
  const dir = path.dirname(imagePath);
  const name = path.basename(imagePath);
  const withoutGz = name.replace(/\.gz$/i, '');
  const stem = name.slice(0, name.length - fullExtension(name).length);
  const bases = [...new Set([withoutGz, stem])];
  return bases.flatMap((base) => extensions.map((ext) => path.join(dir, base + ext)));
}

/**
 * Label entries from the sidecars beside an image, or undefined when there are none.
 * `valuesPresent` names the labels of a colour-only table (a .lut without a .txt).
 */
export async function readLabelSidecars(imagePath: string, valuesPresent: () => readonly number[]): Promise<LabelEntry[] | undefined> {
  let entries: LabelEntry[] | undefined;
  for (const candidate of sidecarCandidates(imagePath, ['.txt', '.label', '.ctbl'])) {
    const bytes = await readIfPresent(candidate);
    const parsed = bytes ? parseLabelText(bytes.toString('utf8')) : [];
    if (parsed.length > 0) {
      entries = parsed;
      break;
    }
  }
  let lut: Rgb[] | undefined;
  for (const candidate of sidecarCandidates(imagePath, ['.lut'])) {
    const bytes = await readIfPresent(candidate);
    lut = bytes ? parseBinaryLut(bytes) : undefined;
    if (lut) break;
  }
  if (!entries && !lut) return undefined;
  entries ??= valuesPresent()
    .filter((v) => v !== 0)
    .map((value) => ({ value, name: String(value) }));
  if (!lut) return entries;
  const colours = lut;
  return entries.map((e) => (e.color || e.value < 0 || e.value > 255 ? e : { ...e, color: colours[e.value] }));
}
