/**
 * The rows the traffic simulator replays: a dataset version's rows with the models' input columns (derived
 * inputs computed by the SQL the model recorded at training), the spec target's label as `label` (1 for
 * the positive class), and every other column for the response model, in the order of a time column.
 */
import { datasetArtifactKey, resolveDatasetRef } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import { featureSql, findLabel, loadModelVersion } from '../evaluate/model-inputs.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';

export interface ReplaySource {
  rows: Record<string, unknown>[];
  /** The model's input columns, the ones each request sends. */
  features: string[];
  dataset: string;
}

/** Reads up to `limit` rows (all by default), ordered by `orderBy` when given. */
export async function readReplayRows(
  workspace: Workspace,
  engine: AnalyticsEngine,
  spec: ProblemSpec,
  options: { dataset: string; models: readonly string[]; limit?: number; orderBy?: string; sample?: { rows: number; seed: number } },
): Promise<ReplaySource> {
  const version = await resolveDatasetRef(workspace.datasets, options.dataset);
  const loaded = await Promise.all(options.models.map((ref) => loadModelVersion(workspace, ref)));
  const table = `read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(datasetArtifactKey(version.hash)))})`;
  const columns = new Set(version.columns.map((column) => column.name));
  if (options.orderBy !== undefined && !columns.has(options.orderBy)) {
    throw new MlcycleError('invalid_input', `${version.ref} has no column "${options.orderBy}" to order the replay by (columns: ${[...columns].slice(0, 20).join(', ')})`);
  }
  // Every arm's model reads its inputs from the same request: the union of their input columns.
  const features: Record<string, string> = {};
  for (const model of loaded) Object.assign(features, featureSql(model.model));
  const label = await findLabel(engine, spec, version, table);
  const derived: [string, string][] = Object.entries(features).filter(([name, sql]) => sql !== quoteIdentifier(name));
  if (label.found) derived.push(['label', label.label.sql]);
  const replaced = derived.map(([name]) => name).filter((name) => columns.has(name));
  const select = `SELECT *${replaced.length === 0 ? '' : ` EXCLUDE (${replaced.map(quoteIdentifier).join(', ')})`}${derived.map(([name, sql]) => `, ${sql} AS ${quoteIdentifier(name)}`).join('')} FROM ${table}`;
  const sample = options.sample === undefined ? '' : ` USING SAMPLE reservoir(${Math.trunc(options.sample.rows)} ROWS) REPEATABLE (${Math.trunc(options.sample.seed)})`;
  const order = options.orderBy === undefined ? '' : ` ORDER BY ${quoteIdentifier(options.orderBy)}`;
  const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`;
  const rows = await engine.query(`SELECT * FROM (${select}${sample})${order}${limit}`);
  return { rows: rows.map((row) => ({ ...row })), features: Object.keys(features), dataset: version.ref };
}
