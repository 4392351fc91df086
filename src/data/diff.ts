/**
 * `mlcycle data diff A B`: what changed between two versions. Schema (columns added, removed, retyped),
 * row count, and per-column summary shifts: for numbers the standardised mean difference (flagged above
 * 0.1, the usual balance threshold of the propensity-score literature, Austin 2009), for categories the
 * total variation distance between value shares (flagged above 0.1), and the missing share for both.
 */
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { ColumnSchema, DatasetVersion } from '../store/dataset-store.js';

export const SHIFT_THRESHOLD = 0.1;

export interface ColumnShift {
  column: string;
  semanticType: string;
  missingShare: [number, number];
  /** Numbers: means and standard deviations, and the standardised mean difference. */
  mean?: [number, number];
  std?: [number, number];
  standardizedMeanDifference?: number;
  /** Categories: the total variation distance between value shares (top 100 values of each). */
  totalVariationDistance?: number;
  shifted: boolean;
}

export interface DatasetDiff {
  from: string;
  to: string;
  rows: [number, number];
  added: string[];
  removed: string[];
  retyped: { column: string; from: string; to: string }[];
  columns: ColumnShift[];
}

const NUMERIC = new Set(['numeric', 'integer', 'boolean']);

async function moments(engine: AnalyticsEngine, table: string, column: string): Promise<{ mean: number; std: number }> {
  const name = quoteIdentifier(column);
  const [row] = await engine.query(`SELECT avg(${name}::DOUBLE) AS mean, stddev_samp(${name}::DOUBLE) AS std FROM ${table}`);
  return { mean: Number(row?.mean ?? NaN), std: Number(row?.std ?? NaN) };
}

async function shares(engine: AnalyticsEngine, table: string, column: string): Promise<Map<string, number>> {
  const name = quoteIdentifier(column);
  const rows = await engine.query(
    `SELECT ${name}::VARCHAR AS v, count(*) / sum(count(*)) OVER () AS share FROM ${table} WHERE ${name} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 100`,
  );
  return new Map(rows.map((row) => [String(row.v), Number(row.share)]));
}

function missingShare(column: ColumnSchema, rows: number): number {
  return rows === 0 ? 0 : (rows - column.nonNull) / rows;
}

/** Compares two versions (of one dataset or of two). */
export async function diffDatasets(
  engine: AnalyticsEngine,
  from: { version: DatasetVersion; table: string },
  to: { version: DatasetVersion; table: string },
): Promise<DatasetDiff> {
  const before = new Map(from.version.columns.map((column) => [column.name, column]));
  const after = new Map(to.version.columns.map((column) => [column.name, column]));
  const diff: DatasetDiff = {
    from: from.version.ref,
    to: to.version.ref,
    rows: [from.version.rowCount, to.version.rowCount],
    added: [...after.keys()].filter((name) => !before.has(name)),
    removed: [...before.keys()].filter((name) => !after.has(name)),
    retyped: [],
    columns: [],
  };
  for (const [name, old] of before) {
    const current = after.get(name);
    if (current === undefined) continue;
    if (old.storageType !== current.storageType || old.semanticType !== current.semanticType) {
      diff.retyped.push({ column: name, from: `${old.semanticType} (${old.storageType})`, to: `${current.semanticType} (${current.storageType})` });
    }
    const missing: [number, number] = [missingShare(old, from.version.rowCount), missingShare(current, to.version.rowCount)];
    const shift: ColumnShift = { column: name, semanticType: current.semanticType, missingShare: missing, shifted: Math.abs(missing[1] - missing[0]) > SHIFT_THRESHOLD };
    if (NUMERIC.has(old.semanticType) && NUMERIC.has(current.semanticType)) {
      const a = await moments(engine, from.table, name);
      const b = await moments(engine, to.table, name);
      shift.mean = [a.mean, b.mean];
      shift.std = [a.std, b.std];
      const pooled = Math.sqrt((a.std ** 2 + b.std ** 2) / 2);
      shift.standardizedMeanDifference = pooled > 0 ? (b.mean - a.mean) / pooled : b.mean === a.mean ? 0 : Infinity;
      shift.shifted ||= Math.abs(shift.standardizedMeanDifference) > SHIFT_THRESHOLD;
    } else if (current.semanticType === 'categorical' || current.semanticType === 'text') {
      const a = await shares(engine, from.table, name);
      const b = await shares(engine, to.table, name);
      let distance = 0;
      for (const value of new Set([...a.keys(), ...b.keys()])) distance += Math.abs((a.get(value) ?? 0) - (b.get(value) ?? 0));
      shift.totalVariationDistance = distance / 2;
      shift.shifted ||= shift.totalVariationDistance > SHIFT_THRESHOLD;
    }
    diff.columns.push(shift);
  }
  return diff;
}
