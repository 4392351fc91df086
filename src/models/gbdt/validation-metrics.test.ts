import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../evaluate/ranking-metrics.js';
import { sortedRocAuc } from './validation-metrics.js';

describe('sortedRocAuc', () => {
  it('equals scikit-learn\'s roc_auc_score on scores with ties', () => {
    const reference = JSON.parse(readFileSync(new URL('../../../test/fixtures/pipeline/score-reference.json', import.meta.url), 'utf8')) as { binary: { predictions: number[]; label: number[]; roc_auc: number } };
    expect(sortedRocAuc(reference.binary.predictions, reference.binary.label)).toBeCloseTo(reference.binary.roc_auc, 12);
  });

  it('equals the rank-based AUC on any scores, ties and one-class sets included', () => {
    const rows = fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(rows, (pairs) => {
        const scores = pairs.map(([score]) => score / 2);
        const label = pairs.map(([, positive]) => (positive ? 1 : 0));
        const expected = rocAuc(scores, label);
        const actual = sortedRocAuc(scores, label);
        return Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) < 1e-12;
      }),
    );
  });
});
