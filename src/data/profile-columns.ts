/**
 * The per-column facts schema inference and `data diff` need (count, distinct count, range and, for
 * strings that may be free text, the mean number of spaces), at the least cost DuckDB allows: counts and
 * distinct counts in one pass; ranges from the Parquet file's row-group statistics where every row group
 * has them (the file is ours, written by DuckDB, so they are exact), else in the same pass; spaces only
 * for string columns that are mostly distinct, the only ones whose type they decide, and only over the
 * first SPACES_SAMPLE_ROWS values: enough to tell free text from codes.
 *
 * Distinct counts are exact, except for columns of more than APPROXIMATE_ABOVE_ROWS rows that DuckDB's
 * Parquet writer stored without a dictionary: the writer keeps a dictionary only for columns of few
 * distinct values per row group, so these are high-cardinality columns, where an exact count costs a large
 * hash table and a HyperLogLog estimate (`approx_count_distinct`, a few percent off) says as much for
 * typing. Such counts are marked approximate.
 */
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine, type SqlValue } from '../store/analytics.js';
import type { ColumnSchema, SemanticType } from '../store/dataset-store.js';
import { inferSemanticType, isNumericStorage, isTemporalStorage, type ColumnFacts } from './semantic-types.js';

export const APPROXIMATE_ABOVE_ROWS = 200_000;
export const SPACES_SAMPLE_ROWS = 10_000;

const COMPARABLE = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|DATE|TIMESTAMP.*|TIME.*|VARCHAR)$/;

/** Ranges per column from a Parquet file's statistics, for numeric and temporal columns, in one query. */
async function rangesFromParquetStatistics(
  engine: AnalyticsEngine,
  file: string,
  columns: readonly { name: string; type: string }[],
): Promise<Map<string, { min: SqlValue; max: SqlValue }>> {
  const ranges = new Map<string, { min: SqlValue; max: SqlValue }>();
  const wanted = columns.filter((column) => isNumericStorage(column.type) || isTemporalStorage(column.type));
  if (wanted.length === 0) return ranges;
  const select = wanted.flatMap((column, index) => {
    const mine = `path_in_schema = ${quoteLiteral(column.name)}`;
    return [
      `count(*) FILTER (WHERE ${mine}) - count(stats_min) FILTER (WHERE ${mine}) - count(stats_max) FILTER (WHERE ${mine}) + count(*) FILTER (WHERE ${mine}) AS "gap${index}"`,
      `min(TRY_CAST(stats_min AS ${column.type})) FILTER (WHERE ${mine}) AS "lo${index}"`,
      `max(TRY_CAST(stats_max AS ${column.type})) FILTER (WHERE ${mine}) AS "hi${index}"`,
    ];
  });
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM parquet_metadata(${quoteLiteral(file)})`);
  wanted.forEach((column, index) => {
    // Every row group must carry both statistics, or the range is computed from the data instead.
    const low = row?.[`lo${index}`] ?? null;
    const high = row?.[`hi${index}`] ?? null;
    if (Number(row?.[`gap${index}`]) === 0 && low !== null && high !== null) ranges.set(column.name, { min: low, max: high });
  });
  return ranges;
}

/** Columns of a large Parquet file stored without a dictionary in some row group: high cardinality. */
async function undictionaried(engine: AnalyticsEngine, file: string): Promise<Set<string>> {
  const rows = await engine.query(
    `SELECT path_in_schema AS name FROM parquet_metadata(${quoteLiteral(file)}) GROUP BY 1
     HAVING sum(num_values) > ${APPROXIMATE_ABOVE_ROWS} AND bool_or(encodings NOT LIKE '%DICTIONARY%')`,
  );
  return new Set(rows.map((row) => String(row.name)));
}

/** Row count and per-column facts of a table; `parquetFile` lets ranges and cardinality hints come from it. */
export async function profileColumns(engine: AnalyticsEngine, table: string, parquetFile?: string): Promise<{ rowCount: number; facts: ColumnFacts[] }> {
  const described = await engine.describe(`SELECT * FROM ${table}`);
  const known = parquetFile === undefined ? new Map() : await rangesFromParquetStatistics(engine, parquetFile, described);
  const approximate = parquetFile === undefined ? new Set<string>() : await undictionaried(engine, parquetFile);
  const select = ['count(*) AS "rows"'];
  described.forEach((column, index) => {
    const name = quoteIdentifier(column.name);
    const comparable = COMPARABLE.test(column.type);
    const counted = comparable ? name : `${name}::VARCHAR`;
    const distinct = approximate.has(column.name) ? `approx_count_distinct(${counted})` : `count(DISTINCT ${counted})`;
    select.push(`count(${name}) AS "n${index}"`, `${distinct} AS "d${index}"`);
    if (comparable && !known.has(column.name)) select.push(`min(${name}) AS "lo${index}"`, `max(${name}) AS "hi${index}"`);
  });
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM ${table}`);
  if (row === undefined) throw new Error('profile query returned no row');
  const facts = described.map((column, index): ColumnFacts => {
    const range = known.get(column.name);
    const nonNull = Number(row[`n${index}`]);
    const fact: ColumnFacts = {
      name: column.name,
      storageType: column.type,
      nonNull,
      // An estimate can exceed the count of values; it never may.
      distinct: Math.min(nonNull, Number(row[`d${index}`])),
      min: range?.min ?? row[`lo${index}`] ?? null,
      max: range?.max ?? row[`hi${index}`] ?? null,
    };
    if (approximate.has(column.name)) fact.distinctApproximate = true;
    return fact;
  });
  const wordy = facts.filter((fact) => fact.storageType === 'VARCHAR' && fact.distinct > 0.5 * fact.nonNull);
  if (wordy.length > 0) {
    const spaces = wordy.map((fact, index) => {
      const name = quoteIdentifier(fact.name);
      return `avg(length(${name}) - length(replace(${name}, ' ', ''))) AS "s${index}"`;
    });
    const columns = wordy.map((fact) => quoteIdentifier(fact.name)).join(', ');
    const [counts] = await engine.query(`SELECT ${spaces.join(', ')} FROM (SELECT ${columns} FROM ${table} LIMIT ${SPACES_SAMPLE_ROWS})`);
    wordy.forEach((fact, index) => {
      const value = counts?.[`s${index}`];
      if (typeof value === 'number') fact.meanSpaces = value;
    });
  }
  return { rowCount: Number(row.rows), facts };
}

/** Column schemas from facts, with the spec's type overrides applied. */
export function toColumnSchemas(facts: readonly ColumnFacts[], overrides: Readonly<Record<string, SemanticType>>): ColumnSchema[] {
  return facts.map((fact) => {
    const inferredType = inferSemanticType(fact);
    const override = overrides[fact.name];
    return {
      name: fact.name,
      storageType: fact.storageType,
      semanticType: override ?? inferredType,
      inferredType,
      overridden: override !== undefined,
      nonNull: fact.nonNull,
      distinct: fact.distinct,
      ...(fact.distinctApproximate === true ? { distinctApproximate: true } : {}),
      min: fact.min,
      max: fact.max,
    };
  });
}
