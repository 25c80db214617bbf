// Lists of points in the formats people exchange them in, all read into ITK's LPS millimetres:
//   Slicer markups JSON (.mrk.json): "coordinateSystem" "LPS" or "RAS" per markup; a file with two
//     markups holds landmark pairs (the first the fixed points, the second their counterparts);
//   Slicer's legacy .fcsv: "# CoordinateSystem = RAS|LPS" (or 0 = RAS, 1 = LPS in older files);
//     a counterpart, where there is one, rides in the description as "moving=x;y;z" (same system);
//   CSV: a header naming x, y, z (LPS mm) or R, A, S (RAS mm); every other column is kept.
// RAS and LPS differ by the sign of the first two coordinates. Errors name the file, and the line
// for text formats.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../../shared/contract/errors';

export type PointFormat = 'slicer-json' | 'slicer-fcsv' | 'csv';
export type CoordinateSystem = 'LPS' | 'RAS';

export interface ListedPoint {
  readonly label: string;
  /** LPS mm. */
  readonly position: number[];
  /** A counterpart (landmark pairs), LPS mm. */
  readonly counterpart?: number[];
  /** CSV columns other than the coordinates (and label), in file order. */
  readonly columns?: Record<string, string>;
}

export interface PointList {
  readonly format: PointFormat;
  readonly coordinateSystem: CoordinateSystem;
  readonly points: ListedPoint[];
  /** CSV: the header as the file had it, to write the columns back as they were. */
  readonly header?: string[];
}

const flip = (p: readonly number[]) => p.map((v, i) => (i < 2 ? -v : v));
/** Between LPS and RAS (the same operation both ways). */
export const convert = (p: readonly number[], from: CoordinateSystem, to: CoordinateSystem) => (from === to ? [...p] : flip(p));

const problem = (file: string, reason: string, line?: number) => new EngineError('BAD_INPUT', `${path.basename(file)}: ${line !== undefined ? `line ${line}: ` : ''}${reason}`, { file });

export function formatOf(file: string): PointFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'slicer-json';
  if (lower.endsWith('.fcsv')) return 'slicer-fcsv';
  return 'csv';
}

function finiteNumber(file: string, text: string, what: string, line?: number): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) throw problem(file, `${what} is "${text.trim()}", not a finite number`, line);
  return v;
}

function parseMarkupsJson(file: string, text: string): PointList {
  let json: { markups?: { coordinateSystem?: string; controlPoints?: { label?: string; position?: unknown }[] }[] };
  try {
    json = JSON.parse(text);
  } catch {
    throw problem(file, 'not a JSON file');
  }
  const markups = json.markups;
  if (!Array.isArray(markups) || markups.length === 0) throw problem(file, 'holds no "markups" (not a Slicer markups file)');
  const lists = markups.slice(0, 2).map((m, k) => {
    const system = m.coordinateSystem ?? 'LPS';
    if (system !== 'LPS' && system !== 'RAS') throw problem(file, `markup ${k + 1}'s coordinateSystem is "${system}"; XiMorph reads LPS and RAS`);
    return (m.controlPoints ?? []).map((p, i) => {
      const position = p.position;
      if (!Array.isArray(position) || position.length !== 3 || !position.every((v) => typeof v === 'number' && Number.isFinite(v)))
        throw problem(file, `markup ${k + 1}, point ${i + 1} has no finite position [x, y, z]`);
      return { label: p.label ?? `${i + 1}`, position: convert(position as number[], system, 'LPS') };
    });
  });
  const [first, second] = lists;
  if (first.length === 0) throw problem(file, 'holds no points');
  const system = (markups[0].coordinateSystem ?? 'LPS') as CoordinateSystem;
  return {
    format: 'slicer-json',
    coordinateSystem: system,
    points: first.map((p, i) => ({ ...p, counterpart: second?.find((q) => q.label === p.label)?.position ?? second?.[i]?.position })),
  };
}

/** Slicer's legacy files say RAS or LPS, or (older still) 0 for RAS and 1 for LPS. */
function fcsvSystem(file: string, declared: string, line: number): CoordinateSystem {
  if (declared === '0' || declared === 'RAS') return 'RAS';
  if (declared === '1' || declared === 'LPS') return 'LPS';
  throw problem(file, `the coordinate system is "${declared}"; XiMorph reads LPS and RAS`, line);
}

function parseFcsv(file: string, text: string): PointList {
  let system: CoordinateSystem = 'RAS';
  let columns = ['id', 'x', 'y', 'z', 'ow', 'ox', 'oy', 'oz', 'vis', 'sel', 'lock', 'label', 'desc', 'associatedNodeID'];
  const points: ListedPoint[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    if (raw.startsWith('#')) {
      const declared = /CoordinateSystem\s*=\s*(\w+)/.exec(raw)?.[1];
      if (declared) system = fcsvSystem(file, declared, line);
      const header = /columns\s*=\s*(.+)/.exec(raw)?.[1];
      if (header) columns = header.split(',').map((c) => c.trim());
      return;
    }
    const cells = raw.split(',');
    const at = (name: string) => cells[columns.indexOf(name)] ?? '';
    const position = ['x', 'y', 'z'].map((c) => finiteNumber(file, at(c), c, line));
    const moving = /moving=([^;,]+);([^;,]+);([^;,]+)/.exec(at('desc'));
    const counterpart = moving ? moving.slice(1).map((v) => finiteNumber(file, v, 'the counterpart', line)) : undefined;
    points.push({ label: at('label') || `${points.length + 1}`, position: convert(position, system, 'LPS'), counterpart: counterpart && convert(counterpart, system, 'LPS') });
  });
  if (points.length === 0) throw problem(file, 'holds no points');
  return { format: 'slicer-fcsv', coordinateSystem: system, points };
}

/** Splits a CSV line (commas, optional double quotes). */
export function csvCells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      out.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  out.push(cell);
  return out.map((c) => c.trim());
}

function parseCsv(file: string, text: string): PointList {
  const lines = text.split(/\r?\n/);
  const headerLine = lines.findIndex((l) => l.trim() !== '');
  if (headerLine < 0) throw problem(file, 'the file is empty');
  const header = csvCells(lines[headerLine]);
  const lower = header.map((h) => h.toLowerCase());
  const lps = ['x', 'y', 'z'].map((c) => lower.indexOf(c));
  const ras = ['r', 'a', 's'].map((c) => lower.indexOf(c));
  if (!lps.every((i) => i >= 0) && !ras.every((i) => i >= 0)) throw problem(file, 'the header names no x, y, z (LPS mm) or R, A, S (RAS mm) columns', headerLine + 1);
  const system: CoordinateSystem = lps.every((i) => i >= 0) ? 'LPS' : 'RAS';
  const coordinateColumns = system === 'LPS' ? lps : ras;
  const movingColumns = ['moving_x', 'moving_y', 'moving_z'].map((c) => lower.indexOf(c));
  const labelColumn = lower.findIndex((h) => h === 'label' || h === 'name');
  const used = new Set([...coordinateColumns, ...movingColumns.filter((i) => i >= 0), labelColumn]);
  const points: ListedPoint[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const row = csvCells(lines[i]);
    if (row.length < header.length) throw problem(file, `has ${row.length} values where the header names ${header.length}`, i + 1);
    const position = coordinateColumns.map((c, a) => finiteNumber(file, row[c], header[coordinateColumns[a]], i + 1));
    const counterpart = movingColumns.every((c) => c >= 0 && row[c] !== '') ? movingColumns.map((c) => finiteNumber(file, row[c], header[c], i + 1)) : undefined;
    const columns = Object.fromEntries(header.map((h, c) => [h, row[c]]).filter((_, c) => !used.has(c)));
    points.push({ label: labelColumn >= 0 ? row[labelColumn] : `${points.length + 1}`, position: convert(position, system, 'LPS'), counterpart: counterpart && convert(counterpart, system, 'LPS'), columns });
  }
  if (points.length === 0) throw problem(file, 'holds no points');
  return { format: 'csv', coordinateSystem: system, points, header };
}

export async function readPointFile(file: string): Promise<PointList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EngineError(code === 'ENOENT' ? 'NOT_FOUND' : code === 'EACCES' ? 'FORBIDDEN' : 'BAD_INPUT', `${path.basename(file)}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code})`}`, { file });
  }
  if (!text.trim()) throw problem(file, 'the file is empty');
  const format = formatOf(file);
  return format === 'slicer-json' ? parseMarkupsJson(file, text) : format === 'slicer-fcsv' ? parseFcsv(file, text) : parseCsv(file, text);
}

const round = (v: number) => +v.toFixed(6);
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** label, the axes of `system` and, for pairs, the counterpart's. */
export const defaultCsvHeader = (system: CoordinateSystem, paired: boolean): string[] => ['label', ...(system === 'LPS' ? ['x', 'y', 'z'] : ['R', 'A', 'S']), ...(paired ? ['moving_x', 'moving_y', 'moving_z'] : [])];

/**
 * The file's text for a point list (positions LPS mm, written in `system`). CSV is written with
 * `csvHeader`'s columns in its order — a file's own header, so that a list read and written
 * keeps its label column's name, its column order and its other columns — or label, the axes
 * and, for pairs, moving_x, moving_y, moving_z.
 */
export function pointFileText(format: PointFormat, points: readonly ListedPoint[], system: CoordinateSystem, csvHeader?: readonly string[]): string {
  const out = (p: readonly number[]) => convert(p, 'LPS', system).map(round);
  if (format === 'slicer-json') {
    const markup = (name: string, list: { label: string; position: number[] }[]) => ({
      type: 'Fiducial',
      name,
      coordinateSystem: system,
      coordinateUnits: 'mm',
      controlPoints: list.map((p, i) => ({ id: `${i + 1}`, label: p.label, position: out(p.position), positionStatus: 'defined' })),
    });
    const markups = [markup('fixed', points.map((p) => ({ label: p.label, position: p.position })))];
    const paired = points.filter((p) => p.counterpart);
    if (paired.length) markups.push(markup('moving', paired.map((p) => ({ label: p.label, position: p.counterpart! }))));
    return JSON.stringify({ '@schema': 'https://raw.githubusercontent.com/slicer/slicer/main/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#', markups }, null, 2) + '\n';
  }
  if (format === 'slicer-fcsv') {
    const lines = ['# Markups fiducial file version = 4.11', `# CoordinateSystem = ${system}`, '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID'];
    points.forEach((p, i) => {
      const desc = p.counterpart ? `moving=${out(p.counterpart).join(';')}` : '';
      lines.push([`vtkMRMLMarkupsFiducialNode_${i}`, ...out(p.position), 0, 0, 0, 1, 1, 1, 0, p.label.replace(/,/g, ' '), desc, ''].join(','));
    });
    return lines.join('\n') + '\n';
  }
  const axes = system === 'LPS' ? ['x', 'y', 'z'] : ['r', 'a', 's'];
  const paired = points.some((p) => p.counterpart);
  const header = csvHeader ?? defaultCsvHeader(system, paired);
  const lower = header.map((h) => h.toLowerCase());
  const labelColumn = lower.findIndex((h) => h === 'label' || h === 'name');
  const cellsOf = (p: ListedPoint): string[] => {
    const position = out(p.position);
    const counterpart = p.counterpart && out(p.counterpart);
    return header.map((h, c) => {
      if (c === labelColumn) return p.label;
      const axis = axes.indexOf(lower[c]);
      if (axis >= 0) return String(position[axis]);
      const movingAxis = ['moving_x', 'moving_y', 'moving_z'].indexOf(lower[c]);
      if (movingAxis >= 0) return counterpart ? String(counterpart[movingAxis]) : '';
      return p.columns?.[h] ?? '';
    });
  };
  return [header, ...points.map(cellsOf)].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export async function writePointFile(file: string, format: PointFormat, points: readonly ListedPoint[], system: CoordinateSystem, csvHeader?: readonly string[]): Promise<void> {
  await writeFile(file, pointFileText(format, points, system, csvHeader));
}
