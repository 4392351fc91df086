/**
 * The samples a monitor compares: the reference (a dataset version, or a period of the model's own logged
 * requests) and each window of logged requests, read once and held as plain columns. A window is read
 * with one query (its predictions with their inputs, latencies, decisions, the labels that arrived for
 * their units and the failed requests in its span); its columns are then parsed from the logged inputs.
 */
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import type { MonitorSpec, ProblemSpec } from '../problem/spec-schema.js';
import { targetLabelSql } from '../train/pipeline/normalize-pipeline.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';

/** One watched column: its numbers (NaN for missing) or its labels (null for missing). */
export type ColumnValues = { kind: 'numeric'; values: Float64Array; invalid: number } | { kind: 'categorical'; values: (string | null)[]; invalid: number };

export interface ReferenceSample {
  description: string;
  rows: number;
  columns: Map<string, ColumnValues>;
  /** The label of each reference row (1 positive, 0 negative, NaN unknown), when the reference has them. */
  labels: Float64Array | null;
}

export interface WindowSample {
  rows: number;
  start: string;
  end: string;
  columns: Map<string, ColumnValues>;
  scores: Float64Array;
  decisions: Float64Array;
  latencies: Float64Array;
  /** The label that arrived for each prediction's unit (NaN while none has). */
  labels: Float64Array;
  versions: Map<number, number>;
  /** The version that answered each prediction. */
  rowVersions: Int32Array;
  /** Requests of the model in the window's span that failed (error events). */
  errors: number;
}

const NUMERIC_TYPES = new Set(['numeric', 'integer', 'boolean']);

/** The predictions a monitor watches: the model's, answered (not shadow). */
export function watchedPredictions(relationSql: string, model: string): string {
  return `SELECT * FROM (${relationSql}) WHERE type = 'prediction' AND model = ${quoteLiteral(model)} AND (name IS NULL OR name <> 'shadow')`;
}

/** Reads the reference: the dataset's feature columns (or the logged inputs of the period) and its labels. */
export async function readReference(workspace: Workspace, engine: AnalyticsEngine, monitor: MonitorSpec, spec: ProblemSpec): Promise<ReferenceSample> {
  const target = spec.target.column;
  if (typeof monitor.reference === 'string') {
    const version = await resolveDatasetRef(workspace.datasets, monitor.reference);
    const file = `read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(version.artifactKey))})`;
    // The features the service was sent: the reference's columns that the logged inputs carry.
    const logged = await loggedInputNames(workspace, engine, monitor.model);
    const candidates = version.columns.filter((column) => column.name !== target && logged.has(column.name) && column.semanticType !== 'identifier' && column.semanticType !== 'datetime' && column.semanticType !== 'text');
    if (monitor.columns === undefined && candidates.length === 0) {
      throw new MlcycleError('invalid_input', `monitor ${monitor.name}: no column of ${version.ref} is among the inputs ${monitor.model} logged (${[...logged].join(', ') || 'none'}); name them under columns:`);
    }
    const chosen = monitor.columns === undefined ? candidates : monitor.columns.map((name) => {
      const column = version.columns.find((each) => each.name === name);
      if (column === undefined) throw new MlcycleError('invalid_input', `monitor ${monitor.name}: column "${name}" is not in ${version.ref} (it has ${version.columns.map((each) => each.name).join(', ')})`);
      return column;
    });
    const columns = new Map<string, ColumnValues>();
    for (const column of chosen) {
      const numeric = NUMERIC_TYPES.has(column.semanticType);
      const read = await engine.columns(`SELECT ${numeric ? `TRY_CAST(${quoteIdentifier(column.name)} AS DOUBLE)` : `CAST(${quoteIdentifier(column.name)} AS VARCHAR)`} AS value FROM ${file}`);
      columns.set(column.name, numeric ? { kind: 'numeric', values: asFloats(read.value), invalid: 0 } : { kind: 'categorical', values: asLabels(read.value), invalid: 0 });
    }
    // The label as training defines it (the target's definition, or its column); a reference without it has no labels.
    // The label: the target column when the reference has it, else the target's definition (as training derives it).
    let labels: Float64Array | null = null;
    const hasColumn = version.columns.some((column) => column.name === target);
    if (hasColumn || spec.target.definition !== undefined) {
      const label = hasColumn ? labelOfColumn(spec) : targetLabelSql(spec);
      labels = asFloats((await engine.columns(`SELECT CASE WHEN ${label} IS NULL THEN NULL WHEN ${label} THEN 1::DOUBLE ELSE 0::DOUBLE END AS label FROM ${file}`)).label);
    }
    return { description: version.ref, rows: version.rowCount, columns, labels };
  }
  const { since, until } = monitor.reference;
  const window = await readWindow(workspace, engine, monitor, { since, until }, target, null);
  if (window.rows === 0) throw new MlcycleError('invalid_input', `monitor ${monitor.name}: no predictions of ${monitor.model} were logged in its reference period ${since} to ${until}`);
  return { description: `predictions of ${monitor.model} from ${since} until ${until}`, rows: window.rows, columns: window.columns, labels: window.labels };
}

/** A target column as a boolean: equal to the spec's positive value, else true, 1 or "true" (any case). */
function labelOfColumn(spec: ProblemSpec): string {
  const column = quoteIdentifier(spec.target.column);
  const positive = spec.target.positive;
  if (positive !== undefined) return `(CAST(${column} AS VARCHAR) = ${quoteLiteral(String(positive))})`;
  return `(lower(CAST(${column} AS VARCHAR)) IN ('1', '1.0', 'true'))`;
}

/** The fields of the inputs a model's first thousand logged predictions carry. */
export async function loggedInputNames(workspace: Workspace, engine: AnalyticsEngine, model: string): Promise<Set<string>> {
  const relation = await workspace.events.relation();
  try {
    const rows = await engine.query(`SELECT DISTINCT unnest(json_keys(inputs)) AS key FROM (SELECT inputs FROM (${watchedPredictions(relation.sql, model)}) WHERE inputs IS NOT NULL LIMIT 1000)`);
    return new Set(rows.map((row) => String(row.key)));
  } finally {
    relation.release();
  }
}

/** Which rows a window holds: a span of time, or the n-th block of rows in the order they were logged. */
export type WindowBounds = { since: string; until: string } | { firstRow: number; rows: number };

/**
 * Reads one window. `kinds` gives each watched column's kind (from the reference); without it (an event
 * reference being read) a column is numeric when its first logged value is a JSON number.
 */
export async function readWindow(workspace: Workspace, engine: AnalyticsEngine, monitor: MonitorSpec, bounds: WindowBounds, target: string, kinds: ReadonlyMap<string, ColumnValues['kind']> | null): Promise<WindowSample> {
  const relation = await workspace.events.relation();
  try {
    const predictions = watchedPredictions(relation.sql, monitor.model);
    const chosen =
      'since' in bounds
        ? `SELECT * FROM (${predictions}) WHERE time >= ${quoteLiteral(bounds.since)}::TIMESTAMPTZ AND time < ${quoteLiteral(bounds.until)}::TIMESTAMPTZ`
        : `SELECT * FROM (SELECT *, row_number() OVER (ORDER BY time, request_id) AS row_number FROM (${predictions})) WHERE row_number > ${Math.trunc(bounds.firstRow)} AND row_number <= ${Math.trunc(bounds.firstRow + bounds.rows)}`;
    const rows = await engine.query(`WITH labels AS (SELECT unit, arg_max(value, time) AS label FROM (${relation.sql}) WHERE type = 'outcome' AND name = ${quoteLiteral(target)} AND unit IS NOT NULL AND value IS NOT NULL GROUP BY unit)
SELECT strftime(w.time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, w.version, w.score::DOUBLE AS score, w.decision::DOUBLE AS decision, w.latency_ms::DOUBLE AS latency, w.inputs, l.label::DOUBLE AS label
FROM (${chosen}) w LEFT JOIN labels l USING (unit) ORDER BY w.time, w.request_id`);
    const count = rows.length;
    const start = 'since' in bounds ? bounds.since : String(rows[0]?.time ?? '');
    const end = 'since' in bounds ? bounds.until : String(rows.at(-1)?.time ?? '');
    let errors = 0;
    if (count > 0 || 'since' in bounds) {
      const [failed] = await engine.query(
        `SELECT count(*)::DOUBLE AS n FROM (${relation.sql}) WHERE type = 'error' AND model = ${quoteLiteral(monitor.model)} AND time >= ${quoteLiteral(start)}::TIMESTAMPTZ AND time ${'since' in bounds ? '<' : '<='} ${quoteLiteral(end)}::TIMESTAMPTZ`,
      );
      errors = Number(failed?.n ?? 0);
    }
    const scores = new Float64Array(count);
    const decisions = new Float64Array(count);
    const latencies = new Float64Array(count);
    const labels = new Float64Array(count);
    const versions = new Map<number, number>();
    const rowVersions = new Int32Array(count);
    const parsed: (Record<string, unknown> | null)[] = new Array(count);
    rows.forEach((row, index) => {
      scores[index] = row.score === null ? NaN : Number(row.score);
      decisions[index] = row.decision === null ? NaN : Number(row.decision);
      latencies[index] = row.latency === null ? NaN : Number(row.latency);
      labels[index] = row.label === null ? NaN : Number(row.label) === 1 ? 1 : 0;
      const version = Number(row.version);
      versions.set(version, (versions.get(version) ?? 0) + 1);
      rowVersions[index] = version;
      parsed[index] = parseInputs(row.inputs);
    });
    const names = kinds === null ? inputNames(parsed, monitor) : [...kinds.keys()];
    const columns = new Map<string, ColumnValues>();
    for (const name of names) {
      const first = parsed.find((inputs) => inputs?.[name] !== undefined && inputs[name] !== null)?.[name];
      const kind = kinds?.get(name) ?? (typeof first === 'number' ? 'numeric' : 'categorical');
      columns.set(name, kind === 'numeric' ? numericColumn(parsed, name) : categoricalColumn(parsed, name));
    }
    return { rows: count, start, end, columns, scores, decisions, latencies, labels, versions, rowVersions, errors };
  } finally {
    relation.release();
  }
}

function parseInputs(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function inputNames(parsed: readonly (Record<string, unknown> | null)[], monitor: MonitorSpec): string[] {
  if (monitor.columns !== undefined) return [...monitor.columns];
  const names = new Set<string>();
  for (const inputs of parsed.slice(0, 1000)) if (inputs !== null) for (const key of Object.keys(inputs)) names.add(key);
  return [...names];
}

/** A numeric field: missing (absent or null) is NaN; a value that is not a number is NaN and counted invalid. */
function numericColumn(parsed: readonly (Record<string, unknown> | null)[], name: string): ColumnValues {
  const values = new Float64Array(parsed.length);
  let invalid = 0;
  parsed.forEach((inputs, index) => {
    const value = inputs?.[name];
    if (value === undefined || value === null) values[index] = NaN;
    else if (typeof value === 'number' && Number.isFinite(value)) values[index] = value;
    else if (typeof value === 'boolean') values[index] = value ? 1 : 0;
    else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) values[index] = Number(value);
    else {
      values[index] = NaN;
      invalid += 1;
    }
  });
  return { kind: 'numeric', values, invalid };
}

/** A categorical field: missing is null; an object or array is not a category and is counted invalid. */
function categoricalColumn(parsed: readonly (Record<string, unknown> | null)[], name: string): ColumnValues {
  let invalid = 0;
  const values = parsed.map((inputs) => {
    const value = inputs?.[name];
    if (value === undefined || value === null) return null;
    if (typeof value === 'object') {
      invalid += 1;
      return null;
    }
    return String(value);
  });
  return { kind: 'categorical', values, invalid };
}

function asFloats(value: unknown): Float64Array {
  if (value instanceof Float64Array) return value;
  if (Array.isArray(value)) return Float64Array.from(value, (each) => (each === null || each === undefined ? NaN : Number(each)));
  return new Float64Array(0);
}

function asLabels(value: unknown): (string | null)[] {
  return Array.isArray(value) ? value.map((each) => (each === null || each === undefined ? null : String(each))) : [];
}
