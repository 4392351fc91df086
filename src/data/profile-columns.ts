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

/**
 * Ranges per column from a Parquet file's statistics, for numeric and temporal columns: one query per
 * storage type, grouped by `path_in_schema`, so the cost is linear in the number of columns.
 */
async function rangesFromParquetStatistics(
  engine: AnalyticsEngine,
  file: string,
  columns: readonly { name: string; type: string }[],
): Promise<Map<string, { min: SqlValue; max: SqlValue }>> {
  const ranges = new Map<string, { min: SqlValue; max: SqlValue }>();
  const wanted = columns.filter((column) => isNumericStorage(column.type) || isTemporalStorage(column.type));
  for (const [type, names] of groupBy(wanted, (column) => column.type)) {
    const rows = await engine.query(
      `SELECT path_in_schema AS name, 2 * count(*) - count(stats_min) - count(stats_max) AS gap,
         min(TRY_CAST(stats_min AS ${type})) AS lo, max(TRY_CAST(stats_max AS ${type})) AS hi
       FROM parquet_metadata(${quoteLiteral(file)})
       WHERE path_in_schema IN (${names.map((column) => quoteLiteral(column.name)).join(', ')}) GROUP BY 1`,
    );
    for (const row of rows) {
      // Every row group must carry both statistics, or the range is computed from the data instead.
      const low = row.lo ?? null;
      const high = row.hi ?? null;
      if (Number(row.gap) === 0 && low !== null && high !== null) ranges.set(String(row.name), { min: low, max: high });
    }
  }
  return ranges;
}

function groupBy<Item>(items: readonly Item[], key: (item: Item) => string): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}

/** Columns of a large Parquet file stored without a dictionary in some row group: high cardinality. */
async function undictionaried(engine: AnalyticsEngine, file: string): Promise<Set<string>> {
  const rows = await engine.query(
    `SELECT path_in_schema AS name FROM parquet_metadata(${quoteLiteral(file)}) GROUP BY 1
     HAVING sum(num_values) > ${APPROXIMATE_ABOVE_ROWS} AND bool_or(encodings NOT LIKE '%DICTIONARY%')`,
  );
  return new Set(rows.map((row) => String(row.name)));
}

/** Above this many columns the aggregates run over an UNPIVOT grouped by column instead of one wide SELECT. */
export const UNPIVOT_ABOVE_COLUMNS = 64;

interface Aggregates {
  nonNull: number;
  distinct: number;
  min: SqlValue;
  max: SqlValue;
}

/**
 * Row count and per-column facts of a table; `parquetFile` lets ranges and cardinality hints come from it.
 * A narrow table gets one SELECT with a few aggregates per column; a wide one (more than `unpivotAbove`
 * columns) one UNPIVOT per storage type grouped by column, since DuckDB plans a SELECT of thousands of
 * aggregates in time that grows much faster than the column count (20 rows x 600 columns took 668 s).
 * Both give the same facts.
 */
export async function profileColumns(
  engine: AnalyticsEngine,
  table: string,
  parquetFile?: string,
  unpivotAbove: number = UNPIVOT_ABOVE_COLUMNS,
): Promise<{ rowCount: number; facts: ColumnFacts[] }> {
  const described = await engine.describe(`SELECT * FROM ${table}`);
  const known = parquetFile === undefined ? new Map() : await rangesFromParquetStatistics(engine, parquetFile, described);
  const approximate = parquetFile === undefined ? new Set<string>() : await undictionaried(engine, parquetFile);
  const [counted] = await engine.query(`SELECT count(*) AS "rows" FROM ${table}`);
  const rowCount = Number(counted?.rows);
  const aggregates =
    described.length > unpivotAbove
      ? await aggregatesByUnpivot(engine, table, described, approximate)
      : await aggregatesBySelect(engine, table, described, approximate, known);
  const facts = described.map((column, index): ColumnFacts => {
    const range = known.get(column.name);
    const found = aggregates[index];
    const nonNull = found?.nonNull ?? 0;
    const fact: ColumnFacts = {
      name: column.name,
      storageType: column.type,
      nonNull,
      // An estimate can exceed the count of values; it never may.
      distinct: Math.min(nonNull, found?.distinct ?? 0),
      min: range?.min ?? found?.min ?? null,
      max: range?.max ?? found?.max ?? null,
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
  return { rowCount, facts };
}

function distinctOf(expression: string, approximate: boolean): string {
  return approximate ? `approx_count_distinct(${expression})` : `count(DISTINCT ${expression})`;
}

async function aggregatesBySelect(
  engine: AnalyticsEngine,
  table: string,
  described: readonly { name: string; type: string }[],
  approximate: ReadonlySet<string>,
  known: ReadonlyMap<string, unknown>,
): Promise<Aggregates[]> {
  if (described.length === 0) return [];
  const select: string[] = [];
  described.forEach((column, index) => {
    const name = quoteIdentifier(column.name);
    const comparable = COMPARABLE.test(column.type);
    select.push(`count(${name}) AS "n${index}"`, `${distinctOf(comparable ? name : `${name}::VARCHAR`, approximate.has(column.name))} AS "d${index}"`);
    if (comparable && !known.has(column.name)) select.push(`min(${name}) AS "lo${index}"`, `max(${name}) AS "hi${index}"`);
  });
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM ${table}`);
  if (row === undefined) throw new Error('profile query returned no row');
  return described.map((_, index) => ({ nonNull: Number(row[`n${index}`]), distinct: Number(row[`d${index}`]), min: row[`lo${index}`] ?? null, max: row[`hi${index}`] ?? null }));
}

/**
 * The same aggregates over `UNPIVOT INCLUDE NULLS`, one query per storage type (so the value column keeps
 * the column's type and min and max come back as they would from the column itself), grouped by column.
 * Columns are renamed c0, c1, ... inside so any column name survives.
 */
async function aggregatesByUnpivot(
  engine: AnalyticsEngine,
  table: string,
  described: readonly { name: string; type: string }[],
  approximate: ReadonlySet<string>,
): Promise<Aggregates[]> {
  const aggregates: Aggregates[] = described.map(() => ({ nonNull: 0, distinct: 0, min: null, max: null }));
  const indexed = described.map((column, index) => ({ ...column, index, comparable: COMPARABLE.test(column.type), approximate: approximate.has(column.name) }));
  const groups = groupBy(indexed, (column) => `${column.comparable ? column.type : 'VARCHAR*'}|${column.approximate}`);
  for (const columns of groups.values()) {
    const [first] = columns;
    if (first === undefined) continue;
    const inner = columns.map((column) => `${quoteIdentifier(column.name)}${column.comparable ? '' : '::VARCHAR'} AS "c${column.index}"`).join(', ');
    const range = first.comparable ? ', min(v) AS lo, max(v) AS hi' : '';
    const rows = await engine.query(
      `SELECT k, count(v) AS n, ${distinctOf('v', first.approximate)} AS d${range}
       FROM (SELECT ${inner} FROM ${table}) AS wide UNPIVOT INCLUDE NULLS (v FOR k IN (COLUMNS(*))) GROUP BY k`,
    );
    for (const row of rows) {
      const index = Number(String(row.k).slice(1));
      aggregates[index] = { nonNull: Number(row.n), distinct: Number(row.d), min: row.lo ?? null, max: row.hi ?? null };
    }
  }
  return aggregates;
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
