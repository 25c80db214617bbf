// The Advanced editor's fields, read from the contract: readable names, and editors for lists
// and levels instead of JSON, whose values the contract accepts.

import { describe, expect, it } from 'vitest';
import { registrationOverridesSchema } from '../../../shared/contract/index';
import { formatValue, parameterGroups, parseCell, parseValue, readableName, type ParameterField } from '../../../renderer/src/components/register/parameter-fields';

const fields = parameterGroups.flatMap((g) => g.fields);
const field = (path: string): ParameterField => fields.find((f) => f.path === path)!;

describe('the Advanced editor\'s fields', () => {
  it('reads camelCase keys as words, with units and acronyms', () => {
    expect(readableName('rotationSearchStepDegrees')).toBe('Rotation search step (degrees)');
    expect(readableName('priorSigmaMm')).toBe('Prior sigma (mm)');
    expect(readableName('gradIconWeight')).toBe('GradICON weight');
    expect(readableName('mindRadius')).toBe('MIND radius');
    expect(readableName('resolutionMm')).toBe('Resolution (mm)');
    expect(parameterGroups.map((g) => g.title)).toContain('Optimization');
  });

  it('edits no parameter as JSON: lists of numbers, levels as rows of cells, the CT window as a record', () => {
    expect(fields.filter((f) => f.kind === 'json').map((f) => f.path)).toEqual([]);
    expect(field('alignment.iterations').kind).toBe('numbers');
    expect(field('attention.levels').kind).toBe('rows');
    expect(field('attention.levels').cells!.map((c) => [c.key, c.kind])).toEqual([
      ['downsample', 'number'],
      ['window', 'integer-or-word'],
    ]);
    expect(field('optimization.levels').cells!.map((c) => c.title)).toEqual(['Control downsample', 'Iterations', 'Coefficient downsample']);
    // A spline level's coefficient grid may be left empty: an ordinary level.
    expect(field('optimization.levels').cells!.map((c) => c.optional ?? false)).toEqual([false, false, true]);
    expect(field('normalization.window').kind).toBe('record');
  });

  it('reads what is typed into values the contract accepts', () => {
    const iterations = parseValue(field('alignment.iterations'), '200, 100 50');
    expect(iterations).toEqual([200, 100, 50]);
    expect(formatValue(iterations)).toBe('200, 100, 50');
    expect(() => parseValue(field('alignment.iterations'), '200, x')).toThrow(/whole numbers/);
    const window = field('attention.levels').cells![1];
    expect(parseCell(window, 'global')).toBe('global');
    expect(parseCell(window, '3')).toBe(3);
    expect(() => parseCell(window, '2.5')).toThrow(/an integer or 'global'/);
    const overrides = { alignment: { iterations }, attention: { levels: [{ downsample: 4, window: 'global' }, { downsample: 2, window: 3 }] }, optimization: { levels: [] } };
    expect(registrationOverridesSchema.safeParse(overrides).success).toBe(true);
    expect(formatValue(overrides.attention.levels)).toBe('4 × global; 2 × 3');
    expect(formatValue([])).toBe('none');
    const coefficients = field('optimization.levels').cells![2];
    expect(parseCell(coefficients, '')).toBeUndefined();
    expect(parseCell(coefficients, '4')).toBe(4);
    const levels = [{ controlDownsample: 16, iterations: 50 }, { controlDownsample: 2, iterations: 100, coefficientDownsample: 4 }];
    expect(registrationOverridesSchema.safeParse({ optimization: { levels } }).success).toBe(true);
    expect(formatValue(levels)).toBe('16 × 50; 2 × 100, coefficient downsample 4');
    expect(registrationOverridesSchema.safeParse({ optimization: { levels: [{ controlDownsample: 4, iterations: 9, coefficientDownsample: 2 }] } }).success).toBe(false);
  });
});
