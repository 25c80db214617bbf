// The editable fields of the registration parameters, read from the contract's schema so
// that every parameter the engine takes appears, with its kind and choices, and nothing is
// listed by hand. Each gets a readable name (its key stays the `--set` path), and lists get
// editors of their own: numbers as "200, 100, 50", levels as rows of cells, an optional record
// (the CT window) as its cells; none is typed as JSON.

import { z } from 'zod';
import { registrationParametersSchema } from '../../../../shared/contract/index';

export interface ParameterField {
  /** 'alignment.samples', or 'resolutionMm' for top-level fields. */
  path: string;
  group: string | null;
  key: string;
  kind: 'number' | 'integer' | 'choice' | 'text' | 'numbers' | 'rows' | 'record' | 'json';
  choices?: string[];
  /** The cells of a row ('rows') or of the record ('record'). */
  cells?: ParameterCell[];
  /** What people read: "Rotation search step (degrees)". */
  title: string;
  optional: boolean;
  /** What the parameter does, from the schema. */
  description?: string;
}

/** One cell of a level or record: a number, or a number or a word ('global'). */
export interface ParameterCell {
  key: string;
  title: string;
  kind: 'number' | 'integer' | 'integer-or-word';
  /** The word allowed beside the numbers. */
  word?: string;
  /** Whether the cell may be left empty (the key then goes: a spline level's coefficient grid). */
  optional?: boolean;
}

const acronyms: Record<string, string> = { mind: 'MIND', ncc: 'NCC', lncc: 'LNCC', icon: 'ICON', ct: 'CT' };
const units: Record<string, string> = { mm: 'mm', degrees: 'degrees', voxels: 'voxels' };

/** "rotationSearchStepDegrees" → "Rotation search step (degrees)"; "gradIconWeight" → "GradICON weight". */
export function readableName(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ');
  const unit = words.length > 1 && units[words[words.length - 1]] ? units[words.pop()!] : null;
  const spelled = words.map((w) => acronyms[w] ?? w).join(' ').replace(/^grad ICON/, 'GradICON');
  const title = spelled.charAt(0).toUpperCase() + spelled.slice(1);
  return unit ? `${title} (${unit})` : title;
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let inner = schema;
  let optional = false;
  // A default (for records written before the field existed) is edited as the field itself.
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodReadonly || inner instanceof z.ZodDefault) {
    if (inner instanceof z.ZodOptional) optional = true;
    inner = (inner as z.ZodOptional<z.ZodType>).unwrap();
  }
  return { inner, optional };
}

function cellOf(key: string, schema: z.ZodType): ParameterCell | null {
  const { inner, optional } = unwrap(schema);
  const title = readableName(key);
  if (inner instanceof z.ZodNumber) return { key, title, kind: inner.format?.includes('int') ? 'integer' : 'number', ...(optional ? { optional } : {}) };
  if (inner instanceof z.ZodUnion) {
    const options = inner.options as z.ZodType[];
    const word = options.find((o): o is z.ZodLiteral => o instanceof z.ZodLiteral);
    if (word && options.some((o) => o instanceof z.ZodNumber)) return { key, title, kind: 'integer-or-word', word: String(word.value) };
  }
  return null;
}

/** The cells of an object schema, or null when one of them is not a number (then it is edited as JSON). */
function cellsOf(schema: z.ZodType): ParameterCell[] | null {
  const { inner } = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return null;
  const cells = Object.entries(inner.shape as Record<string, z.ZodType>).map(([k, s]) => cellOf(k, s));
  return cells.every((c) => c !== null) ? (cells as ParameterCell[]) : null;
}

function fieldOf(group: string | null, key: string, schema: z.ZodType): ParameterField {
  const { inner, optional } = unwrap(schema);
  const common = { path: group ? `${group}.${key}` : key, group, key, optional, description: schema.description, title: readableName(key) };
  if (inner instanceof z.ZodEnum) return { ...common, kind: 'choice', choices: inner.options.map(String) };
  if (inner instanceof z.ZodNumber) return { ...common, kind: inner.format?.includes('int') ? 'integer' : 'number' };
  if (inner instanceof z.ZodString) return { ...common, kind: 'text' };
  if (inner instanceof z.ZodArray) {
    const element = unwrap(inner.element as z.ZodType).inner;
    if (element instanceof z.ZodNumber) return { ...common, kind: 'numbers' };
    const cells = cellsOf(element);
    if (cells) return { ...common, kind: 'rows', cells };
  }
  const cells = cellsOf(inner);
  if (cells) return { ...common, kind: 'record', cells };
  return { ...common, kind: 'json' };
}

export const parameterGroups: { group: string | null; title: string; fields: ParameterField[] }[] = (() => {
  const shape = registrationParametersSchema.shape;
  const topLevel: ParameterField[] = [];
  const groups: { group: string | null; title: string; fields: ParameterField[] }[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const { inner } = unwrap(schema as z.ZodType);
    if (inner instanceof z.ZodObject) {
      const fields = Object.entries(inner.shape as Record<string, z.ZodType>).map(([k, s]) => fieldOf(key, k, s));
      groups.push({ group: key, title: readableName(key), fields });
    } else topLevel.push(fieldOf(null, key, schema as z.ZodType));
  }
  return [{ group: null, title: 'General', fields: topLevel }, ...groups];
})();

export function valueAt(record: Record<string, unknown> | null | undefined, field: ParameterField): unknown {
  if (!record) return undefined;
  if (!field.group) return record[field.key];
  return (record[field.group] as Record<string, unknown> | undefined)?.[field.key];
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'auto';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.length === 0 ? 'none' : value.join(', ');
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((row) => rowText(row as object)).join('; ');
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k} ${v}`).join(', ');
  return String(value);
}

/** A level: its first two cells as "16 × 50", any further ones named ("coefficient downsample 4"). */
function rowText(row: object): string {
  const entries = Object.entries(row);
  const named = entries.slice(2).map(([k, v]) => `${readableName(k).toLowerCase()} ${v}`);
  return [entries.slice(0, 2).map(([, v]) => v).join(' × '), ...named].join(', ');
}

/** A cell as typed: a number (an integer where asked), or the cell's word; undefined for an optional cell left empty. */
export function parseCell(cell: ParameterCell, text: string): number | string | undefined {
  const trimmed = text.trim();
  if (cell.optional && trimmed === '') return undefined;
  if (cell.kind === 'integer-or-word' && trimmed === cell.word) return trimmed;
  const n = Number(trimmed);
  const integer = cell.kind !== 'number';
  if (trimmed === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new Error(`${cell.title}: expected ${integer ? 'an integer' : 'a number'}${cell.word ? ` or '${cell.word}'` : ''}`);
  return n;
}

/** Parses what the user typed for a field; throws with a short reason when it cannot. */
export function parseValue(field: ParameterField, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'auto') {
    if (field.optional) return undefined;
    throw new Error('a value is required');
  }
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const n = Number(trimmed);
      if (!Number.isFinite(n) || (field.kind === 'integer' && !Number.isInteger(n))) throw new Error(`expected ${field.kind === 'integer' ? 'an integer' : 'a number'}`);
      return n;
    }
    case 'choice':
    case 'text':
      return trimmed;
    case 'numbers': {
      if (trimmed === 'none') return [];
      const numbers = trimmed.split(/[\s,;]+/).filter(Boolean).map(Number);
      if (numbers.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('expected whole numbers separated by commas, such as 200, 100, 50');
      return numbers;
    }
    case 'rows':
    case 'record':
    case 'json':
      // Rows and records have editors of their own; a typed value is JSON.
      return JSON.parse(trimmed);
  }
}
