/**
 * Pairwise association between columns, each computed from aggregates DuckDB returns:
 * - Spearman's rho for numeric pairs: Pearson's correlation of average ranks (ties share the mean of their
 *   ranks). Each column is ranked once over all its present values; a pair uses the rows where both are
 *   present. Without missing values this is exactly pandas' `corr(method="spearman")`.
 * - Cramer's V for categorical pairs, without continuity correction (scipy.stats.contingency.association
 *   with correction=False): V = sqrt(chi2 / (n (min(r, c) - 1))), chi2 = n (sum O^2 / (R C) - 1).
 * - The correlation ratio eta for numeric-categorical pairs: sqrt(between-group over total sum of squares).
 * Categorical columns with more than MAX_CATEGORIES distinct values, identifiers and text are left out,
 * as ydata-profiling leaves out high-cardinality columns.
 */
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { ColumnSchema } from '../store/dataset-store.js';
import { finiteValue, isNumericColumn } from './column-summaries.js';
import type { Correlation } from './profile-types.js';

export const MAX_CATEGORIES = 100;

function isCategoricalColumn(column: ColumnSchema): boolean {
  return column.semanticType === 'categorical' || column.semanticType === 'boolean';
}

async function spearman(engine: AnalyticsEngine, numberedTable: string, columns: readonly ColumnSchema[]): Promise<Correlation[]> {
  if (columns.length < 2) return [];
  // One column at a time, each ranked into its own table in row order; a positional join then lines the
  // rank tables up without a hash join, and one pass computes every pair's correlation.
  // The average rank of a value is the count of smaller values plus (its count + 1) / 2: ranked once per
  // distinct value, then looked up for every row.
  for (const [index, column] of columns.entries()) {
    const value = finiteValue(column);
    await engine.run(
      `CREATE OR REPLACE TEMP TABLE mlcycle_rank_${index} AS
       WITH rows AS (SELECT file_row_number AS row_id, ${value} AS v FROM ${numberedTable}),
       counted AS (SELECT v, count(*) AS c FROM rows WHERE v IS NOT NULL GROUP BY v),
       ranked AS (SELECT v, sum(c) OVER (ORDER BY v) - (c - 1) / 2.0 AS r FROM counted)
       SELECT ranked.r AS r${index} FROM rows LEFT JOIN ranked USING (v) ORDER BY row_id`,
    );
  }
  const pairs: [number, number][] = [];
  for (let a = 0; a < columns.length; a++) for (let b = a + 1; b < columns.length; b++) pairs.push([a, b]);
  const select = pairs.flatMap(([a, b], index) => [`corr(r${a}, r${b}) AS c${index}`, `count(r${a} + r${b}) AS n${index}`]);
  const joined = columns.map((_, index) => `mlcycle_rank_${index}`).join(' POSITIONAL JOIN ');
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM ${joined}`);
  for (const [index] of columns.entries()) await engine.run(`DROP TABLE IF EXISTS mlcycle_rank_${index}`);
  return pairs.flatMap(([a, b], index) => {
    const value = row?.[`c${index}`];
    if (typeof value !== 'number' || !Number.isFinite(value)) return [];
    return [{ method: 'spearman' as const, a: columns[a]?.name ?? '', b: columns[b]?.name ?? '', value, n: Number(row?.[`n${index}`] ?? 0) }];
  });
}

async function cramersV(engine: AnalyticsEngine, table: string, columns: readonly ColumnSchema[]): Promise<Correlation[]> {
  const out: Correlation[] = [];
  for (let a = 0; a < columns.length; a++) {
    for (let b = a + 1; b < columns.length; b++) {
      const [left, right] = [columns[a] as ColumnSchema, columns[b] as ColumnSchema];
      // One small GROUP BY per pair: faster in DuckDB than one GROUPING SETS query over all the pairs.
      const cells = await engine.query(
        `SELECT ${quoteIdentifier(left.name)}::VARCHAR AS x, ${quoteIdentifier(right.name)}::VARCHAR AS y, count(*) AS n FROM ${table}
         WHERE ${quoteIdentifier(left.name)} IS NOT NULL AND ${quoteIdentifier(right.name)} IS NOT NULL GROUP BY 1, 2`,
      );
      const rowTotals = new Map<string, number>();
      const columnTotals = new Map<string, number>();
      let n = 0;
      for (const cell of cells) {
        const count = Number(cell.n);
        rowTotals.set(String(cell.x), (rowTotals.get(String(cell.x)) ?? 0) + count);
        columnTotals.set(String(cell.y), (columnTotals.get(String(cell.y)) ?? 0) + count);
        n += count;
      }
      const k = Math.min(rowTotals.size, columnTotals.size);
      if (n === 0 || k < 2) continue;
      let sum = 0;
      for (const cell of cells) sum += Number(cell.n) ** 2 / ((rowTotals.get(String(cell.x)) ?? 1) * (columnTotals.get(String(cell.y)) ?? 1));
      const chi2 = n * (sum - 1);
      out.push({ method: 'cramers-v', a: left.name, b: right.name, value: Math.sqrt(Math.max(0, chi2) / (n * (k - 1))), n });
    }
  }
  return out;
}

async function correlationRatios(
  engine: AnalyticsEngine,
  table: string,
  categorical: readonly ColumnSchema[],
  numeric: readonly ColumnSchema[],
  means: ReadonlyMap<string, number>,
): Promise<Correlation[]> {
  const out: Correlation[] = [];
  if (numeric.length === 0) return out;
  for (const category of categorical) {
    const group = quoteIdentifier(category.name);
    // Values are centred on their overall mean first, so the sums of squares do not cancel catastrophically.
    const select = numeric.flatMap((column, index) => {
      const centred = `(${finiteValue(column)} - ${means.get(column.name) ?? 0})`;
      return [`count(${centred}) AS n${index}`, `sum(${centred}) AS s${index}`, `sum(${centred} * ${centred}) AS q${index}`];
    });
    const rows = await engine.query(`SELECT ${select.join(', ')} FROM ${table} WHERE ${group} IS NOT NULL GROUP BY ${group}`);
    numeric.forEach((column, index) => {
      let n = 0;
      let sum = 0;
      let squares = 0;
      let between = 0;
      for (const row of rows) {
        const count = Number(row[`n${index}`] ?? 0);
        if (count === 0) continue;
        const groupSum = Number(row[`s${index}`] ?? 0);
        n += count;
        sum += groupSum;
        squares += Number(row[`q${index}`] ?? 0);
        between += (groupSum * groupSum) / count;
      }
      const total = squares - (sum * sum) / n;
      if (n < 2 || !(total > 0)) return;
      const eta = Math.sqrt(Math.min(1, Math.max(0, (between - (sum * sum) / n) / total)));
      out.push({ method: 'correlation-ratio', a: category.name, b: column.name, value: eta, n });
    });
  }
  return out;
}

/** All pairwise associations, and notes on the columns left out. */
export async function computeCorrelations(
  engine: AnalyticsEngine,
  table: string,
  numberedTable: string,
  columns: readonly ColumnSchema[],
  means: ReadonlyMap<string, number>,
): Promise<{ correlations: Correlation[]; notes: string[] }> {
  const numeric = columns.filter((column) => isNumericColumn(column) && column.distinct > 1);
  const categories = columns.filter((column) => isCategoricalColumn(column) && column.distinct > 1);
  const categorical = categories.filter((column) => column.distinct <= MAX_CATEGORIES);
  const notes = categories
    .filter((column) => column.distinct > MAX_CATEGORIES)
    .map((column) => `${column.name}: ${column.distinct} categories, over ${MAX_CATEGORIES}`);
  const correlations = [
    ...(await spearman(engine, numberedTable, numeric)),
    ...(await cramersV(engine, table, categorical)),
    ...(await correlationRatios(engine, table, categorical, numeric, means)),
  ];
  return { correlations, notes };
}
