/**
 * Feature drift between a reference and a current sample read with SQL: the reference is a dataset version
 * (the training data, typically); the current sample is another dataset version or a window of the
 * service's logged predictions (their `inputs`, logged in full by `log.inputs: full`, the default).
 * Phases: 1. resolve both sources to SQL relations; 2. choose the columns (the reference's feature columns
 * the current sample has, minus the target); 3. read each column as typed arrays; 4. test each column
 * (column-drift.ts) and decide dataset drift.
 */
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { columnDrift, datasetDrift, type ColumnDrift, type ColumnSample, type DriftTest } from './column-drift.js';

/** What the current sample is: a dataset version, or the predictions one model served in a time window. */
export type CurrentSource = { kind: 'dataset'; ref: string } | { kind: 'predictions'; model: string; since?: string; until?: string };

export interface DriftRequest {
  /** The reference dataset version (`flights@2`). */
  reference: string;
  current: CurrentSource;
  /** Columns to compare; the reference's columns found in the current sample by default. */
  columns?: readonly string[];
  /** Left out of the default columns (the spec's target). */
  exclude?: readonly string[];
  /** One test for every column instead of Evidently's default choice, and its threshold. */
  test?: DriftTest;
  threshold?: number;
  /** The share of drifted columns that makes the dataset drifted (0.5). */
  driftShare?: number;
}

export interface DriftReport {
  reference: { ref: string; rows: number };
  current: { description: string; rows: number };
  columns: ColumnDrift[];
  dataset: { drifted: boolean; driftedColumns: number; share: number; threshold: number };
}

const NUMERIC_TYPES = new Set(['numeric', 'integer', 'boolean']);

/** Measures the drift of each chosen column of the current sample against the reference. */
export async function measureDrift(workspace: Workspace, engine: AnalyticsEngine, request: DriftRequest): Promise<DriftReport> {
  const reference = await resolveDatasetRef(workspace.datasets, request.reference);
  const referenceSql = `read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(reference.artifactKey))})`;
  const current = await currentRelation(workspace, engine, request.current);
  try {
    const available = current.columns;
    const chosen = chooseColumns(reference, available, request);
    const columns: ColumnDrift[] = [];
    for (const schema of chosen) {
      const numeric = NUMERIC_TYPES.has(schema.semanticType);
      const referenceSample = await readColumn(engine, `SELECT ${quoteIdentifier(schema.name)} AS value FROM ${referenceSql}`, numeric);
      const currentSample = await readColumn(engine, current.select(schema.name, numeric), numeric);
      if ((currentSample.kind === 'numeric' ? currentSample.values.length : currentSample.counts.size) === 0) throw new MlcycleError('invalid_input', `the current sample (${current.description}) holds no rows`);
      columns.push(columnDrift(schema.name, referenceSample, currentSample, { ...(request.test === undefined ? {} : { test: request.test }), ...(request.threshold === undefined ? {} : { threshold: request.threshold }) }));
    }
    const threshold = request.driftShare ?? 0.5;
    return {
      reference: { ref: reference.ref, rows: reference.rowCount },
      current: { description: current.description, rows: columns[0]?.currentCount ?? 0 },
      columns,
      dataset: { ...datasetDrift(columns, threshold), threshold },
    };
  } finally {
    current.release();
  }
}

function chooseColumns(reference: DatasetVersion, available: ReadonlySet<string>, request: DriftRequest): DatasetVersion['columns'] {
  if (request.columns !== undefined) {
    const unknown = request.columns.filter((name) => !reference.columns.some((column) => column.name === name));
    if (unknown.length > 0) throw new MlcycleError('invalid_input', `columns: ${unknown.map((name) => `"${name}"`).join(', ')} not in ${reference.ref} (it has ${reference.columns.map((column) => column.name).join(', ')})`);
    return request.columns.map((name) => reference.columns.find((column) => column.name === name) as DatasetVersion['columns'][number]);
  }
  const excluded = new Set(request.exclude ?? []);
  const chosen = reference.columns.filter((column) => available.has(column.name) && !excluded.has(column.name) && column.semanticType !== 'identifier' && column.semanticType !== 'datetime' && column.semanticType !== 'text');
  if (chosen.length === 0) throw new MlcycleError('invalid_input', `no column of ${reference.ref} is in the current sample to compare (give --columns)`);
  return chosen;
}

interface CurrentRelation {
  description: string;
  /** The columns the source has: a dataset's, or the fields of the logged inputs. */
  columns: ReadonlySet<string>;
  select(column: string, numeric: boolean): string;
  release(): void;
}

async function currentRelation(workspace: Workspace, engine: AnalyticsEngine, source: CurrentSource): Promise<CurrentRelation> {
  if (source.kind === 'dataset') {
    const version = await resolveDatasetRef(workspace.datasets, source.ref);
    const sql = `read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(version.artifactKey))})`;
    return {
      description: version.ref,
      columns: new Set(version.columns.map((column) => column.name)),
      select: (column, numeric) => `SELECT ${numeric ? 'TRY_CAST' : 'CAST'}(${quoteIdentifier(column)} AS ${numeric ? 'DOUBLE' : 'VARCHAR'}) AS value FROM ${sql}`,
      release: () => undefined,
    };
  }
  const relation = await workspace.events.relation();
  const window = [
    `type = 'prediction'`,
    `model = ${quoteLiteral(source.model)}`,
    `inputs IS NOT NULL`,
    ...(source.since === undefined ? [] : [`time >= ${quoteLiteral(source.since)}::TIMESTAMPTZ`]),
    ...(source.until === undefined ? [] : [`time < ${quoteLiteral(source.until)}::TIMESTAMPTZ`]),
  ].join(' AND ');
  const description = `predictions of ${source.model}${source.since === undefined ? '' : ` from ${source.since}`}${source.until === undefined ? '' : ` until ${source.until}`}`;
  // The fields the logged inputs carry, from the window's first thousand records.
  let keys: Set<string>;
  try {
    const rows = await engine.query(`SELECT DISTINCT unnest(json_keys(inputs)) AS key FROM (SELECT inputs FROM (${relation.sql}) WHERE ${window} LIMIT 1000)`);
    keys = new Set(rows.map((row) => String(row.key)));
  } catch (error) {
    relation.release();
    throw error;
  }
  if (keys.size === 0) {
    relation.release();
    throw new MlcycleError('invalid_input', `no logged inputs in the ${description} (the service logs them with --log-inputs full, the default)`);
  }
  return {
    description,
    columns: keys,
    // A logged row's inputs are one JSON object; a field is read by its JSON path.
    select: (column, numeric) => {
      const path = quoteLiteral(`$.${JSON.stringify(column)}`);
      const value = numeric ? `TRY_CAST(json_extract(inputs, ${path}) AS DOUBLE)` : `json_extract_string(inputs, ${path})`;
      return `SELECT ${value} AS value FROM (${relation.sql}) WHERE ${window}`;
    },
    release: () => relation.release(),
  };
}

/** A numeric column as one Float64Array; a categorical one as counts, grouped by DuckDB rather than read row by row. */
async function readColumn(engine: AnalyticsEngine, sql: string, numeric: boolean): Promise<ColumnSample> {
  if (numeric) {
    const { value } = await engine.columns(`SELECT CAST(value AS DOUBLE) AS value FROM (${sql})`);
    return { kind: 'numeric', values: value instanceof Float64Array ? value : new Float64Array(0) };
  }
  const { value, n } = await engine.columns(`SELECT CAST(value AS VARCHAR) AS value, CAST(count(*) AS DOUBLE) AS n FROM (${sql}) WHERE value IS NOT NULL GROUP BY value ORDER BY value`);
  const labels = Array.isArray(value) ? value : [];
  const counts = new Map<string, number>();
  labels.forEach((label, index) => counts.set(String(label), n instanceof Float64Array ? (n[index] as number) : 0));
  return { kind: 'categorical', counts };
}
