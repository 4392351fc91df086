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

async function spearman(engine: AnalyticsEngine, table: string, columns: readonly ColumnSchema[]): Promise<Correlation[]> {
  if (columns.length < 2) return [];
  const ranks = columns.map((column, index) => {
    const value = finiteValue(column);
    return `CASE WHEN ${value} IS NULL THEN NULL ELSE rank() OVER (ORDER BY ${value} NULLS LAST) + (count(*) OVER (PARTITION BY ${value}) - 1) / 2.0 END AS r${index}`;
  });
  await engine.run(`CREATE OR REPLACE TEMP TABLE mlcycle_ranks AS SELECT ${ranks.join(', ')} FROM ${table}`);
  const pairs: [number, number][] = [];
  for (let a = 0; a < columns.length; a++) for (let b = a + 1; b < columns.length; b++) pairs.push([a, b]);
  const select = pairs.flatMap(([a, b], index) => [`corr(r${a}, r${b}) AS c${index}`, `count(r${a} + r${b}) AS n${index}`]);
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM mlcycle_ranks`);
  await engine.run('DROP TABLE IF EXISTS mlcycle_ranks');
  return pairs.flatMap(([a, b], index) => {
    const value = row?.[`c${index}`];
    if (typeof value !== 'number' || !Number.isFinite(value)) return [];
    return [{ method: 'spearman' as const, a: columns[a]?.name ?? '', b: columns[b]?.name ?? '', value, n: Number(row?.[`n${index}`] ?? 0) }];
  });
}

async function cramersV(engine: AnalyticsEngine, table: string, columns: readonly ColumnSchema[]): Promise<Correlation[]> {
  if (columns.length < 2) return [];
  const names = columns.map((column) => quoteIdentifier(column.name));
  const pairs: [number, number][] = [];
  for (let a = 0; a < columns.length; a++) for (let b = a + 1; b < columns.length; b++) pairs.push([a, b]);
  const values = names.map((name, index) => `${name}::VARCHAR AS v${index}`).join(', ');
  const sets = pairs.map(([a, b]) => `(v${a}, v${b})`).join(', ');
  const keys = names.map((_, index) => `v${index}`);
  // GROUPING(...) tells which pair a row belongs to; a NULL inside a grouped column is a real missing value.
  const rows = await engine.query(
    `SELECT grouping(${keys.join(', ')}) AS gid, ${keys.join(', ')}, count(*) AS n FROM (SELECT ${values} FROM ${table}) GROUP BY GROUPING SETS (${sets})`,
  );
  const out: Correlation[] = [];
  const width = columns.length;
  for (const [a, b] of pairs) {
    // In GROUPING's bit mask the first column is the highest bit; a bit is 0 when the column is grouped.
    const mask = (2 ** width - 1) ^ (2 ** (width - 1 - a)) ^ (2 ** (width - 1 - b));
    const cells = rows.filter((row) => row.gid === mask && row[`v${a}`] !== null && row[`v${b}`] !== null);
    const rowTotals = new Map<string, number>();
    const columnTotals = new Map<string, number>();
    let n = 0;
    for (const cell of cells) {
      const count = Number(cell.n);
      rowTotals.set(String(cell[`v${a}`]), (rowTotals.get(String(cell[`v${a}`])) ?? 0) + count);
      columnTotals.set(String(cell[`v${b}`]), (columnTotals.get(String(cell[`v${b}`])) ?? 0) + count);
      n += count;
    }
    const k = Math.min(rowTotals.size, columnTotals.size);
    if (n === 0 || k < 2) continue;
    let sum = 0;
    for (const cell of cells) {
      const count = Number(cell.n);
      sum += (count * count) / ((rowTotals.get(String(cell[`v${a}`])) ?? 1) * (columnTotals.get(String(cell[`v${b}`])) ?? 1));
    }
    const chi2 = n * (sum - 1);
    out.push({ method: 'cramers-v', a: columns[a]?.name ?? '', b: columns[b]?.name ?? '', value: Math.sqrt(Math.max(0, chi2) / (n * (k - 1))), n });
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
    ...(await spearman(engine, table, numeric)),
    ...(await cramersV(engine, table, categorical)),
    ...(await correlationRatios(engine, table, categorical, numeric, means)),
  ];
  return { correlations, notes };
}
