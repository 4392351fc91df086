/**
 * What an evaluation reads from the workspace: a registered model version's model file, the rows of a
 * dataset version with the model's input columns, the label and the segment columns. Every problem is
 * found here, before anything is computed or stored: an unknown model or alias, a run without a model
 * file, a dataset without the label or without a column the model reads.
 */
import { readFile } from 'node:fs/promises';
import { datasetArtifactKey } from '../data/dataset-ref.js';
import { datasetSpecFor } from '../data/dataset-spec.js';
import { expectedTarget, resolveTarget } from '../data/target.js';
import { MlcycleError } from '../error.js';
import { parseModel, type SavedModel } from '../models/model-format.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { ModelVersion } from '../store/model-registry.js';
import type { Workspace } from '../store/workspace.js';
import { resolveModelUri } from '../tracking/registry/model-uri.js';
import { artifactFile } from '../tracking/run-artifacts.js';

/** `NAME`, `NAME@ALIAS`, `NAME@3`, `NAME/3` or a `models:/` URI, as a `models:/` URI. */
export function modelUriOf(ref: string): string {
  if (ref.startsWith('models:/')) return ref;
  // NAME/VERSION, the form the prediction service's routes and rollout plans accept too.
  const slash = /^([^@/]+)\/(\d+)$/.exec(ref);
  if (slash !== null) return `models:/${slash[1]}/${slash[2]}`;
  const at = ref.lastIndexOf('@');
  if (at < 0) return `models:/${ref}/latest`;
  const [name, selector] = [ref.slice(0, at), ref.slice(at + 1)];
  return /^\d+$/.test(selector) ? `models:/${name}/${selector}` : `models:/${name}@${selector}`;
}

export interface LoadedModel {
  version: ModelVersion;
  uri: string;
  model: SavedModel;
}

/** Resolves a model reference through the registry and reads its model file from the run's artifacts. */
export async function loadModelVersion(workspace: Workspace, ref: string): Promise<LoadedModel> {
  const version = await resolveModelUri(workspace.registry, modelUriOf(ref));
  const files = await workspace.runs.findArtifacts(version.runId, version.source);
  const file = files.find((candidate) => candidate.path === version.source) ?? files.find((candidate) => candidate.path.endsWith('/model.json')) ?? (files.length === 1 ? files[0] : undefined);
  const uri = `models:/${version.model}/${version.version}`;
  if (file === undefined) throw new MlcycleError('not_found', `${uri}: run ${version.runId} holds no model file under "${version.source}"`);
  const { file: local } = await artifactFile(workspace, version.runId, file.path);
  return { version, uri, model: parseModel(await readFile(local, 'utf8'), `${uri} (${file.path})`) };
}

/**
 * The SQL of each input column a model reads: the dataset's column of the same name, or an expression the
 * model recorded at training (`training.featureSql`, name to SQL), for inputs derived from raw columns.
 */
export function featureSql(model: SavedModel): Record<string, string> {
  const recorded = (model.training as { featureSql?: unknown } | undefined)?.featureSql;
  const out: Record<string, string> = {};
  for (const feature of model.features) {
    const sql = recorded !== null && typeof recorded === 'object' ? (recorded as Record<string, unknown>)[feature.name] : undefined;
    out[feature.name] = typeof sql === 'string' ? sql : quoteIdentifier(feature.name);
  }
  return out;
}

export interface EvaluationTable {
  rows: number;
  /** Rows dropped because their label was missing. */
  unlabelled: number;
  labels: Float64Array;
  label: { column: string; sql: string };
  /** Raw input columns per model, keyed by the model's URI. */
  inputs: Map<string, Record<string, Float64Array | (string | null)[]>>;
  segments: Record<string, (string | null)[]>;
  queries?: (string | null)[];
}

/** A dataset version's label SQL, or why it has none. */
export type LabelLookup = { found: true; label: { column: string; sql: string } } | { found: false; reason: string };

/**
 * The label SQL of the spec's target for a dataset (for binary tasks 1 for the positive value, else 0), or
 * the reason it has none: the spec declares `target: false` for it, or neither the target column nor the
 * spec's definition works on its columns. Any other failure (an unreadable file, the engine) throws.
 */
export async function findLabel(engine: AnalyticsEngine, spec: ProblemSpec, version: DatasetVersion, table: string): Promise<LabelLookup> {
  const expected = expectedTarget(spec, datasetSpecFor(spec, version), undefined);
  if (expected === undefined) return { found: false, reason: `${version.ref} has no label: mlcycle.yaml declares target: false for it` };
  const columns = version.columns.map((column) => column.name);
  const resolved = await resolveTarget(engine, table, columns, expected, spec);
  if (resolved === undefined) {
    const definition = spec.target.definition === undefined ? '' : ` nor the spec's definition \`${spec.target.definition}\` works on its columns`;
    return { found: false, reason: `${version.ref} has no label: no column "${expected.column}"${definition}` };
  }
  const positive = spec.target.positive;
  if (spec.task === 'binary' && positive !== undefined && typeof positive !== 'boolean') {
    return { found: true, label: { column: resolved.column, sql: `CASE WHEN ${resolved.sql} IS NULL THEN NULL WHEN CAST(${resolved.sql} AS VARCHAR) = ${quoteLiteral(String(positive))} THEN 1 ELSE 0 END` } };
  }
  return { found: true, label: { column: resolved.column, sql: resolved.sql } };
}

/** The label SQL of the spec's target for a dataset (see findLabel); a version without one is a user error. */
export async function labelOf(engine: AnalyticsEngine, spec: ProblemSpec, version: DatasetVersion, table: string): Promise<{ column: string; sql: string }> {
  const lookup = await findLabel(engine, spec, version, table);
  if (!lookup.found) throw new MlcycleError('invalid_input', lookup.reason);
  return lookup.label;
}

/** Reads labels, every model's inputs, segment and query columns of a dataset version in one pass. */
export async function readEvaluationTable(
  engine: AnalyticsEngine,
  workspace: Workspace,
  spec: ProblemSpec,
  version: DatasetVersion,
  models: readonly LoadedModel[],
  segmentColumns: readonly string[],
  queryColumn: string | undefined,
): Promise<EvaluationTable> {
  const table = `read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(datasetArtifactKey(version.hash)))})`;
  const label = await labelOf(engine, spec, version, table);
  const columns = new Set(version.columns.map((column) => column.name));
  const select: string[] = [`CAST(${label.sql} AS DOUBLE) AS "__label"`];
  const aliases: { model: string; feature: string; alias: string }[] = [];
  for (const [index, loaded] of models.entries()) {
    const sql = featureSql(loaded.model);
    const missing = loaded.model.features.filter((feature) => sql[feature.name] === quoteIdentifier(feature.name) && !columns.has(feature.name)).map((feature) => feature.name);
    if (missing.length > 0) throw new MlcycleError('invalid_input', `${version.ref} lacks column(s) ${missing.map((name) => `"${name}"`).join(', ')} that ${loaded.uri} reads`);
    for (const feature of loaded.model.features) {
      const alias = `__m${index}_${aliases.length}`;
      aliases.push({ model: loaded.uri, feature: feature.name, alias });
      select.push(`CAST(${sql[feature.name]} AS ${feature.type === 'numeric' ? 'DOUBLE' : 'VARCHAR'}) AS ${quoteIdentifier(alias)}`);
    }
  }
  for (const [index, column] of [...segmentColumns, ...(queryColumn === undefined ? [] : [queryColumn])].entries()) {
    if (!columns.has(column)) throw new MlcycleError('invalid_input', `${version.ref} has no column "${column}" to ${index < segmentColumns.length ? 'slice by' : 'group queries by'}`);
    select.push(`CAST(${quoteIdentifier(column)} AS VARCHAR) AS ${quoteIdentifier(`__s${index}`)}`);
  }
  const raw = await engine.columns(`SELECT ${select.join(', ')} FROM ${table}`);
  const allLabels = raw.__label as Float64Array;
  const keep: number[] = [];
  for (let row = 0; row < allLabels.length; row++) if (!Number.isNaN(allLabels[row])) keep.push(row);
  if (keep.length === 0) throw new MlcycleError('invalid_input', `${version.ref}: every row's label ${label.column} is missing`);
  const pick = <T extends Float64Array | (string | null)[]>(column: T): T =>
    (column instanceof Float64Array ? Float64Array.from(keep, (row) => column[row] as number) : keep.map((row) => (column as (string | null)[])[row] ?? null)) as T;
  const inputs = new Map<string, Record<string, Float64Array | (string | null)[]>>();
  for (const { model, feature, alias } of aliases) {
    if (!inputs.has(model)) inputs.set(model, {});
    (inputs.get(model) as Record<string, Float64Array | (string | null)[]>)[feature] = pick(raw[alias] as Float64Array | (string | null)[]);
  }
  const segments = Object.fromEntries(segmentColumns.map((column, index) => [column, pick(raw[`__s${index}`] as (string | null)[])]));
  const result: EvaluationTable = { rows: keep.length, unlabelled: allLabels.length - keep.length, labels: pick(allLabels), label, inputs, segments };
  if (queryColumn !== undefined) result.queries = pick(raw[`__s${segmentColumns.length}`] as (string | null)[]);
  return result;
}
