import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeExperiment } from './analyze-experiment.js';
import { analysisInputSchema } from './analysis-input.js';
import { pooledProportionTest } from './comparison.js';
import { consistencyIssues } from './consistency-issues.js';
import { pooledScoreTest, type ProportionCounts } from './proportion-score.js';

/** statsmodels 0.13.5 values written by test/fixtures/stats/make-pooled-reference.py. */
interface Reference {
  cases: { control: ProportionCounts; treatment: ProportionCounts; alternative: 'two-sided' | 'greater' | 'less'; alpha: number; statistic: number; pValue: number; absolute?: [number | null, number | null]; relative?: [number | null, number | null] }[];
  nonInferiority: { control: ProportionCounts; treatment: ProportionCounts; margin: number; direction: 'increase' | 'decrease'; absolute?: number; relative?: number }[];
}
const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/stats/pooled-reference.json', import.meta.url), 'utf8')) as Reference;

/** A bound of the reference, null meaning an open side. */
function expectBound(actual: number, expected: number | null, tolerance: number): void {
  if (expected === null) expect(Math.abs(actual)).toBe(Infinity);
  else expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

describe('pooled z-test of two proportions against statsmodels', () => {
  it.each(reference.cases.map((entry) => [`${entry.treatment.successes}/${entry.treatment.n} vs ${entry.control.successes}/${entry.control.n}, ${entry.alternative}, alpha ${entry.alpha}`, entry] as const))('%s', (_name, entry) => {
    const absolute = pooledScoreTest(entry.control, entry.treatment, { scale: 'absolute', alternative: entry.alternative, alpha: entry.alpha });
    if (absolute === null) throw new Error('expected a test');
    // proportions_ztest: the same statistic and p-value
    expect(absolute.statistic).toBeCloseTo(entry.statistic, 11);
    expect(Math.abs(absolute.pValue - entry.pValue)).toBeLessThanOrEqual(1e-12 + 1e-10 * entry.pValue);
    // the inverted score interval (brentq on statsmodels' statistic, xtol 1e-14), where statsmodels' constrained
    // rates are proportions (make-pooled-reference.py leaves the interval out where they are not)
    if (entry.absolute !== undefined) {
      expectBound(absolute.interval[0], entry.absolute[0], 1e-11);
      expectBound(absolute.interval[1], entry.absolute[1], 1e-11);
    }
    const relative = pooledScoreTest(entry.control, entry.treatment, { scale: 'relative', alternative: entry.alternative, alpha: entry.alpha });
    if (entry.relative === undefined) {
      expect(relative).toBeNull();
      return;
    }
    if (relative === null) throw new Error('expected a test');
    // at a ratio of one the score statistic is the pooled z again: one p-value on both scales
    expect(Math.abs(relative.pValue - entry.pValue)).toBeLessThanOrEqual(1e-12 + 1e-10 * entry.pValue);
    // Koopman's closed form in statsmodels' confint_proportions_2indep(method="score", compare="ratio")
    expectBound(relative.interval[0], entry.relative[0], 1e-9);
    expectBound(relative.interval[1], entry.relative[1], 1e-9);
  });

  it.each(reference.nonInferiority.map((entry) => [`${entry.treatment.successes}/${entry.treatment.n} vs ${entry.control.successes}/${entry.control.n}, margin ${entry.margin}, ${entry.direction}`, entry] as const))('non-inferiority at the margin: %s', (_name, entry) => {
    const increase = entry.direction === 'increase';
    const options = { alternative: increase ? ('greater' as const) : ('less' as const), alpha: 0.05, nullValue: increase ? -entry.margin : entry.margin };
    if (entry.absolute !== undefined) {
      const absolute = pooledScoreTest(entry.control, entry.treatment, { scale: 'absolute', ...options });
      expect(Math.abs((absolute?.pValue ?? NaN) - entry.absolute)).toBeLessThanOrEqual(1e-12 + 1e-9 * entry.absolute);
    }
    if (entry.relative === undefined) return;
    const relative = pooledScoreTest(entry.control, entry.treatment, { scale: 'relative', ...options });
    expect(Math.abs((relative?.pValue ?? NaN) - entry.relative)).toBeLessThanOrEqual(1e-12 + 1e-9 * entry.relative);
  });
});

describe('pooled z-test: the interval agrees with the p-value', () => {
  const counts = fc.integer({ min: 2, max: 5000 }).chain((n) => fc.record({ n: fc.constant(n), successes: fc.integer({ min: 0, max: n }) }));
  const alternatives = fc.constantFrom('two-sided' as const, 'greater' as const, 'less' as const);

  it('excludes zero exactly when p < alpha, on both scales, and contains the estimate', () => {
    let excluding = 0;
    fc.assert(
      fc.property(counts, counts, alternatives, fc.constantFrom('absolute' as const, 'relative' as const), fc.constantFrom(0.01, 0.05, 0.1), (control, treatment, alternative, scale, alpha) => {
        const result = pooledProportionTest(control, treatment, { scale, alternative, alpha });
        if (result.degeneracy !== null) return;
        const [lower, upper] = result.interval;
        expect(lower).toBeLessThanOrEqual(result.effect.estimate + 1e-12);
        expect(upper).toBeGreaterThanOrEqual(result.effect.estimate - 1e-12);
        if (Math.abs(result.pValue - alpha) < 1e-9) return;
        const excludes = lower > 0 || upper < 0;
        if (excludes) excluding += 1;
        expect(excludes).toBe(result.pValue < alpha);
      }),
      { numRuns: 2000, seed: 25 },
    );
    expect(excluding).toBeGreaterThan(100);
  });
});

describe('proportionTest: pooled-z in an analysis', () => {
  const input = (options: object, covariate = false) =>
    analysisInputSchema.parse({
      name: 'checkout',
      arms: [
        { id: 'control', weight: 0.8, units: 2000 },
        { id: 'treatment', weight: 0.2, units: 500 },
      ],
      metrics: [
        {
          id: 'conversion',
          kind: 'proportion',
          arms: {
            control: { n: 2000, successes: 106, ...(covariate ? { covariate: { sum: 100, sumSquares: 100, metricCovariateSum: 50 } } : {}) },
            treatment: { n: 500, successes: 16, ...(covariate ? { covariate: { sum: 25, sumSquares: 25, metricCovariateSum: 10 } } : {}) },
          },
        },
        { id: 'refunds', kind: 'proportion', role: 'guardrail', direction: 'decrease', nonInferiorityMargin: 0.01, arms: { control: { n: 2000, successes: 40 }, treatment: { n: 500, successes: 9 } } },
      ],
      options: { scale: 'absolute', ...options },
    });

  it('reports the pooled p-value with its score interval, and tests guardrails at the margin with the same test', () => {
    const analysis = analyzeExperiment(input({ proportionTest: 'pooled-z' }));
    const [conversion, refunds] = analysis.metrics;
    const comparison = conversion?.comparisons[0];
    if (comparison === undefined || comparison.degeneracy !== null) throw new Error('expected a comparison');
    expect(comparison.method).toBe('pooled-z');
    const expected = reference.cases.find((entry) => entry.control.successes === 106 && entry.alternative === 'two-sided' && entry.alpha === 0.05);
    expect(comparison.pValue).toBeCloseTo(expected?.pValue ?? NaN, 12);
    expectBound(comparison.interval[0], expected?.absolute?.[0] ?? null, 1e-11);
    expect(comparison.significant).toBe(false);
    const guardrail = refunds?.comparisons[0];
    if (guardrail === undefined || guardrail.degeneracy !== null || guardrail.nonInferiority === null) throw new Error('expected a guardrail test');
    const direct = pooledScoreTest({ n: 2000, successes: 40 }, { n: 500, successes: 9 }, { scale: 'absolute', alternative: 'less', alpha: 0.05, nullValue: 0.01 });
    expect(guardrail.nonInferiority.pValue).toBe(direct?.pValue);
    // the default stays gbstats' unpooled t
    const unpooled = analyzeExperiment(input({})).metrics[0]?.comparisons[0];
    expect(unpooled?.degeneracy === null ? unpooled.method : null).toBe('two-proportion-t');
  });

  it('is refused with sequential tests, and with CUPED on a proportion that carries covariates', () => {
    expect(consistencyIssues(input({ proportionTest: 'pooled-z', sequential: { method: 'confidence-sequence' } }))).toEqual([
      { segments: ['options', 'proportionTest'], message: 'pooled-z is a fixed-horizon test; with options.sequential use the default unpooled-t' },
    ]);
    expect(consistencyIssues(input({ proportionTest: 'pooled-z' }, true))[0]?.message).toMatch(/no CUPED form, and metrics\[0\] carries covariates/);
    expect(consistencyIssues(input({ proportionTest: 'pooled-z', cuped: false }, true))).toEqual([]);
  });
});
