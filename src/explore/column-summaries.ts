/**
 * Per-column summaries by semantic type, each computed by DuckDB: one aggregate pass for the moments and
 * quantiles of every numeric column, then one small grouped query per column for histograms, top values,
 * counts over time and tokens.
 */
import { quoteIdentifier, type AnalyticsEngine, type SqlRow } from '../store/analytics.js';
import type { ColumnSchema } from '../store/dataset-store.js';
import type { CategoricalSummary, ColumnProfile, DatetimeSummary, NumericSummary, TextSummary } from './profile-types.js';

export const HISTOGRAM_BINS = 30;
export const TOP_VALUES = 10;
export const TOKEN_SAMPLE_ROWS = 100_000;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
const FLOATING = /^(FLOAT|DOUBLE|REAL)$/;

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whether a column's numbers are summarised as such. */
export function isNumericColumn(column: ColumnSchema): boolean {
  return column.semanticType === 'numeric' || column.semanticType === 'integer';
}

/** The column as a finite DOUBLE: NULL for missing values and infinities. */
export function finiteValue(column: ColumnSchema): string {
  const name = quoteIdentifier(column.name);
  return FLOATING.test(column.storageType) ? `CASE WHEN isinf(${name}) THEN NULL ELSE ${name}::DOUBLE END` : `${name}::DOUBLE`;
}

/**
 * Skewness and kurtosis as pandas computes them (nanops.nanskew, nankurt), from sums of powers of the
 * deviations from the mean, which a second pass centres so that they do not cancel.
 */
function shapeMoments(n: number, m2: number, m3: number, m4: number): { skewness: number | null; kurtosis: number | null } {
  // pandas treats a tiny second moment as zero, so a constant column has no skew and no excess kurtosis.
  const constant = m2 <= 1e-14 * Math.max(1, n);
  const skewness = n < 3 ? null : constant ? 0 : ((Math.sqrt(n * (n - 1)) / (n - 2)) * (m3 / n)) / (m2 / n) ** 1.5;
  const kurtosis = n < 4 ? null : constant ? 0 : ((n + 1) * n * (n - 1) * m4) / ((n - 2) * (n - 3) * m2 * m2) - (3 * (n - 1) ** 2) / ((n - 2) * (n - 3));
  return { skewness, kurtosis };
}

async function numericSummaries(engine: AnalyticsEngine, table: string, columns: readonly ColumnSchema[]): Promise<Map<string, NumericSummary>> {
  const out = new Map<string, NumericSummary>();
  if (columns.length === 0) return out;
  const select = columns.flatMap((column, index) => {
    const value = finiteValue(column);
    const name = quoteIdentifier(column.name);
    const floating = FLOATING.test(column.storageType);
    return [
      `avg(${value}) AS "mean${index}"`,
      `min(${value}) AS "min${index}"`,
      `max(${value}) AS "max${index}"`,
      `count(${value}) AS "n${index}"`,
      `quantile_cont(${value}, [${QUANTILES.join(', ')}]) AS "q${index}"`,
      `count(*) FILTER (WHERE ${name} = 0) AS "zeros${index}"`,
      `count(*) FILTER (WHERE ${name} < 0${floating ? ` AND NOT isinf(${name})` : ''}) AS "neg${index}"`,
      floating ? `count(*) FILTER (WHERE isinf(${name})) AS "inf${index}"` : `0 AS "inf${index}"`,
    ];
  });
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM ${table}`);
  const means = columns.map((_, index) => numberOrNull(row?.[`mean${index}`]) ?? 0);
  const centred = columns.flatMap((column, index) => {
    const deviation = `(${finiteValue(column)} - ${means[index]})`;
    return [
      `fsum(${deviation}) AS "m1_${index}"`,
      `fsum(${deviation} * ${deviation}) AS "m2_${index}"`,
      `fsum(${deviation} * ${deviation} * ${deviation}) AS "m3_${index}"`,
      `fsum((${deviation} * ${deviation}) * (${deviation} * ${deviation})) AS "m4_${index}"`,
    ];
  });
  const [moments] = await engine.query(`SELECT ${centred.join(', ')} FROM ${table}`);
  for (const [index, column] of columns.entries()) {
    const get = (key: string): unknown => row?.[`${key}${index}`];
    const quantiles = (get('q') as (number | null)[] | null) ?? [];
    const n = Number(get('n') ?? 0);
    // Sums of powers of d = x - a around the first pass's mean a (compensated sums, fsum); the exact mean is
    // a + delta with delta = S1 / n, and the central sums follow from the binomial shift formulas.
    const [s1, s2, s3, s4] = [1, 2, 3, 4].map((power) => Number(moments?.[`m${power}_${index}`] ?? 0)) as [number, number, number, number];
    const delta = n === 0 ? 0 : s1 / n;
    const m2 = Math.max(0, s2 - n * delta ** 2);
    const m3 = s3 - 3 * delta * s2 + 2 * n * delta ** 3;
    const m4 = s4 - 4 * delta * s3 + 6 * delta ** 2 * s2 - 3 * n * delta ** 4;
    const shape = shapeMoments(n, m2, m3, m4);
    out.set(column.name, {
      mean: n === 0 ? null : (means[index] ?? 0) + delta,
      std: n < 2 ? null : Math.sqrt(m2 / (n - 1)),
      min: numberOrNull(get('min')),
      max: numberOrNull(get('max')),
      quantiles: {
        p1: numberOrNull(quantiles[0]),
        p5: numberOrNull(quantiles[1]),
        p25: numberOrNull(quantiles[2]),
        p50: numberOrNull(quantiles[3]),
        p75: numberOrNull(quantiles[4]),
        p95: numberOrNull(quantiles[5]),
        p99: numberOrNull(quantiles[6]),
      },
      ...shape,
      zeros: Number(get('zeros') ?? 0),
      negatives: Number(get('neg') ?? 0),
      infinities: Number(get('inf') ?? 0),
      histogram: [],
    });
  }
  for (const column of columns) {
    const summary = out.get(column.name);
    if (summary !== undefined) summary.histogram = await histogram(engine, table, column, summary.min, summary.max);
  }
  return out;
}

async function histogram(
  engine: AnalyticsEngine,
  table: string,
  column: ColumnSchema,
  min: number | null,
  max: number | null,
): Promise<NumericSummary['histogram']> {
  if (min === null || max === null) return [];
  const integerValues = column.semanticType === 'integer' && max - min < HISTOGRAM_BINS;
  const bins = integerValues ? max - min + 1 : min === max ? 1 : HISTOGRAM_BINS;
  const width = integerValues ? 1 : min === max ? 1 : (max - min) / bins;
  const value = finiteValue(column);
  const rows = await engine.query(
    `SELECT least(floor((${value} - ${min}) / ${width}), ${bins - 1})::INTEGER AS bin, count(*) AS n FROM ${table} WHERE ${value} IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  const counts = new Map(rows.map((row) => [Number(row.bin), Number(row.n)]));
  return Array.from({ length: bins }, (_, bin) => ({
    start: integerValues ? min + bin - 0.5 : min + bin * width,
    end: integerValues ? min + bin + 0.5 : bin === bins - 1 ? max : min + (bin + 1) * width,
    count: counts.get(bin) ?? 0,
  }));
}

async function categoricalSummary(engine: AnalyticsEngine, table: string, column: ColumnSchema): Promise<CategoricalSummary> {
  const name = quoteIdentifier(column.name);
  const rows = await engine.query(
    `SELECT ${name}::VARCHAR AS value, count(*) AS n FROM ${table} WHERE ${name} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT ${TOP_VALUES}`,
  );
  const top = rows.map((row) => ({ value: String(row.value), count: Number(row.n) }));
  const shown = top.reduce((sum, item) => sum + item.count, 0);
  return { top, otherCount: column.nonNull - shown, cardinality: column.distinct };
}

const UNIT_SECONDS = { hour: 3600, day: 86_400, week: 604_800, month: 2_629_746, year: 31_556_952 } as const;

async function datetimeSummary(engine: AnalyticsEngine, table: string, column: ColumnSchema): Promise<DatetimeSummary> {
  const name = quoteIdentifier(column.name);
  const [range] = await engine.query(`SELECT min(${name})::TIMESTAMP AS lo, max(${name})::TIMESTAMP AS hi FROM ${table}`);
  const lo = range?.lo === null || range?.lo === undefined ? null : String(range.lo);
  const hi = range?.hi === null || range?.hi === undefined ? null : String(range.hi);
  if (lo === null || hi === null) return { min: null, max: null, unit: 'day', counts: [], gaps: [] };
  const span = (Date.parse(hi) - Date.parse(lo)) / 1000;
  // The finest unit that keeps the chart under about 400 bars.
  const unit = (Object.keys(UNIT_SECONDS) as (keyof typeof UNIT_SECONDS)[]).find((candidate) => span / UNIT_SECONDS[candidate] <= 400) ?? 'year';
  const rows: SqlRow[] = await engine.query(
    `WITH counted AS (SELECT date_trunc('${unit}', ${name}::TIMESTAMP) AS t, count(*) AS n FROM ${table} WHERE ${name} IS NOT NULL GROUP BY 1),
     series AS (SELECT unnest(generate_series((SELECT min(t) FROM counted), (SELECT max(t) FROM counted), INTERVAL 1 ${unit})) AS t)
     SELECT series.t AS t, coalesce(counted.n, 0) AS n FROM series LEFT JOIN counted USING (t) ORDER BY 1`,
  );
  const counts = rows.map((row) => ({ start: String(row.t), count: Number(row.n) }));
  const gaps: DatetimeSummary['gaps'] = [];
  let start = -1;
  counts.forEach((item, index) => {
    if (item.count === 0 && start < 0) start = index;
    if ((item.count > 0 || index === counts.length - 1) && start >= 0) {
      const end = item.count > 0 ? index - 1 : index;
      gaps.push({ from: counts[start]?.start ?? '', to: counts[end]?.start ?? '', periods: end - start + 1 });
      start = -1;
    }
  });
  gaps.sort((a, b) => b.periods - a.periods);
  return { min: lo, max: hi, unit, counts, gaps: gaps.slice(0, 10) };
}

async function textSummary(engine: AnalyticsEngine, table: string, column: ColumnSchema): Promise<TextSummary> {
  const name = quoteIdentifier(column.name);
  const [lengths] = await engine.query(`SELECT min(length(${name})) AS lo, avg(length(${name})) AS mean, max(length(${name})) AS hi FROM ${table}`);
  const tokens = await engine.query(
    `SELECT token, count(*) AS n FROM (SELECT unnest(string_split(lower(${name}), ' ')) AS token FROM (SELECT ${name} FROM ${table} WHERE ${name} IS NOT NULL LIMIT ${TOKEN_SAMPLE_ROWS}))
     WHERE token <> '' GROUP BY 1 ORDER BY n DESC, token LIMIT ${TOP_VALUES}`,
  );
  return {
    length: { min: numberOrNull(lengths?.lo), mean: numberOrNull(lengths?.mean), max: numberOrNull(lengths?.hi) },
    topTokens: tokens.map((row) => ({ token: String(row.token), count: Number(row.n) })),
  };
}

/** Profiles every column of a version. */
export async function profileColumnsByType(
  engine: AnalyticsEngine,
  table: string,
  rows: number,
  columns: readonly ColumnSchema[],
): Promise<ColumnProfile[]> {
  const numeric = await numericSummaries(engine, table, columns.filter(isNumericColumn));
  const profiles: ColumnProfile[] = [];
  for (const column of columns) {
    const profile: ColumnProfile = {
      name: column.name,
      semanticType: column.semanticType,
      storageType: column.storageType,
      count: rows,
      missing: rows - column.nonNull,
      missingShare: rows === 0 ? 0 : (rows - column.nonNull) / rows,
      distinct: column.distinct,
      distinctApproximate: column.distinctApproximate === true,
    };
    const summary = numeric.get(column.name);
    if (summary !== undefined) profile.numeric = summary;
    else if (column.semanticType === 'categorical' || column.semanticType === 'boolean') profile.categorical = await categoricalSummary(engine, table, column);
    else if (column.semanticType === 'datetime') profile.datetime = await datetimeSummary(engine, table, column);
    else if (column.semanticType === 'text' || (column.semanticType === 'identifier' && column.storageType === 'VARCHAR')) {
      profile.text = await textSummary(engine, table, column);
    }
    profiles.push(profile);
  }
  return profiles;
}
