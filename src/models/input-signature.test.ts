import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownMlcycleError } from '../../test/support/thrown.js';
import { inferSignature, resolveInputs, toRowMajor, type FeatureSignature } from './input-signature.js';

const SIGNATURE: FeatureSignature[] = [
  { name: 'distance', type: 'numeric' },
  { name: 'origin', type: 'categorical', categories: ['ATL', 'BOS', 'SFO'] },
];

describe('resolveInputs', () => {
  it('reads named columns and rows of objects alike, ignoring extra columns', () => {
    const columns = { distance: [100, null, 250.5], origin: ['SFO', 'ATL', null], extra: ['x', 'y', 'z'] };
    const rows = [
      { distance: 100, origin: 'SFO', extra: 1 },
      { distance: null, origin: 'ATL' },
      { distance: 250.5, origin: undefined },
    ];
    for (const input of [columns, rows]) {
      const resolved = resolveInputs(SIGNATURE, input);
      expect(resolved.rows).toBe(3);
      expect(Array.from(resolved.columns[0] ?? [])).toEqual([100, NaN, 250.5]);
      expect(Array.from(resolved.columns[1] ?? [])).toEqual([2, 0, NaN]);
      expect(Array.from(toRowMajor(resolved))).toEqual([100, 2, NaN, 0, 250.5, NaN]);
    }
  });

  it('routes unseen categories like missing values', () => {
    const resolved = resolveInputs(SIGNATURE, { distance: [1, 2], origin: ['JFK', 'BOS'] });
    expect(Array.from(resolved.columns[1] ?? [])).toEqual([NaN, 1]);
  });

  it('names a missing column, and every missing column', () => {
    const error = thrownMlcycleError(() => resolveInputs(SIGNATURE, { dist: [1] }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/the numeric column "distance" is missing from the input \(and 1 more problems\)/);
    expect(error.issues.map((issue) => issue.path)).toEqual(['distance', 'origin']);
    expect(() => resolveInputs(SIGNATURE, [{ distance: 1 }])).toThrow(/the categorical column "origin" is missing/);
  });

  it('names the column and row of a string in a numeric column', () => {
    const error = thrownMlcycleError(() => resolveInputs(SIGNATURE, { distance: [1, '2', 3], origin: ['ATL', 'ATL', 'ATL'] }));
    expect(error.message).toMatch(/column "distance", row 1: expected a number, found the string "2"/);
    expect(error.issues[0]?.path).toBe('distance[1]');
  });

  it('summarises a wholly wrong column after 20 issues', () => {
    const error = thrownMlcycleError(() => resolveInputs(SIGNATURE, { distance: Array.from({ length: 50 }, () => 'far'), origin: Array.from({ length: 50 }, () => 'ATL') }));
    expect(error.issues).toHaveLength(21);
    expect(error.issues[20]?.message).toBe('and 30 more values of the wrong type');
  });

  it('refuses columns of different lengths', () => {
    expect(() => resolveInputs(SIGNATURE, { distance: [1, 2], origin: ['ATL'] })).toThrow(/origin: has 1 values where the first column has 2|has 1 values/);
  });

  it('takes codes for categorical columns whose names it does not know, and refuses names there', () => {
    const codesOnly: FeatureSignature[] = [{ name: 'airport', type: 'categorical' }];
    expect(Array.from(resolveInputs(codesOnly, { airport: [3, null] }).columns[0] ?? [])).toEqual([3, NaN]);
    expect(() => resolveInputs(codesOnly, { airport: ['ATL'] })).toThrow(/column "airport", row 0: the model knows this column's categories only by code/);
  });

  it('maps every category the signature knows to its code (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (categories, picks) => {
        const values = picks.map((pick) => categories[pick % categories.length] as string);
        const resolved = resolveInputs([{ name: 'c', type: 'categorical', categories }], { c: values });
        return Array.from(resolved.columns[0] ?? []).every((code, row) => categories[code] === values[row]);
      }),
    );
  });
});

describe('inferSignature', () => {
  it('types columns of numbers as numeric, anything else as categorical with sorted categories', () => {
    const input = { a: [1, null, 3], b: ['y', 'x', null, 'y'].slice(0, 3), c: [1, 2, 3] };
    expect(inferSignature(input, [{ name: 'a' }, { name: 'b' }, { name: 'c', type: 'categorical' }])).toEqual([
      { name: 'a', type: 'numeric' },
      { name: 'b', type: 'categorical', categories: ['x', 'y'] },
      { name: 'c', type: 'categorical', categories: ['1', '2', '3'] },
    ]);
    expect(() => inferSignature(input, [{ name: 'd' }])).toThrow(/training input: the column "d" is missing/);
  });
});
