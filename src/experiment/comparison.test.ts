import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meanArmEstimate } from './arm-estimate.js';
import { twoProportionTest, welchTest } from './comparison.js';
import { adjustPValues } from './multiple-testing.js';
import { mergeMeanStatistics, type MeanStatistics } from './sufficient-statistics.js';
import { checkSampleRatio } from './sample-ratio.js';

const statistics = fc
  .array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 3, maxLength: 40 })
  .map((values): MeanStatistics => ({ n: values.length, sum: values.reduce((a, b) => a + b, 0), sumSquares: values.reduce((a, b) => a + b * b, 0) }));

describe('comparisons: degenerate input is a field of the result', () => {
  it('reports too few units', () => {
    const result = welchTest(meanArmEstimate({ n: 1, sum: 3, sumSquares: 9 }), meanArmEstimate({ n: 10, sum: 30, sumSquares: 100 }), { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 });
    expect(result).toMatchObject({ degeneracy: 'too-few-units', message: 'an arm has fewer than two units' });
  });

  it('reports zero variance when no arm varies', () => {
    const constant = { n: 10, sum: 20, sumSquares: 40 };
    expect(welchTest(meanArmEstimate(constant), meanArmEstimate(constant), { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 }).degeneracy).toBe('zero-variance');
    expect(twoProportionTest({ n: 100, successes: 0 }, { n: 100, successes: 0 }, { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 }).degeneracy).toBe('zero-variance');
  });

  it('reports a relative effect on a zero control mean', () => {
    const control = { n: 10, sum: 0, sumSquares: 10 };
    const treatment = { n: 10, sum: 5, sumSquares: 10 };
    expect(welchTest(meanArmEstimate(control), meanArmEstimate(treatment), { scale: 'relative', alternative: 'two-sided', alpha: 0.05 }).degeneracy).toBe('zero-control-mean');
  });
});

describe('comparisons: properties', () => {
  it('p-values lie in [0, 1] and two-sided intervals contain their estimate', () => {
    fc.assert(
      fc.property(statistics, statistics, fc.constantFrom('absolute' as const, 'relative' as const), (control, treatment, scale) => {
        const result = welchTest(meanArmEstimate(control), meanArmEstimate(treatment), { scale, alternative: 'two-sided', alpha: 0.05 });
        if (result.degeneracy !== null) return;
        expect(result.pValue).toBeGreaterThanOrEqual(0);
        expect(result.pValue).toBeLessThanOrEqual(1);
        expect(result.interval[0]).toBeLessThanOrEqual(result.effect.estimate);
        expect(result.interval[1]).toBeGreaterThanOrEqual(result.effect.estimate);
      }),
    );
  });

  it('merging sufficient statistics is associative', () => {
    fc.assert(
      fc.property(statistics, statistics, statistics, (a, b, c) => {
        const left = mergeMeanStatistics(mergeMeanStatistics(a, b), c);
        const right = mergeMeanStatistics(a, mergeMeanStatistics(b, c));
        expect(left.n).toBe(right.n);
        expect(left.sum).toBeCloseTo(right.sum, 6);
        expect(left.sumSquares).toBeCloseTo(right.sumSquares, 3);
      }),
    );
  });

  it('adjusted p-values are at least the raw ones, Holm at least Benjamini-Hochberg, and at most 1', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (pValues) => {
        const holm = adjustPValues(pValues, 'holm');
        const fdr = adjustPValues(pValues, 'benjamini-hochberg');
        pValues.forEach((p, index) => {
          expect(fdr[index]).toBeGreaterThanOrEqual(p);
          expect(holm[index]).toBeGreaterThanOrEqual((fdr[index] ?? 0) - 1e-15);
          expect(holm[index]).toBeLessThanOrEqual(1);
        });
      }),
    );
  });

  it('a sample ratio exactly on plan is no mismatch', () => {
    expect(checkSampleRatio([500, 1500], [1, 3])).toMatchObject({ statistic: 0, pValue: 1, mismatch: false });
  });
});

describe('two-proportion z-test: p-value and interval from one standard error', () => {
  const counts = fc.integer({ min: 2, max: 5000 }).chain((n) => fc.record({ n: fc.constant(n), successes: fc.integer({ min: 0, max: n }) }));
  const alternatives = fc.constantFrom('two-sided' as const, 'greater' as const, 'less' as const);

  it('the interval excludes zero exactly when p < alpha, on both scales', () => {
    let decided = 0;
    fc.assert(
      fc.property(counts, counts, alternatives, fc.constantFrom('absolute' as const, 'relative' as const), fc.constantFrom(0.01, 0.05, 0.1), (control, treatment, alternative, scale, alpha) => {
        const result = twoProportionTest(control, treatment, { scale, alternative, alpha });
        if (result.degeneracy !== null) return;
        const [lower, upper] = result.interval;
        const excludes = lower > 0 || upper < 0;
        // ties at the boundary are decided by rounding on either side; keep clear of them
        if (Math.abs(result.pValue - alpha) < 1e-9) return;
        if (excludes) decided += 1;
        expect(excludes).toBe(result.pValue < alpha);
      }),
      { numRuns: 2000, seed: 16 },
    );
    expect(decided).toBeGreaterThan(100);
  });

  it('control 106/2000 against treatment 16/500 (issue 16) no longer contradicts itself', () => {
    for (const scale of ['absolute', 'relative'] as const) {
      const result = twoProportionTest({ n: 2000, successes: 106 }, { n: 500, successes: 16 }, { scale, alternative: 'two-sided', alpha: 0.05 });
      if (result.degeneracy !== null) throw new Error(result.message);
      expect(result.interval[1]).toBeLessThan(0);
      expect(result.pValue).toBeLessThan(0.05);
    }
  });
});
