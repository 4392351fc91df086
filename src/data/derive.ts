/**
 * `mlcycle data derive`: a new dataset version computed by SQL from registered versions (a join with a
 * lookup table, derived columns), with those versions and the SQL as its lineage. In the SQL, `{alias}`
 * stands for the table of the input named `alias`.
 */
import { createHash } from 'node:crypto';
import { MlcycleError } from '../error.js';
import type { DataSpec } from '../problem/data-spec.js';
import { quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion, SemanticType } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { resolveDatasetRef, validateDatasetName } from './dataset-ref.js';
import { engineErrorToInput } from './engine-errors.js';
import { profileColumns, toColumnSchemas } from './profile-columns.js';
import { storeVersions } from './store-versions.js';
import { versionTableSql } from './version-table.js';

export interface DeriveRequest {
  name: string;
  /** Alias to dataset reference, e.g. `{ flights: 'flights@1', airports: 'airports' }`. */
  inputs: Record<string, string>;
  sql: string;
  timeColumn?: string;
}

/** Computes and registers a derived version; the same inputs and SQL give the same version. */
export async function deriveDataset(
  workspace: Workspace,
  engine: AnalyticsEngine,
  spec: DataSpec | undefined,
  request: DeriveRequest,
  context: ChangeContext,
): Promise<{ version: DatasetVersion; created: boolean }> {
  validateDatasetName(request.name);
  const aliases = Object.keys(request.inputs);
  if (aliases.length === 0) throw new MlcycleError('usage', '--from: name at least one input, as alias=NAME[@VERSION]');
  const parents: Record<string, DatasetVersion> = {};
  for (const alias of aliases) parents[alias] = await resolveDatasetRef(workspace.datasets, request.inputs[alias] ?? '');
  const unknown = [...request.sql.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1] ?? '').filter((alias) => !(alias in parents));
  if (unknown.length > 0) throw new MlcycleError('usage', `--sql: {${unknown[0]}} is not an input; inputs are ${aliases.map((alias) => `{${alias}}`).join(', ')}`);
  const tables: Record<string, string> = {};
  for (const alias of aliases) tables[alias] = await versionTableSql(workspace.artifacts, parents[alias] as DatasetVersion);
  const sql = request.sql.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, alias: string) => {
    const table = tables[alias];
    if (table === undefined) throw new Error(`unknown input ${alias}`);
    return table;
  });
  const ordered = aliases.sort().map((alias) => ({ alias, version: parents[alias] as DatasetVersion }));
  const hash = createHash('sha256')
    .update(JSON.stringify({ inputs: ordered.map(({ alias, version }) => [alias, version.hash]), sql: request.sql, timeColumn: request.timeColumn ?? null }))
    .digest('hex');
  const existing = await workspace.datasets.findByHash(request.name, hash);
  if (existing !== undefined) return { version: existing, created: false };
  const staged = await workspace.artifacts.stagingPath('.parquet');
  try {
    await engine.run(`COPY (${sql}) TO ${quoteLiteral(staged)} (FORMAT parquet)`).catch((error: unknown) => {
      throw engineErrorToInput(error, '--sql');
    });
    const { rowCount, facts } = await profileColumns(engine, `read_parquet(${quoteLiteral(staged)})`, staged);
    if (rowCount === 0) throw new MlcycleError('invalid_input', '--sql: the query returned no rows; nothing was registered');
    if (request.timeColumn !== undefined && !facts.some((fact) => fact.name === request.timeColumn)) {
      throw new MlcycleError('invalid_input', `--time-column: "${request.timeColumn}" is not a column of the result (${facts.map((fact) => fact.name).join(', ')})`);
    }
    const overrides: Record<string, SemanticType> = {};
    for (const [column, declared] of Object.entries(spec?.datasets[request.name]?.columns ?? {})) {
      if (declared.type !== undefined && facts.some((fact) => fact.name === column)) overrides[column] = declared.type;
    }
    const [outcome] = await storeVersions(
      workspace,
      [
        {
          file: staged,
          draft: {
            dataset: request.name,
            hash,
            rowCount,
            columns: toColumnSchemas(facts, overrides),
            ...(request.timeColumn === undefined ? {} : { timeColumn: request.timeColumn }),
            lineage: {
              parents: ordered.map(({ version }) => ({ ref: version.ref, hash: version.hash })),
              transformation: { kind: 'sql', sql: request.sql, inputs: Object.fromEntries(ordered.map(({ alias, version }) => [alias, version.ref])) },
            },
          },
        },
      ],
      context,
    );
    if (outcome === undefined) throw new Error('storing the version returned nothing');
    return outcome;
  } finally {
    await workspace.artifacts.discard(staged);
  }
}
