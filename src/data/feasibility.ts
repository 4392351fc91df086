/**
 * The first facts a data scientist asks of a dataset: rows, label balance, missingness, duplicate rows,
 * timestamps in the future, leak suspects, and the columns that would be features.
 *
 * Leak suspects are (1) columns the spec declares `availableAt: after-outcome`, and (2) columns whose
 * single-column predictive power stands far above every other column's. Power is measured as the Gini
 * coefficient |2 AUC - 1| for binary targets and as R-squared for regression targets: numeric columns
 * score by their raw value (AUC is invariant to monotone transforms), categorical and boolean columns by
 * their category's smoothed target rate learnt on the even rows and scored on the odd rows, so that a
 * high-cardinality column cannot score by memorising. Rule: a column is suspect when its power is at
 * least 0.6 (AUC >= 0.8; R-squared >= 0.6) and at least 1.25 times the next best column's: one column
 * that alone separates the classes that well, clearly ahead of the rest, is more often a leak than a find.
 */
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { ColumnSchema, DatasetVersion } from '../store/dataset-store.js';
import type { DataSpec } from '../problem/data-spec.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { resolveTarget, expectedTarget, type TargetResolution } from './target.js';
import { datasetSpecFor } from './dataset-spec.js';
import { versionTableSql } from './version-table.js';

export const LEAK_MIN_POWER = 0.6;
export const LEAK_MIN_RATIO = 1.25;
/** Pseudo-count of the target-rate smoothing for categories (an m-estimate). */
const SMOOTHING = 20;

export interface ColumnPower {
  column: string;
  /** Gini (binary) or R-squared (regression) on held-out rows, in [0, 1]. */
  power: number;
}

export interface LeakSuspect {
  column: string;
  /** Why: declared after the outcome in the spec, predictive power far above the rest, or both. */
  reasons: string[];
}

export interface FeasibilityFacts {
  rows: number;
  target?: { column: string; from: 'column' | 'definition'; sql: string; balance: { value: string; count: number; share: number }[] };
  missing: { column: string; count: number; share: number }[];
  duplicateRows: number;
  futureTimestamps?: { column: string; count: number; now: string };
  power: ColumnPower[];
  leakSuspects: LeakSuspect[];
  /** Columns that may be features: not the target, not identifiers, not known only after the outcome. */
  featureColumns: string[];
  notes: string[];
}

/** Computes the facts of a version under the spec (the spec may be absent). */
export async function assessFeasibility(
  engine: AnalyticsEngine,
  artifacts: ArtifactStore,
  version: DatasetVersion,
  spec: DataSpec | undefined,
  now: Date,
  explicitTarget?: string,
): Promise<FeasibilityFacts> {
  const table = await versionTableSql(artifacts, version);
  const numberedTable = await versionTableSql(artifacts, version, true);
  const notes: string[] = [];
  const columns = version.columns;
  const datasetSpec = datasetSpecFor(spec, version);
  const expected = expectedTarget(spec, datasetSpec, explicitTarget);
  const target = expected === undefined ? undefined : await resolveTarget(engine, table, columns.map((column) => column.name), expected, spec);
  if (expected !== undefined && target === undefined) notes.push(`the target "${expected.column}" is not in this dataset`);

  const missing = columns
    .filter((column) => column.nonNull < version.rowCount)
    .map((column) => ({ column: column.name, count: version.rowCount - column.nonNull, share: (version.rowCount - column.nonNull) / version.rowCount }));
  const [duplicates] = await engine.query(`SELECT count(*) AS groups FROM (SELECT * FROM ${table} GROUP BY ALL)`);
  const facts: FeasibilityFacts = {
    rows: version.rowCount,
    missing,
    duplicateRows: version.rowCount - Number(duplicates?.groups ?? version.rowCount),
    power: [],
    leakSuspects: [],
    featureColumns: [],
    notes,
  };
  if (version.timeColumn !== undefined) {
    const [future] = await engine.query(
      `SELECT count(*) AS n FROM ${table} WHERE ${quoteIdentifier(version.timeColumn)} > ${quoteLiteral(now.toISOString())}::TIMESTAMPTZ`,
    );
    facts.futureTimestamps = { column: version.timeColumn, count: Number(future?.n ?? 0), now: now.toISOString() };
  }
  const declared = Object.entries(datasetSpec?.columns ?? {})
    .filter(([, column]) => column.availableAt === 'after-outcome')
    .map(([name]) => name);
  for (const column of declared) {
    if (columns.some((candidate) => candidate.name === column)) {
      facts.leakSuspects.push({ column, reasons: ['declared availableAt: after-outcome in mlcycle.yaml'] });
    }
  }
  const labelInputs = target === undefined ? [] : columnsInTarget(target, columns);
  const excluded = new Set([...declared, ...labelInputs]);
  const candidates = columns.filter((column) => !excluded.has(column.name) && column.semanticType !== 'identifier' && column.semanticType !== 'text');
  facts.featureColumns = candidates.map((column) => column.name);
  if (target !== undefined) {
    facts.target = { column: target.column, from: target.from, sql: target.sql, balance: await labelBalance(engine, table, target) };
    const task = spec?.task ?? inferTask(columns.find((column) => column.name === target.column));
    if (task === 'binary' || task === 'regression') {
      const scored = columns.filter((column) => column.semanticType !== 'identifier' && column.semanticType !== 'text' && !labelInputs.includes(column.name));
      for (const column of scored) {
        const power = await columnPower(engine, numberedTable, column, target, task, spec?.target?.positive);
        if (power !== undefined) facts.power.push({ column: column.name, power });
      }
      facts.power.sort((a, b) => b.power - a.power);
      const [best, next] = facts.power;
      if (best !== undefined && best.power >= LEAK_MIN_POWER && best.power >= LEAK_MIN_RATIO * (next?.power ?? 0)) {
        const measure = task === 'binary' ? 'Gini' : 'R-squared';
        const reason = `alone it reaches ${measure} ${best.power.toFixed(3)}, over ${LEAK_MIN_RATIO}x the next best column (${next?.column ?? 'none'}: ${(next?.power ?? 0).toFixed(3)})`;
        const known = facts.leakSuspects.find((suspect) => suspect.column === best.column);
        if (known === undefined) facts.leakSuspects.push({ column: best.column, reasons: [reason] });
        else known.reasons.push(reason);
      }
    } else if (task !== undefined) {
      notes.push(`single-column power is computed for binary and regression tasks, not ${task}`);
    }
  }
  return facts;
}

/** Without a spec, a target's task follows from its type: two values make it binary, numbers regression. */
export function inferTask(column: ColumnSchema | undefined): 'binary' | 'multiclass' | 'regression' {
  if (column === undefined || column.semanticType === 'boolean' || column.distinct === 2) return 'binary';
  return column.semanticType === 'numeric' || column.semanticType === 'integer' ? 'regression' : 'multiclass';
}

/** The columns the label is made of: the target column, or the columns its definition mentions. */
export function columnsInTarget(target: TargetResolution, columns: readonly ColumnSchema[]): string[] {
  if (target.from === 'column') return [target.column];
  return columns
    .map((column) => column.name)
    .filter((name) => new RegExp(`(^|[^A-Za-z0-9_."])("${escapeRegExp(name)}"|${escapeRegExp(name)})($|[^A-Za-z0-9_"])`).test(target.sql));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function labelBalance(engine: AnalyticsEngine, table: string, target: TargetResolution): Promise<{ value: string; count: number; share: number }[]> {
  const rows = await engine.query(
    `SELECT ${target.sql}::VARCHAR AS value, count(*) AS n, count(*) / sum(count(*)) OVER () AS share FROM ${table} GROUP BY 1 ORDER BY n DESC LIMIT 20`,
  );
  return rows.map((row) => ({ value: row.value === null ? '(missing)' : String(row.value), count: Number(row.n), share: Number(row.share) }));
}

/** The binary label as 0/1: the spec's positive value, else true or 1. */
export function binaryLabelSql(target: TargetResolution, positive: string | number | boolean | undefined): string {
  if (positive === undefined) return `CASE WHEN ${target.sql}::VARCHAR IN ('true', '1', '1.0') THEN 1.0 ELSE 0.0 END`;
  return `CASE WHEN ${target.sql}::VARCHAR = ${quoteLiteral(String(positive))} THEN 1.0 ELSE 0.0 END`;
}

async function columnPower(
  engine: AnalyticsEngine,
  numberedTable: string,
  column: ColumnSchema,
  target: TargetResolution,
  task: 'binary' | 'regression',
  positive: string | number | boolean | undefined,
): Promise<number | undefined> {
  const name = quoteIdentifier(column.name);
  const label = task === 'binary' ? binaryLabelSql(target, positive) : `(${target.sql})::DOUBLE`;
  const numeric = column.semanticType === 'numeric' || column.semanticType === 'integer' || column.semanticType === 'datetime';
  const value = !numeric ? `${name}::VARCHAR` : column.semanticType === 'datetime' ? `epoch(${name})` : `${name}::DOUBLE`;
  const ctes = [`base AS (SELECT ${value} AS v, ${label} AS y, file_row_number % 2 AS half FROM ${numberedTable} WHERE ${target.sql} IS NOT NULL)`];
  if (numeric) {
    // The raw value is the score, on all rows: no fitting, so nothing to hold out.
    ctes.push('scored AS (SELECT v AS s, y FROM base WHERE v IS NOT NULL)');
  } else {
    // The smoothed target rate of the value, learnt on even rows and scored on odd rows.
    ctes.push(
      'prior AS (SELECT avg(y) AS p FROM base WHERE half = 0)',
      `fit AS (SELECT v, (sum(y) + ${SMOOTHING} * any_value(prior.p)) / (count(*) + ${SMOOTHING}) AS rate FROM base CROSS JOIN prior WHERE half = 0 GROUP BY v)`,
      'scored AS (SELECT coalesce(fit.rate, prior.p) AS s, base.y FROM base CROSS JOIN prior LEFT JOIN fit ON fit.v IS NOT DISTINCT FROM base.v WHERE base.half = 1)',
    );
  }
  let measure: string;
  if (task === 'binary') {
    // AUC with ties counted half (the Mann-Whitney statistic), from per-score counts.
    ctes.push(
      'grouped AS (SELECT s, sum(y) AS pos, count(*) - sum(y) AS neg FROM scored GROUP BY s)',
      'cumulative AS (SELECT pos, neg, coalesce(sum(neg) OVER (ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS below FROM grouped)',
    );
    measure = 'SELECT sum(pos * (below + 0.5 * neg)) / (sum(pos) * sum(neg)) AS power FROM cumulative';
  } else {
    measure = 'SELECT regr_r2(y, s) AS power FROM scored';
  }
  const [row] = await engine.query(`WITH ${ctes.join(',\n')}\n${measure}`);
  const measured = row?.power;
  if (typeof measured !== 'number' || !Number.isFinite(measured)) return undefined;
  return task === 'binary' ? Math.abs(2 * measured - 1) : Math.max(0, measured);
}
