/**
 * `npm run bench -- stats` (issue 9). stats.analysis-10m-s: the full analysis of an experiment of
 * 10,000,000 exposure rows and 10,000,000 outcome events (3 arms, 5 metrics with a proportion, a ratio and a
 * guardrail, 10 segments, a pre-period for CUPED) stored as Parquet: DuckDB's aggregation to sufficient
 * statistics plus the engine; the target is under 3 s. The reference is pandas doing the same aggregation
 * (bench/stats-reference.py) on the same data in the same run, its CSV read excluded; since the mlcycle
 * figure includes reading Parquet, stats.analysis-10m-loaded-s also times mlcycle from tables already in
 * DuckDB, the like-for-like comparison. The two aggregations must agree (every sum to 1e-9 relative) or
 * the benchmark fails. Then the larger simulation figures (stats-simulation.ts).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregateStatistics, type AggregatedStatistics, type ExperimentSource, type MetricColumns } from '../src/experiment/aggregate-statistics.js';
import { analysisInputSchema } from '../src/experiment/analysis-input.js';
import { analyzeExperiment, type ExperimentAnalysis } from '../src/experiment/analyze-experiment.js';
import { quoteLiteral, type AnalyticsEngine } from '../src/store/analytics.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { medianSeconds, report } from './report.js';
import { ensureStatsBenchData } from './stats-data.js';
import { benchStatsSimulation } from './stats-simulation.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const METRICS: (MetricColumns & { role: 'primary' | 'secondary' | 'guardrail'; direction: 'increase' | 'decrease'; nonInferiorityMargin?: number })[] = [
  { id: 'conversion', kind: 'proportion', value: 'purchases', role: 'primary', direction: 'increase' },
  { id: 'revenue', kind: 'mean', value: 'revenue', cuped: true, role: 'primary', direction: 'increase' },
  { id: 'clicks-per-session', kind: 'ratio', numerator: 'clicks', denominator: 'sessions', cuped: true, role: 'secondary', direction: 'increase' },
  { id: 'purchases', kind: 'mean', value: 'purchases', cuped: true, role: 'secondary', direction: 'increase' },
  { id: 'latency-ms', kind: 'mean', value: 'latency_ms', role: 'guardrail', direction: 'decrease', nonInferiorityMargin: 0.02 },
];

/** Aggregation in DuckDB, then the engine: the timed unit of work. */
async function analyse(engine: AnalyticsEngine, source: ExperimentSource): Promise<{ statistics: AggregatedStatistics; analysis: ExperimentAnalysis }> {
  const statistics = await aggregateStatistics(engine, source, METRICS);
  const input = analysisInputSchema.parse({
    name: 'bench-10m',
    arms: Object.entries(statistics.units).map(([id, units]) => ({ id, weight: 1, units })),
    control: 'control',
    multipleExposures: statistics.multipleExposures,
    metrics: METRICS.map(({ id, kind, role, direction, nonInferiorityMargin }) => ({
      id,
      kind,
      role,
      direction,
      ...(nonInferiorityMargin === undefined ? {} : { nonInferiorityMargin }),
      arms: statistics.metrics[id]?.arms,
      segments: statistics.metrics[id]?.segments,
    })),
  });
  return { statistics, analysis: analyzeExperiment(input) };
}

/** Every number of `actual` within 1e-9 relative of `expected`, with the same keys; throws naming the first difference. */
function assertSameStatistics(actual: unknown, expected: unknown, where = 'statistics'): number {
  if (typeof expected === 'number') {
    const difference = Math.abs(Number(actual) - expected) / Math.max(1, Math.abs(expected));
    if (!(difference <= 1e-9)) throw new Error(`${where}: DuckDB ${String(actual)} but pandas ${expected}`);
    return 1;
  }
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) throw new Error(`${where}: shapes differ`);
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  let compared = 0;
  for (const key of keys) compared += assertSameStatistics((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
  return compared;
}

/** Runs the stats benchmarks and prints their summary lines. */
export async function benchStats(): Promise<void> {
  const engine = await openDuckDb();
  try {
    const folder = await ensureStatsBenchData(engine);
    const parquet = (name: string): string => `read_parquet(${quoteLiteral(path.join(folder, `${name}.parquet`))})`;
    const fromParquet: ExperimentSource = {
      exposures: { relation: parquet('exposures'), unit: 'user_id', arm: 'variant', segment: 'segment' },
      outcomes: { relation: parquet('outcomes'), unit: 'user_id' },
      prePeriod: { relation: parquet('pre_period'), unit: 'user_id' },
    };
    console.log(`stats: machine load before timing ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
    let result = await analyse(engine, fromParquet);
    const parquetSeconds = await medianSeconds(3, async () => (result = await analyse(engine, fromParquet)));
    for (const name of ['exposures', 'outcomes', 'pre_period']) await engine.run(`CREATE OR REPLACE TEMP TABLE bench_${name} AS SELECT * FROM ${parquet(name)}`);
    const fromTables: ExperimentSource = {
      exposures: { relation: 'bench_exposures', unit: 'user_id', arm: 'variant', segment: 'segment' },
      outcomes: { relation: 'bench_outcomes', unit: 'user_id' },
      prePeriod: { relation: 'bench_pre_period', unit: 'user_id' },
    };
    const loadedSeconds = await medianSeconds(3, async () => analyse(engine, fromTables));
    const output = execFileSync('/usr/bin/python3', [path.join(here, 'stats-reference.py'), folder, JSON.stringify(METRICS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const pandas = JSON.parse(output) as { seconds: number; statistics: AggregatedStatistics };
    const compared = assertSameStatistics(result.statistics, pandas.statistics);
    console.log(`stats: DuckDB and pandas agree on all ${compared} sums (1e-9 relative); machine load after ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    for (const decision of result.analysis.decisions) console.log(`stats: ${decision.arm}: ${decision.decision}`);
    report('stats.analysis-10m-s', parquetSeconds, pandas.seconds);
    report('stats.analysis-10m-loaded-s', loadedSeconds, pandas.seconds);
  } finally {
    await engine.close();
  }
  benchStatsSimulation();
}
