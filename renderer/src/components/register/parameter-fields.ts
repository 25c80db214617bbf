// The editable fields of the registration parameters, read from the contract's schema so
// that every parameter the engine takes appears, with its kind and choices, and nothing is
// listed by hand.

import { z } from 'zod';
import { registrationParametersSchema } from '../../../../shared/contract/index';

export interface ParameterField {
  /** 'alignment.samples', or 'resolutionMm' for top-level fields. */
  path: string;
  group: string | null;
  key: string;
  kind: 'number' | 'integer' | 'choice' | 'text' | 'json';
  choices?: string[];
  optional: boolean;
  /** What the parameter does, from the schema. */
  description?: string;
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let inner = schema;
  let optional = false;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodReadonly) {
    if (inner instanceof z.ZodOptional) optional = true;
    inner = (inner as z.ZodOptional<z.ZodType>).unwrap();
  }
  return { inner, optional };
}

function fieldOf(group: string | null, key: string, schema: z.ZodType): ParameterField {
  const { inner, optional } = unwrap(schema);
  const common = { path: group ? `${group}.${key}` : key, group, key, optional, description: schema.description };
  if (inner instanceof z.ZodEnum) return { ...common, kind: 'choice', choices: inner.options.map(String) };
  if (inner instanceof z.ZodNumber) return { ...common, kind: inner.format?.includes('int') ? 'integer' : 'number' };
  if (inner instanceof z.ZodString) return { ...common, kind: 'text' };
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
      groups.push({ group: key, title: key.charAt(0).toUpperCase() + key.slice(1), fields });
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
  return typeof value === 'string' ? value : JSON.stringify(value);
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
    case 'json':
      return JSON.parse(trimmed);
  }
}
