/**
 * Each column's association with the target: mutual information (in nats) between the binned column and
 * the binned target, next to the single-column AUC or R-squared of the data-gathering stage. Binning:
 * numbers and times into MI_BINS equal-width bins over their range, categories by value, a missing value
 * as a bin of its own; a binary target as 0/1, a regression target into MI_BINS equal-width bins. The same
 * bins fed to scikit-learn's `mutual_info_score` give the same value.
 */
import type { ColumnPower } from '../data/feasibility.js';
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { ColumnSchema } from '../store/dataset-store.js';
import type { TargetAssociation } from './profile-types.js';

export const MI_BINS = 20;

/** SQL that bins a numeric expression into MI_BINS equal-width bins over [low, high]; NULL stays NULL. */
function equalWidthBin(expression: string, low: number, high: number): string {
  if (!(high > low)) return `CASE WHEN ${expression} IS NULL THEN NULL ELSE 0 END`;
  // least() skips NULLs in DuckDB, so a missing value must be kept NULL explicitly.
  return `CASE WHEN ${expression} IS NULL THEN NULL ELSE least(floor((${expression} - ${low}) / ${(high - low) / MI_BINS}), ${MI_BINS - 1})::INTEGER END`;
}

function isBinnedNumerically(column: ColumnSchema): boolean {
  return column.semanticType === 'numeric' || column.semanticType === 'integer' || column.semanticType === 'datetime';
}

function numericValue(column: ColumnSchema): string {
  const name = quoteIdentifier(column.name);
  return column.semanticType === 'datetime' ? `epoch(${name})` : `CASE WHEN isinf(${name}::DOUBLE) THEN NULL ELSE ${name}::DOUBLE END`;
}

/** Mutual information in nats from a table of joint counts. */
export function mutualInformation(cells: readonly { x: string; y: string; n: number }[]): number {
  const total = cells.reduce((sum, cell) => sum + cell.n, 0);
  const xs = new Map<string, number>();
  const ys = new Map<string, number>();
  for (const cell of cells) {
    xs.set(cell.x, (xs.get(cell.x) ?? 0) + cell.n);
    ys.set(cell.y, (ys.get(cell.y) ?? 0) + cell.n);
  }
  let mi = 0;
  for (const cell of cells) {
    if (cell.n === 0) continue;
    mi += (cell.n / total) * Math.log((total * cell.n) / ((xs.get(cell.x) ?? 1) * (ys.get(cell.y) ?? 1)));
  }
  return Math.max(0, mi);
}

/** Associations of the given columns with a target expression, ranked by mutual information. */
export async function targetAssociations(
  engine: AnalyticsEngine,
  table: string,
  columns: readonly ColumnSchema[],
  target: { sql: string; task: 'binary' | 'multiclass' | 'regression' | 'ranking'; labelSql: string },
  power: readonly ColumnPower[],
): Promise<TargetAssociation[]> {
  let targetBin = target.labelSql;
  if (target.task === 'regression' || target.task === 'ranking') {
    const [range] = await engine.query(`SELECT min((${target.sql})::DOUBLE) AS lo, max((${target.sql})::DOUBLE) AS hi FROM ${table}`);
    targetBin = equalWidthBin(`(${target.sql})::DOUBLE`, Number(range?.lo), Number(range?.hi));
  }
  if (columns.length === 0) return [];
  // One pass for every numeric column's range, one pass for every column's joint counts with the target
  // (one grouping set per column; GROUPING() tells the sets apart, the first column being the high bit).
  const numeric = columns.filter(isBinnedNumerically);
  const [ranges] = numeric.length === 0 ? [{}] : await engine.query(`SELECT ${numeric.flatMap((column, index) => [`min(${numericValue(column)}) AS lo${index}`, `max(${numericValue(column)}) AS hi${index}`]).join(', ')} FROM ${table}`);
  const bins = columns.map((column, index) => {
    const position = numeric.indexOf(column);
    const bin = position < 0 ? `${quoteIdentifier(column.name)}::VARCHAR` : `(${equalWidthBin(numericValue(column), Number(ranges?.[`lo${position}`]), Number(ranges?.[`hi${position}`]))})::VARCHAR`;
    return `coalesce(${bin}, '(missing)') AS b${index}`;
  });
  const keys = columns.map((_, index) => `b${index}`);
  const rows = await engine.query(
    `SELECT grouping(${keys.join(', ')}) AS gid, ${keys.join(', ')}, y, count(*) AS n
     FROM (SELECT ${bins.join(', ')}, (${targetBin})::VARCHAR AS y FROM ${table} WHERE ${target.sql} IS NOT NULL)
     GROUP BY GROUPING SETS (${keys.map((key) => `(${key}, y)`).join(', ')})`,
  );
  const width = columns.length;
  const associations: TargetAssociation[] = columns.map((column, index) => {
    const mask = (2 ** width - 1) ^ (2 ** (width - 1 - index));
    const cells = rows.filter((row) => row.gid === mask).map((row) => ({ x: String(row[`b${index}`]), y: String(row.y), n: Number(row.n) }));
    const association: TargetAssociation = { column: column.name, mutualInformation: mutualInformation(cells) };
    const measured = power.find((item) => item.column === column.name)?.power;
    if (measured !== undefined && target.task === 'binary') association.auc = (1 + measured) / 2;
    if (measured !== undefined && target.task === 'regression') association.r2 = measured;
    return association;
  });
  return associations.sort((a, b) => b.mutualInformation - a.mutualInformation);
}
