/**
 * Sufficient statistics in SQL, so that the engine never holds unit-level rows: outcomes are first summed
 * per unit of randomisation (the unit is what was randomised, so it is what varies independently; Kohavi,
 * Tang and Xu 2020, ch. 18), then counts, sums, sums of squares and cross-products are taken per arm and
 * per arm and segment in one GROUPING SETS query. Units exposed to more than one arm are counted and left out.
 */
import { quoteIdentifier, type AnalyticsEngine, type SqlRow } from '../store/analytics.js';
import type { MeanStatistics, RatioStatistics } from './sufficient-statistics.js';

/** Where exposures and outcomes are: any relation the engine can read (a table, a view, `read_parquet(...)`). */
export interface ExperimentSource {
  /** One row per exposure: the unit, its arm and, optionally, its segment. */
  exposures: { relation: string; unit: string; arm: string; segment?: string };
  /** One row per outcome event of a unit; units without events count as zero. */
  outcomes: { relation: string; unit: string };
}

/** A metric as columns of the outcome relation. */
export type MetricColumns =
  | { id: string; kind: 'mean'; value: string }
  | { id: string; kind: 'proportion'; value: string }
  | { id: string; kind: 'ratio'; numerator: string; denominator: string };

/** Per metric, per arm (and per segment and arm), the statistics the analysis input takes. */
export interface AggregatedStatistics {
  units: Record<string, number>;
  multipleExposures: number;
  metrics: Record<string, { arms: Record<string, MeanStatistics | RatioStatistics | { n: number; successes: number }>; segments: Record<string, Record<string, MeanStatistics | RatioStatistics | { n: number; successes: number }>> }>;
}

/** Runs the aggregation; a proportion counts a unit as a success when its values sum above zero. */
export async function aggregateStatistics(engine: AnalyticsEngine, source: ExperimentSource, metrics: readonly MetricColumns[]): Promise<AggregatedStatistics> {
  const sql = aggregationSql(source, metrics);
  const rows = await engine.query(sql);
  const [exposureRow] = await engine.query(multipleExposureSql(source));
  const result: AggregatedStatistics = { units: {}, multipleExposures: Number(exposureRow?.units ?? 0), metrics: {} };
  for (const metric of metrics) result.metrics[metric.id] = { arms: {}, segments: {} };
  for (const row of rows) {
    const arm = String(row.arm);
    const segment = Number(row.by_segment) === 1 ? null : String(row.segment);
    if (segment === null) result.units[arm] = Number(row.n);
    metrics.forEach((metric, index) => {
      const statistics = metricStatistics(metric, row, index);
      const target = result.metrics[metric.id];
      if (target === undefined) return;
      if (segment === null) target.arms[arm] = statistics;
      else (target.segments[segment] ??= {})[arm] = statistics;
    });
  }
  return result;
}

function metricStatistics(metric: MetricColumns, row: SqlRow, index: number): MeanStatistics | RatioStatistics | { n: number; successes: number } {
  const n = Number(row.n);
  const value = (name: string): number => Number(row[`m${index}_${name}`] ?? 0);
  if (metric.kind === 'proportion') return { n, successes: value('successes') };
  if (metric.kind === 'mean') return { n, sum: value('sum'), sumSquares: value('squares') };
  return {
    n,
    numeratorSum: value('sum'),
    numeratorSumSquares: value('squares'),
    denominatorSum: value('denominator_sum'),
    denominatorSumSquares: value('denominator_squares'),
    numeratorDenominatorSum: value('cross'),
  };
}

/** The SQL: clean exposures, per-unit sums, then per-arm and per-arm-and-segment aggregates. */
export function aggregationSql(source: ExperimentSource, metrics: readonly MetricColumns[]): string {
  const { exposures, outcomes } = source;
  const segment = exposures.segment === undefined ? 'NULL' : `any_value(${quoteIdentifier(exposures.segment)})`;
  const perUnit: string[] = [];
  const perArm: [expression: string, name: string][] = [];
  metrics.forEach((metric, index) => {
    const column = (name: string): string => `coalesce(sum(o.${quoteIdentifier(name)}), 0)::DOUBLE`;
    if (metric.kind === 'ratio') {
      perUnit.push(`${column(metric.numerator)} AS m${index}_numerator`, `${column(metric.denominator)} AS m${index}_denominator`);
      perArm.push(
        [`sum(m${index}_numerator)`, `m${index}_sum`],
        [`sum(m${index}_numerator * m${index}_numerator)`, `m${index}_squares`],
        [`sum(m${index}_denominator)`, `m${index}_denominator_sum`],
        [`sum(m${index}_denominator * m${index}_denominator)`, `m${index}_denominator_squares`],
        [`sum(m${index}_numerator * m${index}_denominator)`, `m${index}_cross`],
      );
    } else {
      perUnit.push(`${column(metric.value)} AS m${index}_value`);
      perArm.push(
        metric.kind === 'proportion' ? [`count(*) FILTER (WHERE m${index}_value > 0)`, `m${index}_successes`] : [`sum(m${index}_value)`, `m${index}_sum`],
        [`sum(m${index}_value * m${index}_value)`, `m${index}_squares`],
      );
    }
  });
  return `
WITH exposure AS (
  SELECT ${quoteIdentifier(exposures.unit)} AS unit, min(${quoteIdentifier(exposures.arm)})::VARCHAR AS arm, ${segment}::VARCHAR AS segment
  FROM ${exposures.relation}
  GROUP BY 1
  HAVING count(DISTINCT ${quoteIdentifier(exposures.arm)}) = 1
),
per_unit AS (
  SELECT e.unit, e.arm, e.segment${perUnit.map((item) => `,\n    ${item}`).join('')}
  FROM exposure e LEFT JOIN ${outcomes.relation} o ON o.${quoteIdentifier(outcomes.unit)} = e.unit
  GROUP BY e.unit, e.arm, e.segment
)
SELECT arm, segment, ${exposures.segment === undefined ? '1' : 'grouping(segment)'} AS by_segment, count(*)::DOUBLE AS n${perArm.map(([expression, name]) => `,\n  (${expression})::DOUBLE AS ${name}`).join('')}
FROM per_unit
GROUP BY ${exposures.segment === undefined ? 'arm, segment' : 'GROUPING SETS ((arm), (arm, segment))'}
ORDER BY arm, by_segment DESC, segment`;
}

function multipleExposureSql(source: ExperimentSource): string {
  const { exposures } = source;
  return `SELECT count(*)::DOUBLE AS units FROM (SELECT ${quoteIdentifier(exposures.unit)} FROM ${exposures.relation} GROUP BY 1 HAVING count(DISTINCT ${quoteIdentifier(exposures.arm)}) > 1)`;
}
