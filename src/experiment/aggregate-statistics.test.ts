import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsEngine } from '../store/analytics.js';
import { openDuckDb } from '../store/duckdb/engine.js';
import { seededRandom } from '../stats/random.js';
import { aggregateStatistics, type MetricColumns } from './aggregate-statistics.js';
import { analysisInputSchema } from './analysis-input.js';
import { analyzeExperiment } from './analyze-experiment.js';

interface Unit {
  unit: number;
  arms: string[];
  region: string;
  events: { revenue: number; clicks: number; sessions: number }[];
}

/** 1,500 units, 1% of them exposed to both arms, 0-4 outcome events each. */
function makeUnits(): Unit[] {
  const random = seededRandom(99);
  return Array.from({ length: 1500 }, (_, unit) => {
    const arm = random() < 0.5 ? 'control' : 'treatment';
    const arms = random() < 0.01 ? ['control', 'treatment'] : [arm];
    const events = Array.from({ length: Math.floor(random() * 5) }, () => ({ revenue: Math.round(random() * 1000) / 10, clicks: Math.floor(random() * 3), sessions: 1 + Math.floor(random() * 2) }));
    return { unit, arms, region: random() < 0.3 ? 'EU' : 'US', events };
  });
}

const METRICS: MetricColumns[] = [
  { id: 'revenue', kind: 'mean', value: 'revenue' },
  { id: 'purchased', kind: 'proportion', value: 'revenue' },
  { id: 'clicks-per-session', kind: 'ratio', numerator: 'clicks', denominator: 'sessions' },
];

describe('sufficient statistics aggregated in DuckDB', () => {
  const units = makeUnits();
  let engine: AnalyticsEngine;

  beforeAll(async () => {
    engine = await openDuckDb();
    const exposures = units.flatMap((unit) => unit.arms.map((arm) => `(${unit.unit}, '${arm}', '${unit.region}')`));
    await engine.run(`CREATE TABLE exposures AS SELECT * FROM (VALUES ${exposures.join(',')}) AS t(user_id, variant, region)`);
    const events = units.flatMap((unit) => unit.events.map((event) => `(${unit.unit}, ${event.revenue}, ${event.clicks}, ${event.sessions})`));
    await engine.run(`CREATE TABLE outcomes AS SELECT * FROM (VALUES ${events.join(',')}) AS t(user_id, revenue, clicks, sessions)`);
  });

  afterAll(async () => {
    await engine.close();
  });

  it('match the statistics computed unit by unit, overall and per segment, without units seen in both arms', async () => {
    const source = { exposures: { relation: 'exposures', unit: 'user_id', arm: 'variant', segment: 'region' }, outcomes: { relation: 'outcomes', unit: 'user_id' } };
    const aggregated = await aggregateStatistics(engine, source, METRICS);
    expect(aggregated.multipleExposures).toBe(units.filter((unit) => unit.arms.length > 1).length);
    for (const segment of [null, 'EU', 'US']) {
      for (const arm of ['control', 'treatment']) {
        const members = units.filter((unit) => unit.arms.length === 1 && unit.arms[0] === arm && (segment === null || unit.region === segment));
        const sums = (pick: (event: Unit['events'][number]) => number) => members.map((unit) => unit.events.reduce((total, event) => total + pick(event), 0));
        const revenue = sums((event) => event.revenue);
        const clicks = sums((event) => event.clicks);
        const sessions = sums((event) => event.sessions);
        const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
        const of = (id: string) => (segment === null ? aggregated.metrics[id]?.arms[arm] : aggregated.metrics[id]?.segments[segment]?.[arm]);
        const close = (value: unknown, expected: number) => expect(value as number).toBeCloseTo(expected, 6);
        const revenueStatistics = of('revenue') as { n: number; sum: number; sumSquares: number };
        expect(revenueStatistics.n).toBe(members.length);
        close(revenueStatistics.sum, total(revenue));
        close(revenueStatistics.sumSquares, total(revenue.map((value) => value * value)));
        expect(of('purchased')).toEqual({ n: members.length, successes: revenue.filter((value) => value > 0).length });
        const ratio = of('clicks-per-session') as unknown as Record<string, number>;
        close(ratio.numeratorSum, total(clicks));
        close(ratio.denominatorSumSquares, total(sessions.map((value) => value * value)));
        close(ratio.numeratorDenominatorSum, total(clicks.map((value, index) => value * (sessions[index] ?? 0))));
      }
    }
  });

  it('give CUPED its pre-period covariates: the same columns summed per unit before the test, with every cross-product', async () => {
    // Pre-period: one or two rows for two thirds of the units, none for the rest (they count as zero).
    const random = seededRandom(7);
    const pre = units.flatMap((unit) => (unit.unit % 3 === 0 ? [] : Array.from({ length: 1 + (unit.unit % 2) }, () => ({ unit: unit.unit, revenue: Math.round(random() * 500) / 10, clicks: Math.floor(random() * 4), sessions: 1 + Math.floor(random() * 3) }))));
    await engine.run(`CREATE OR REPLACE TABLE pre_period AS SELECT * FROM (VALUES ${pre.map((row) => `(${row.unit}, ${row.revenue}, ${row.clicks}, ${row.sessions})`).join(',')}) AS t(user_id, revenue, clicks, sessions)`);
    const source = {
      exposures: { relation: 'exposures', unit: 'user_id', arm: 'variant' },
      outcomes: { relation: 'outcomes', unit: 'user_id' },
      prePeriod: { relation: 'pre_period', unit: 'user_id' },
    };
    const metrics: MetricColumns[] = [
      { id: 'revenue', kind: 'mean', value: 'revenue', cuped: true },
      { id: 'clicks-per-session', kind: 'ratio', numerator: 'clicks', denominator: 'sessions', cuped: true },
      { id: 'purchased', kind: 'proportion', value: 'revenue', cuped: true },
    ];
    const aggregated = await aggregateStatistics(engine, source, metrics);
    const members = units.filter((unit) => unit.arms.length === 1 && unit.arms[0] === 'treatment');
    const post = (unit: Unit, key: 'revenue' | 'clicks' | 'sessions') => unit.events.reduce((total, event) => total + event[key], 0);
    const before = (unit: Unit, key: 'revenue' | 'clicks' | 'sessions') => pre.filter((row) => row.unit === unit.unit).reduce((total, row) => total + row[key], 0);
    const total = (pick: (unit: Unit) => number) => members.reduce((sum, unit) => sum + pick(unit), 0);
    const revenue = aggregated.metrics.revenue?.arms.treatment as unknown as { covariate: Record<string, number> };
    expect(revenue.covariate.sum).toBeCloseTo(total((unit) => before(unit, 'revenue')), 6);
    expect(revenue.covariate.sumSquares).toBeCloseTo(total((unit) => before(unit, 'revenue') ** 2), 4);
    expect(revenue.covariate.metricCovariateSum).toBeCloseTo(total((unit) => post(unit, 'revenue') * before(unit, 'revenue')), 4);
    const ratio = aggregated.metrics["clicks-per-session"]?.arms.treatment as unknown as { covariate: Record<string, number> };
    expect(ratio.covariate).toEqual({
      numeratorSum: total((unit) => before(unit, 'clicks')),
      numeratorSumSquares: total((unit) => before(unit, 'clicks') ** 2),
      denominatorSum: total((unit) => before(unit, 'sessions')),
      denominatorSumSquares: total((unit) => before(unit, 'sessions') ** 2),
      numeratorDenominatorSum: total((unit) => before(unit, 'clicks') * before(unit, 'sessions')),
      postNumeratorNumeratorSum: total((unit) => post(unit, 'clicks') * before(unit, 'clicks')),
      postNumeratorDenominatorSum: total((unit) => post(unit, 'clicks') * before(unit, 'sessions')),
      postDenominatorNumeratorSum: total((unit) => post(unit, 'sessions') * before(unit, 'clicks')),
      postDenominatorDenominatorSum: total((unit) => post(unit, 'sessions') * before(unit, 'sessions')),
    });
    // A proportion's covariate is 0/1 by the outcome's rule (the pre-period revenue sums above zero).
    const converted = (value: number) => (value > 0 ? 1 : 0);
    const preConverted = total((unit) => converted(before(unit, 'revenue')));
    expect(aggregated.metrics.purchased?.arms.treatment).toEqual({
      n: members.length,
      successes: total((unit) => converted(post(unit, 'revenue'))),
      covariate: { sum: preConverted, sumSquares: preConverted, metricCovariateSum: total((unit) => converted(post(unit, 'revenue')) * converted(before(unit, 'revenue'))) },
    });
    await expect(aggregateStatistics(engine, { ...source, prePeriod: undefined } as never, metrics)).rejects.toThrow(/pre-period/);
  });

  it('feed the analysis directly', async () => {
    const source = { exposures: { relation: 'exposures', unit: 'user_id', arm: 'variant' }, outcomes: { relation: 'outcomes', unit: 'user_id' } };
    const aggregated = await aggregateStatistics(engine, source, METRICS);
    const input = analysisInputSchema.parse({
      name: 'from-duckdb',
      arms: Object.entries(aggregated.units).map(([id, units]) => ({ id, weight: 1, units })),
      multipleExposures: aggregated.multipleExposures,
      metrics: METRICS.map((metric) => ({ id: metric.id, kind: metric.kind, arms: aggregated.metrics[metric.id]?.arms })),
    });
    const analysis = analyzeExperiment(input);
    expect(analysis.metrics.map((metric) => metric.comparisons[0]?.degeneracy)).toEqual([null, null, null]);
    expect(analysis.multipleExposures.flagged).toBe(analysis.multipleExposures.share > 0.01);
  });
});
