/**
 * Sufficient statistics in SQL, so that the engine never holds unit-level rows: outcomes are first summed
 * per unit of randomisation (the unit is what was randomised, so it is what varies independently; Kohavi,
 * Tang and Xu 2020, ch. 18), then counts, sums, sums of squares and cross-products are taken per arm and
 * per arm and segment in one GROUPING SETS query. Units exposed to more than one arm are counted and left out.
 * With a pre-period relation, each mean, proportion or ratio metric that asks for CUPED gets the same columns
 * summed per unit over the pre-period as its covariate (Deng, Xu, Kohavi and Walker 2013), with every
 * cross-product cuped.ts needs; a proportion's covariate is 0/1 by the same rule as its outcome (the pre-period
 * values sum above zero), as gbstats takes a binomial metric's covariate.
 *
 * Warehouse SQL: the queries are written once, in the SQL that DuckDB and PostgreSQL both run with the same
 * meaning (DOUBLE PRECISION casts, FILTER clauses, GROUPING SETS, window functions, aliased subqueries, min()
 * where one row qualifies instead of DuckDB's any_value), so a team whose exposures and outcomes live in a
 * PostgreSQL warehouse sends these aggregate queries there and receives only the per-arm statistics
 * (test/warehouse-sql.test.ts runs both engines on the same data). Sums of non-integer doubles may differ in
 * the last bits between engines, which add in different orders.
 */
import { MlcycleError } from '../error.js';
import { quoteIdentifier, type AnalyticsEngine, type SqlRow } from '../store/analytics.js';
import { QUANTILE_BAND_Z, type QuantileStatistics } from './quantile-metric.js';
import type { CovariateStatistics, MeanStatistics, RatioCovariateStatistics, RatioStatistics } from './sufficient-statistics.js';

/** Where exposures and outcomes are: any relation the engine can read (a table, a view, `read_parquet(...)`). */
export interface ExperimentSource {
  /**
   * One row per exposure: the unit, its arm and, optionally, its segment. With `perUnit`, the relation
   * already holds one row per unit, its arm NULL when the unit saw more than one, so it is not grouped again.
   */
  exposures: { relation: string; unit: string; arm: string; segment?: string; perUnit?: boolean };
  /** One row per outcome event of a unit; units without events count as zero. */
  outcomes: { relation: string; unit: string };
  /** Rows of the pre-period with the outcome columns' names (one per unit or per event); units without rows count as zero. */
  prePeriod?: { relation: string; unit: string };
}

/** A per-event value: a column of the outcome relation, or a SQL expression over its columns (spec-metrics.ts builds these for events). */
export type ValueSource = string | { expression: string };

/**
 * A metric as values of the outcome relation, summed per unit; `cuped` takes the same values of the
 * pre-period as covariate. A quantile metric is the quantile of the per-unit sums (quantile-metric.ts).
 */
export type MetricColumns =
  | { id: string; kind: 'mean'; value: ValueSource; cuped?: boolean }
  | { id: string; kind: 'proportion'; value: ValueSource; cuped?: boolean }
  | { id: string; kind: 'ratio'; numerator: ValueSource; denominator: ValueSource; cuped?: boolean }
  | { id: string; kind: 'quantile'; value: ValueSource; quantile: number };

/** The SQL of a value source. */
function valueSql(value: ValueSource): string {
  return typeof value === 'string' ? quoteIdentifier(value) : `(${value.expression})`;
}

export type MeanArmStatistics = MeanStatistics & { covariate?: CovariateStatistics };
export type RatioArmStatistics = RatioStatistics & { covariate?: RatioCovariateStatistics };
export type ProportionArmStatistics = { n: number; successes: number; covariate?: CovariateStatistics };
export type ArmStatistics = MeanArmStatistics | RatioArmStatistics | ProportionArmStatistics | QuantileStatistics;

/** Whether a metric takes a pre-period covariate. */
function wantsCovariate(metric: MetricColumns): boolean {
  return metric.kind !== 'quantile' && metric.cuped === true;
}

/** An empty object keyed by user ids, without a prototype. */
function idMap<Value>(): Record<string, Value> {
  return Object.create(null) as Record<string, Value>;
}

/** Per metric, per arm (and per segment and arm), the statistics the analysis input takes. */
export interface AggregatedStatistics {
  units: Record<string, number>;
  multipleExposures: number;
  metrics: Record<string, { arms: Record<string, ArmStatistics>; segments: Record<string, Record<string, ArmStatistics>> }>;
}

/** Runs the aggregation; a proportion counts a unit as a success when its values sum above zero. */
export async function aggregateStatistics(engine: AnalyticsEngine, source: ExperimentSource, metrics: readonly MetricColumns[]): Promise<AggregatedStatistics> {
  const withCovariate = metrics.map(wantsCovariate);
  if (withCovariate.some(Boolean) && source.prePeriod === undefined) {
    const asking = metrics.filter((_, index) => withCovariate[index]).map((metric) => metric.id);
    throw new MlcycleError('invalid_input', `CUPED was asked for (${asking.join(', ')}) but the experiment has no pre-period relation`);
  }
  const rows = await engine.query(aggregationSql(source, metrics));
  // Arm, segment and metric ids come from the data: null-prototype objects, so `__proto__` is just an id.
  const result: AggregatedStatistics = { units: idMap(), multipleExposures: 0, metrics: idMap() };
  for (const metric of metrics) result.metrics[metric.id] = { arms: idMap(), segments: idMap() };
  for (const row of rows) {
    if (row.arm === null) {
      // Units seen in more than one arm: counted once (the overall row), left out of every statistic.
      if (Number(row.by_segment) === 1) result.multipleExposures = Number(row.n);
      continue;
    }
    const arm = String(row.arm);
    const segment = Number(row.by_segment) === 1 ? null : String(row.segment);
    if (segment === null) result.units[arm] = Number(row.n);
    metrics.forEach((metric, index) => {
      const statistics = metricStatistics(metric, row, index, withCovariate[index] === true);
      const target = result.metrics[metric.id];
      if (target === undefined) return;
      if (segment === null) target.arms[arm] = statistics;
      else (target.segments[segment] ??= idMap())[arm] = statistics;
    });
  }
  for (const [index, metric] of metrics.entries()) {
    if (metric.kind !== 'quantile') continue;
    const target = result.metrics[metric.id];
    for (const row of await engine.query(quantileSql(source, metrics, index))) {
      const statistics: QuantileStatistics = { n: Number(row.n), estimate: Number(row.estimate), lower: Number(row.lower), upper: Number(row.upper) };
      if (target === undefined) continue;
      if (row.segment === null) target.arms[String(row.arm)] = statistics;
      else (target.segments[String(row.segment)] ??= idMap())[String(row.arm)] = statistics;
    }
  }
  return result;
}

function metricStatistics(metric: MetricColumns, row: SqlRow, index: number, covariate: boolean): ArmStatistics {
  const n = Number(row.n);
  const value = (name: string): number => Number(row[`m${index}_${name}`] ?? 0);
  if (metric.kind === 'proportion') {
    const successes = value('successes');
    if (!covariate) return { n, successes };
    // 0/1 covariate: its sum of squares is its sum; metric x covariate counts the units successful in both periods.
    return { n, successes, covariate: { sum: value('pre_sum'), sumSquares: value('pre_sum'), metricCovariateSum: value('post_pre') } };
  }
  if (metric.kind === 'quantile') return { n, estimate: NaN, lower: NaN, upper: NaN }; // filled by quantileSql
  if (metric.kind === 'mean') {
    const statistics: MeanArmStatistics = { n, sum: value('sum'), sumSquares: value('squares') };
    if (covariate) statistics.covariate = { sum: value('pre_sum'), sumSquares: value('pre_squares'), metricCovariateSum: value('post_pre') };
    return statistics;
  }
  const statistics: RatioArmStatistics = {
    n,
    numeratorSum: value('sum'),
    numeratorSumSquares: value('squares'),
    denominatorSum: value('denominator_sum'),
    denominatorSumSquares: value('denominator_squares'),
    numeratorDenominatorSum: value('cross'),
  };
  if (covariate) {
    statistics.covariate = {
      numeratorSum: value('pre_sum'),
      numeratorSumSquares: value('pre_squares'),
      denominatorSum: value('pre_denominator_sum'),
      denominatorSumSquares: value('pre_denominator_squares'),
      numeratorDenominatorSum: value('pre_cross'),
      postNumeratorNumeratorSum: value('post_numerator_pre_numerator'),
      postNumeratorDenominatorSum: value('post_numerator_pre_denominator'),
      postDenominatorNumeratorSum: value('post_denominator_pre_numerator'),
      postDenominatorDenominatorSum: value('post_denominator_pre_denominator'),
    };
  }
  return statistics;
}

/** The per-arm aggregates of one metric over per-unit columns v (post) and p (pre), as [expression, name]. */
function armAggregates(metric: MetricColumns, index: number, covariate: boolean): [string, string][] {
  const m = `m${index}`;
  const product = (left: string, right: string, name: string): [string, string] => [`sum(${left} * ${right})`, `${m}_${name}`];
  if (metric.kind === 'proportion') {
    const successes: [string, string] = [`count(*) FILTER (WHERE ${m}_value > 0)`, `${m}_successes`];
    if (!covariate) return [successes];
    return [successes, [`count(*) FILTER (WHERE ${m}_pre_value > 0)`, `${m}_pre_sum`], [`count(*) FILTER (WHERE ${m}_value > 0 AND ${m}_pre_value > 0)`, `${m}_post_pre`]];
  }
  if (metric.kind === 'quantile') return [];
  if (metric.kind === 'mean') {
    const post = `${m}_value`;
    const pre = `${m}_pre_value`;
    const base: [string, string][] = [[`sum(${post})`, `${m}_sum`], product(post, post, 'squares')];
    return covariate ? [...base, [`sum(${pre})`, `${m}_pre_sum`], product(pre, pre, 'pre_squares'), product(post, pre, 'post_pre')] : base;
  }
  const [num, den, preNum, preDen] = [`${m}_numerator`, `${m}_denominator`, `${m}_pre_numerator`, `${m}_pre_denominator`];
  const base: [string, string][] = [[`sum(${num})`, `${m}_sum`], product(num, num, 'squares'), [`sum(${den})`, `${m}_denominator_sum`], product(den, den, 'denominator_squares'), product(num, den, 'cross')];
  if (!covariate) return base;
  return [
    ...base,
    [`sum(${preNum})`, `${m}_pre_sum`],
    product(preNum, preNum, 'pre_squares'),
    [`sum(${preDen})`, `${m}_pre_denominator_sum`],
    product(preDen, preDen, 'pre_denominator_squares'),
    product(preNum, preDen, 'pre_cross'),
    product(num, preNum, 'post_numerator_pre_numerator'),
    product(num, preDen, 'post_numerator_pre_denominator'),
    product(den, preNum, 'post_denominator_pre_numerator'),
    product(den, preDen, 'post_denominator_pre_denominator'),
  ];
}

/** The per-unit sums a metric needs from one relation, as `sum(column) AS name` with names prefixed by `prefix`. */
function unitSums(metric: MetricColumns, index: number, prefix: string): [expression: string, name: string][] {
  const sum = (value: ValueSource, name: string): [string, string] => [`sum(${valueSql(value)})::DOUBLE PRECISION`, `m${index}_${prefix}${name}`];
  return metric.kind === 'ratio' ? [sum(metric.numerator, 'numerator'), sum(metric.denominator, 'denominator')] : [sum(metric.value, 'value')];
}

/**
 * The SQL. Exposures are reduced to one row per unit (a unit with two arms gets arm NULL, so that group's
 * unit count is the number of multiple exposures); outcomes and the pre-period are summed per unit before
 * the join, so the join meets one row per unit on each side. Then per-arm and per-arm-and-segment
 * aggregates in one GROUPING SETS pass. (Stacking the three relations into one aggregation was tried: the
 * string aggregates over 22M rows made it three times slower in DuckDB 1.x.)
 */
export function aggregationSql(source: ExperimentSource, metrics: readonly MetricColumns[]): string {
  const { exposures, prePeriod } = source;
  const covariates = metrics.map((metric) => wantsCovariate(metric) && prePeriod !== undefined);
  const perArm = metrics.flatMap((metric, index) => armAggregates(metric, index, covariates[index] === true));
  const grouping = exposures.segment === undefined ? 'arm, segment' : 'GROUPING SETS ((arm), (arm, segment))';
  return `${unitCtes(source, metrics)}
SELECT arm, segment, ${exposures.segment === undefined ? '1' : 'grouping(segment)'} AS by_segment, count(*)::DOUBLE PRECISION AS n${perArm.map(([expression, name]) => `,\n  (${expression})::DOUBLE PRECISION AS ${name}`).join('')}
FROM per_unit
GROUP BY ${grouping}
ORDER BY arm NULLS LAST, by_segment DESC, segment`;
}

/** The CTEs up to per_unit: one row per exposed unit with its arm (NULL when mixed), segment and summed values. */
function unitCtes(source: ExperimentSource, metrics: readonly MetricColumns[]): string {
  const { exposures, outcomes, prePeriod } = source;
  const covariates = metrics.map((metric) => wantsCovariate(metric) && prePeriod !== undefined);
  const post = metrics.flatMap((metric, index) => unitSums(metric, index, ''));
  const pre = metrics.flatMap((metric, index) => (covariates[index] === true ? unitSums(metric, index, 'pre_') : []));
  const list = (items: [string, string][]): string => items.map(([expression, name]) => `${expression} AS ${name}`).join(', ');
  const zeroed = [...post.map(([, name]) => `coalesce(o.${name}, 0) AS ${name}`), ...pre.map(([, name]) => `coalesce(p.${name}, 0) AS ${name}`)];
  const armColumn = quoteIdentifier(exposures.arm);
  const segment = exposures.segment === undefined ? 'NULL' : `min(${quoteIdentifier(exposures.segment)})`;
  const withPre = pre.length > 0 && prePeriod !== undefined;
  const exposure =
    exposures.perUnit === true
      ? `SELECT ${quoteIdentifier(exposures.unit)} AS unit, ${armColumn}::VARCHAR AS arm, ${exposures.segment === undefined ? 'NULL' : quoteIdentifier(exposures.segment)}::VARCHAR AS segment
  FROM ${exposures.relation}`
      : `SELECT ${quoteIdentifier(exposures.unit)} AS unit, CASE WHEN min(${armColumn}) = max(${armColumn}) THEN min(${armColumn})::VARCHAR END AS arm, ${segment}::VARCHAR AS segment
  FROM ${exposures.relation}
  GROUP BY 1`;
  return `
WITH exposure AS (
  ${exposure}
),
outcome_unit AS (SELECT ${quoteIdentifier(outcomes.unit)} AS unit, ${list(post)} FROM ${outcomes.relation} GROUP BY 1)${
    withPre ? `,\npre_unit AS (SELECT ${quoteIdentifier(prePeriod.unit)} AS unit, ${list(pre)} FROM ${prePeriod.relation} GROUP BY 1)` : ''
  },
per_unit AS (
  SELECT e.arm, e.segment, ${zeroed.join(', ')}
  FROM exposure e LEFT JOIN outcome_unit o ON o.unit = e.unit${withPre ? ' LEFT JOIN pre_unit p ON p.unit = e.unit' : ''}
)`;
}

/**
 * A quantile metric's statistics per arm and per arm and segment: each unit's value ranked within its group
 * (window functions), then the values at the ranks quantile-metric.ts defines, computed in SQL from the
 * group's count so that every group gets its own ranks.
 */
export function quantileSql(source: ExperimentSource, metrics: readonly MetricColumns[], index: number): string {
  const metric = metrics[index];
  if (metric?.kind !== 'quantile') throw new Error(`metric ${index} is not a quantile metric`);
  const q = metric.quantile;
  // The same ranks as quantileRanks(), in SQL (checked against it in the tests).
  const rank = 'least(n, greatest(1, ceil(n * q)))';
  const spread = `${Math.sqrt(q * (1 - q)) * QUANTILE_BAND_Z} * sqrt(n)`;
  const lower = `least(n, greatest(1, floor(n * q - ${spread})))`;
  const upper = `least(n, greatest(1, ceil(n * q + ${spread})))`;
  const pick = (partition: string, segment: string): string => `
  SELECT arm, ${segment} AS segment, min(n)::DOUBLE PRECISION AS n,
    min(v) FILTER (WHERE r = ${rank}) AS estimate, min(v) FILTER (WHERE r = ${lower}) AS lower, min(v) FILTER (WHERE r = ${upper}) AS upper
  FROM (SELECT arm, segment, m${index}_value AS v, ${q} AS q, row_number() OVER (PARTITION BY ${partition} ORDER BY m${index}_value) AS r, count(*) OVER (PARTITION BY ${partition}) AS n
        FROM per_unit WHERE arm IS NOT NULL) AS ranked
  GROUP BY arm${segment === 'segment' ? ', segment' : ''}`;
  return `${unitCtes(source, metrics)}
${pick('arm', 'NULL::VARCHAR')}
UNION ALL
${source.exposures.segment === undefined ? `SELECT NULL, NULL, NULL, NULL, NULL, NULL WHERE false` : pick('arm, segment', 'segment')}`;
}
