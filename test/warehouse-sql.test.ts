/**
 * Warehouse SQL: the experiment's sufficient statistics by arm and by arm and segment (mean, proportion
 * and ratio metrics with CUPED covariates, quantiles) come from one SQL definition
 * (src/experiment/aggregate-statistics.ts) that DuckDB and PostgreSQL both run. The same exposures and
 * outcomes are loaded into each; the statistics must be identical. Values are multiples of 1/8, so every
 * sum and product is exact in double precision and the engines' different summation orders cannot differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateStatistics, type ExperimentSource, type MetricColumns } from '../src/experiment/aggregate-statistics.js';
import type { AnalyticsEngine } from '../src/store/analytics.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { openPostgresAnalytics } from '../src/store/postgres/analytics-engine.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

/** A small deterministic generator (a 32-bit LCG, Numerical Recipes' constants) for reproducible data. */
function generator(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

const ARMS = ['control', 'fast', 'slow'];
const SEGMENTS = ['web', 'app', '__proto__'];

function dataset() {
  const next = generator(2026);
  const exposures: [string, string, string][] = [];
  const outcomes: [string, string, number][] = [];
  const pre: [string, string, number][] = [];
  for (let index = 0; index < 3000; index++) {
    const unit = `u${index}`;
    const arm = ARMS[next(3)] as string;
    const segment = SEGMENTS[next(3)] as string;
    for (let seen = 0; seen <= next(3); seen++) exposures.push([unit, arm, segment]);
    // About 2% of units also see a second arm: counted, then left out of every statistic.
    if (next(50) === 0) exposures.push([unit, ARMS[(ARMS.indexOf(arm) + 1) % 3] as string, segment]);
    const lift = arm === 'fast' ? 40 : 0;
    for (let event = 0; event < next(5); event++) outcomes.push([unit, ['purchase', 'rebook', 'minutes'][next(3)] as string, (next(800) + lift) / 8]);
    for (let event = 0; event < next(4); event++) pre.push([unit, ['purchase', 'rebook', 'minutes'][next(3)] as string, next(800) / 8]);
  }
  return { exposures, outcomes, pre };
}

const METRICS: MetricColumns[] = [
  { id: 'revenue', kind: 'mean', value: { expression: "CASE WHEN event = 'purchase' THEN value END" }, cuped: true },
  { id: 'rebooked', kind: 'proportion', value: { expression: "CASE WHEN event = 'rebook' THEN 1 ELSE 0 END" }, cuped: true },
  { id: 'minutes_per_purchase', kind: 'ratio', numerator: { expression: "CASE WHEN event = 'minutes' THEN value END" }, denominator: { expression: "CASE WHEN event = 'purchase' THEN 1 ELSE 0 END" }, cuped: true },
  { id: 'median_revenue', kind: 'quantile', value: { expression: "CASE WHEN event = 'purchase' THEN value END" }, quantile: 0.5 },
  { id: 'p90_minutes', kind: 'quantile', value: { expression: "CASE WHEN event = 'minutes' THEN value END" }, quantile: 0.9 },
];

const SOURCE: ExperimentSource = {
  exposures: { relation: 'exposures', unit: 'unit', arm: 'arm', segment: 'segment' },
  outcomes: { relation: 'outcomes', unit: 'unit' },
  prePeriod: { relation: 'pre_period', unit: 'unit' },
};

/** Creates and fills the three tables with the same statements on either engine. */
async function load(engine: AnalyticsEngine, data: ReturnType<typeof dataset>): Promise<void> {
  const text = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const tables: [string, string, (string | number)[][]][] = [
    ['exposures', 'unit VARCHAR, arm VARCHAR, segment VARCHAR', data.exposures],
    ['outcomes', 'unit VARCHAR, event VARCHAR, value DOUBLE PRECISION', data.outcomes],
    ['pre_period', 'unit VARCHAR, event VARCHAR, value DOUBLE PRECISION', data.pre],
  ];
  for (const [name, columns, rows] of tables) {
    await engine.run(`CREATE TABLE ${name} (${columns})`);
    for (let start = 0; start < rows.length; start += 2000) {
      const values = rows.slice(start, start + 2000).map((row) => `(${row.map((value) => (typeof value === 'number' ? String(value) : text(value))).join(', ')})`);
      await engine.run(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
    }
  }
}

let database: TestDatabase;
let duck: AnalyticsEngine;
let warehouse: AnalyticsEngine;
const data = dataset();

beforeAll(async () => {
  database = await createTestDatabase();
  duck = await openDuckDb();
  warehouse = openPostgresAnalytics(database.uri);
  await load(duck, data);
  await load(warehouse, data);
}, 60_000);

afterAll(async () => {
  await duck?.close();
  await warehouse?.close();
  await database?.drop();
});

describe('warehouse SQL: the experiment aggregation on DuckDB and on PostgreSQL', () => {
  it('gives identical sufficient statistics by arm and by arm and segment, CUPED covariates and quantiles included', async () => {
    const inDuckDb = await aggregateStatistics(duck, SOURCE, METRICS);
    const inPostgres = await aggregateStatistics(warehouse, SOURCE, METRICS);
    expect(inPostgres).toEqual(inDuckDb);

    // And both are right: unit counts and one metric's sums against a direct computation here.
    const arms = new Map<string, Set<string>>();
    for (const [unit, arm] of data.exposures) arms.set(unit, (arms.get(unit) ?? new Set()).add(arm));
    const single = [...arms].filter(([, seen]) => seen.size === 1);
    expect(inDuckDb.multipleExposures).toBe(arms.size - single.length);
    expect(inDuckDb.multipleExposures).toBeGreaterThan(20);
    const revenue = new Map<string, number>();
    for (const [unit, event, value] of data.outcomes) if (event === 'purchase') revenue.set(unit, (revenue.get(unit) ?? 0) + value);
    for (const arm of ARMS) {
      const units = single.filter(([, seen]) => seen.has(arm)).map(([unit]) => unit);
      expect(inDuckDb.units[arm]).toBe(units.length);
      expect(inDuckDb.metrics.revenue?.arms[arm]).toMatchObject({ n: units.length, sum: units.reduce((sum, unit) => sum + (revenue.get(unit) ?? 0), 0), sumSquares: units.reduce((sum, unit) => sum + (revenue.get(unit) ?? 0) ** 2, 0) });
    }
    expect(Object.keys(inPostgres.metrics.rebooked?.segments ?? {}).sort()).toEqual([...SEGMENTS].sort());
    expect(inPostgres.metrics.median_revenue?.segments.__proto__?.fast).toMatchObject({ n: expect.any(Number), estimate: expect.any(Number) });
  }, 60_000);

  it('also for exposures already reduced to one row per unit', async () => {
    await duck.run('CREATE TABLE per_unit_exposures AS SELECT unit, CASE WHEN min(arm) = max(arm) THEN min(arm) END AS arm, min(segment) AS segment FROM exposures GROUP BY unit');
    await warehouse.run('CREATE TABLE per_unit_exposures AS SELECT unit, CASE WHEN min(arm) = max(arm) THEN min(arm) END AS arm, min(segment) AS segment FROM exposures GROUP BY unit');
    const source: ExperimentSource = { ...SOURCE, exposures: { relation: 'per_unit_exposures', unit: 'unit', arm: 'arm', segment: 'segment', perUnit: true } };
    const inDuckDb = await aggregateStatistics(duck, source, METRICS);
    expect(await aggregateStatistics(warehouse, source, METRICS)).toEqual(inDuckDb);
    expect(inDuckDb.metrics.revenue?.arms).toEqual((await aggregateStatistics(duck, SOURCE, METRICS)).metrics.revenue?.arms);
  }, 60_000);
});
