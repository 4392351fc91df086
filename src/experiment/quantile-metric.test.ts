/**
 * Quantile metrics: against a numpy/scipy implementation of the same published method
 * (test/fixtures/stats/make-quantile-reference.py) to 1e-6 relative, the DuckDB aggregation against the
 * same statistics computed here, and a seeded coverage simulation of the interval of a p90 difference.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test/support/stats-reference.js';
import { openDuckDb } from '../store/duckdb/engine.js';
import { standardNormal } from '../stats/random-variates.js';
import { normalQuantile } from '../stats/distributions.js';
import { seededRandom } from '../stats/random.js';
import { aggregateStatistics } from './aggregate-statistics.js';
import { analysisInputSchema } from './analysis-input.js';
import { analyzeExperiment } from './analyze-experiment.js';
import { quantileTest } from './comparison.js';
import { quantileArmEstimate, quantileRanks, quantileStatisticsOf, type QuantileStatistics } from './quantile-metric.js';

interface Reference {
  name: string;
  quantile: number;
  alpha: number;
  controlValues: number[];
  treatmentValues: number[];
  control: QuantileStatistics & { ranks: number[] };
  treatment: QuantileStatistics & { ranks: number[] };
  absolute: { estimate: number; standardError: number; pValue: number; interval: number[] };
  relative: { estimate: number; standardError: number; pValue: number; interval: number[] };
}

const { cases } = JSON.parse(readFileSync(new URL('../../test/fixtures/stats/quantile-reference.json', import.meta.url), 'utf8')) as { cases: Reference[] };

describe('quantile metrics against the numpy/scipy implementation of the order-statistic method', () => {
  it.each(cases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    for (const side of ['control', 'treatment'] as const) {
      const values = side === 'control' ? reference.controlValues : reference.treatmentValues;
      const { rank, lowerRank, upperRank } = quantileRanks(values.length, reference.quantile);
      expect([rank, lowerRank, upperRank]).toEqual(reference[side].ranks);
      const { n, estimate, lower, upper } = reference[side];
      expect(quantileStatisticsOf(values, reference.quantile)).toEqual({ n, estimate, lower, upper });
    }
    for (const scale of ['absolute', 'relative'] as const) {
      const result = quantileTest(quantileArmEstimate(reference.control), quantileArmEstimate(reference.treatment), { scale, alternative: 'two-sided', alpha: reference.alpha });
      if (result.degeneracy !== null) throw new Error(result.message);
      const expected = reference[scale];
      expectClose(result.effect.estimate, expected.estimate, `${scale} estimate`);
      expectClose(result.effect.standardError, expected.standardError, `${scale} standard error`);
      expectClose(result.pValue, expected.pValue, `${scale} p`);
      expectClose(result.interval[0], expected.interval[0] ?? NaN, `${scale} lower`);
      expectClose(result.interval[1], expected.interval[1] ?? NaN, `${scale} upper`);
    }
  });

  it('is degenerate below two units and with a band of width zero', () => {
    expect(quantileArmEstimate({ n: 1, estimate: 3, lower: 3, upper: 3 })).toBe('too-few-units');
    expect(quantileTest(quantileArmEstimate({ n: 50, estimate: 3, lower: 3, upper: 3 }), quantileArmEstimate({ n: 50, estimate: 3, lower: 3, upper: 3 }), { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 })).toMatchObject({ degeneracy: 'zero-variance' });
  });
});

describe('quantile metrics from DuckDB', () => {
  it('match the statistics of the per-unit values, per arm and per segment, and feed the analysis', async () => {
    const random = seededRandom(31);
    const units = Array.from({ length: 900 }, (_, unit) => ({ unit, arm: unit % 2 === 0 ? 'control' : 'treatment', region: unit % 3 === 0 ? 'EU' : 'US', events: Array.from({ length: Math.floor(random() * 4) }, () => Math.round(random() * 10000) / 100) }));
    const engine = await openDuckDb();
    try {
      await engine.run(`CREATE TABLE exposures AS SELECT * FROM (VALUES ${units.map((u) => `(${u.unit}, '${u.arm}', '${u.region}')`).join(',')}) AS t(user_id, variant, region)`);
      await engine.run(`CREATE TABLE outcomes AS SELECT * FROM (VALUES ${units.flatMap((u) => u.events.map((value) => `(${u.unit}, ${value})`)).join(',')}) AS t(user_id, amount)`);
      const source = { exposures: { relation: 'exposures', unit: 'user_id', arm: 'variant', segment: 'region' }, outcomes: { relation: 'outcomes', unit: 'user_id' } };
      const metrics = [{ id: 'spend-p90', kind: 'quantile' as const, value: 'amount', quantile: 0.9 }];
      const aggregated = await aggregateStatistics(engine, source, metrics);
      const perUnit = (arm: string, region?: string) => units.filter((u) => u.arm === arm && (region === undefined || u.region === region)).map((u) => u.events.reduce((a, b) => a + b, 0));
      for (const arm of ['control', 'treatment']) {
        const overall = aggregated.metrics['spend-p90']?.arms[arm] as QuantileStatistics;
        const expected = quantileStatisticsOf(perUnit(arm), 0.9);
        expect(overall.n).toBe(expected.n);
        for (const key of ['estimate', 'lower', 'upper'] as const) expect(overall[key]).toBeCloseTo(expected[key], 9);
        for (const region of ['EU', 'US']) {
          const inSegment = aggregated.metrics['spend-p90']?.segments[region]?.[arm] as QuantileStatistics;
          const expectedSegment = quantileStatisticsOf(perUnit(arm, region), 0.9);
          for (const key of ['n', 'estimate', 'lower', 'upper'] as const) expect(inSegment[key]).toBeCloseTo(expectedSegment[key], 9);
        }
      }
      const analysis = analyzeExperiment(
        analysisInputSchema.parse({
          name: 'quantile',
          arms: Object.entries(aggregated.units).map(([id, n]) => ({ id, weight: 1, units: n })),
          metrics: [{ id: 'spend-p90', kind: 'quantile', quantile: 0.9, arms: aggregated.metrics['spend-p90']?.arms, segments: aggregated.metrics['spend-p90']?.segments }],
        }),
      );
      expect(analysis.metrics[0]?.comparisons[0]).toMatchObject({ method: 'quantile-z', degeneracy: null });
      expect(analysis.metrics[0]?.segments).toHaveLength(2);
    } finally {
      await engine.close();
    }
  });
});

describe('coverage of the 95% interval of a p90 difference (2,000 simulated experiments)', () => {
  it('covers the true difference of lognormal p90s at the nominal rate', () => {
    const random = seededRandom(4242);
    const [mu, sigma, shift, n] = [3, 0.8, 0.05, 1000];
    const p90 = (location: number): number => Math.exp(location + sigma * normalQuantile(0.9));
    const truth = p90(mu + shift) - p90(mu);
    const draw = (location: number): number[] => Array.from({ length: n }, () => Math.exp(location + sigma * standardNormal(random)));
    let covered = 0;
    const experiments = 2000;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const result = quantileTest(quantileArmEstimate(quantileStatisticsOf(draw(mu), 0.9)), quantileArmEstimate(quantileStatisticsOf(draw(mu + shift), 0.9)), { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 });
      if (result.degeneracy !== null) throw new Error(result.message);
      if (result.interval[0] <= truth && truth <= result.interval[1]) covered += 1;
    }
    const coverage = covered / experiments;
    console.log(`simulation: p90 difference 95% coverage = ${coverage.toFixed(4)} (${covered}/${experiments})`);
    expect(coverage).toBeGreaterThanOrEqual(0.93);
    expect(coverage).toBeLessThanOrEqual(0.97);
  });
});
