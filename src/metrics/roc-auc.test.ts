import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { radixSortFloat64 } from './radix-sort.js';
import { aucFromGroups, rocAucOfRows } from './roc-auc.js';
import { scoreGroups } from './score-order.js';

describe('rocAucOfRows (the class-sorted entry)', () => {
  it('equals scikit-learn\'s roc_auc_score on scores with ties', () => {
    const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/pipeline/score-reference.json', import.meta.url), 'utf8')) as { binary: { predictions: number[]; label: number[]; roc_auc: number } };
    expect(rocAucOfRows(reference.binary.label, reference.binary.predictions)).toBeCloseTo(reference.binary.roc_auc, 12);
  });

  it('equals the tie-group entry on any scores, ties and one-class sets included', () => {
    const rows = fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(rows, (pairs) => {
        const scores = pairs.map(([score]) => score / 2);
        const label = pairs.map(([, positive]) => (positive ? 1 : 0));
        const expected = aucFromGroups(scoreGroups(label, scores));
        const actual = rocAucOfRows(label, scores);
        return Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) < 1e-12;
      }),
    );
  });

  it('radix-sorts doubles as the typed arrays\' sort does, negatives, zeros and infinities included', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { maxLength: 200 }), (numbers) => {
        const values = Float64Array.from(numbers);
        radixSortFloat64(values);
        const expected = Float64Array.from(numbers).sort();
        // -0 and 0 are equal as numbers; compare them as numbers.
        return values.every((value, index) => value === expected[index] || (Number.isNaN(value) && Number.isNaN(expected[index])));
      }),
    );
  });

  it('radix-sorts a long array (the radix path, above 65,536 values) as the typed arrays\' sort does', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 2 ** 31 }), (pool, seed) => {
        // 70,000 values drawn from a small pool, so that ties, zeros and infinities recur.
        let state = seed;
        const values = Float64Array.from({ length: 70_000 }, () => {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0;
          return pool[state % pool.length] as number;
        });
        const expected = Float64Array.from(values).sort();
        radixSortFloat64(values);
        return values.every((value, index) => value === expected[index]);
      }),
      { numRuns: 20 },
    );
  });
});
