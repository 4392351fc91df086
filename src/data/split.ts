/**
 * `mlcycle data split`: derived versions with lineage, one per part, all registered in one transaction.
 * - random: each row falls in a part by a uniform number from the row's position and the seed, hashed with
 *   MurmurHash3's 32-bit finaliser in SQL (stable across DuckDB versions, unlike DuckDB's own `hash`);
 * - stratified: within each label class, rows are ordered by that number and cut at the fractions, so each
 *   part has the class shares of the whole (up to one row per class);
 * - group: the number comes from the group's value (MD5 of seed and value, once per distinct value), so a
 *   group never straddles two parts;
 * - time: cut points on the time column; rows without a time are left out and counted.
 * The same seed and input give the same split.
 */
import { createHash } from 'node:crypto';
import { MlcycleError } from '../error.js';
import type { DataSpec } from '../problem/data-spec.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine, type SqlValue } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion, SemanticType } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { resolveDatasetRef, validateDatasetName } from './dataset-ref.js';
import { profileColumns, toColumnSchemas } from './profile-columns.js';
import { storeVersions, type StagedVersion } from './store-versions.js';
import { datasetSpecFor } from './dataset-spec.js';
import { expectedTarget, resolveTarget } from './target.js';
import { versionTableSql } from './version-table.js';

export const SPLIT_METHODS = ['random', 'stratified', 'time', 'group'] as const;
export type SplitMethod = (typeof SPLIT_METHODS)[number];

export interface SplitPart {
  name: string;
  /** Share of rows for random, stratified and group splits. */
  fraction?: number;
}

export interface SplitRequest {
  ref: string;
  by: SplitMethod;
  parts: SplitPart[];
  seed: number;
  /** Time splits: ISO times where each part after the first begins. */
  cuts?: string[];
  /** The group column (group), the label column (stratified, default: the target), or the time column (time). */
  column?: string;
  /** Names of the derived datasets: `<prefix>-<part>`; default the dataset's name. */
  prefix?: string;
}

export interface SplitOutcome {
  parent: DatasetVersion;
  parts: { part: string; version: DatasetVersion; created: boolean }[];
  /** Rows in no part (time splits: rows without a time). */
  leftOut: number;
}

/** Creates the SQL macros the split's uniform numbers need. */
async function defineMacros(engine: AnalyticsEngine): Promise<void> {
  await engine.run(`
    CREATE OR REPLACE TEMP MACRO mlcycle_mul32(h, k) AS ((h::HUGEINT * k) % 4294967296)::BIGINT;
    CREATE OR REPLACE TEMP MACRO mlcycle_fmix32_a(h) AS mlcycle_mul32(xor(h, h >> 16), 2246822507);
    CREATE OR REPLACE TEMP MACRO mlcycle_fmix32_b(h) AS mlcycle_mul32(xor(h, h >> 13), 3266489909);
    CREATE OR REPLACE TEMP MACRO mlcycle_fmix32(h) AS xor(mlcycle_fmix32_b(mlcycle_fmix32_a(h)), mlcycle_fmix32_b(mlcycle_fmix32_a(h)) >> 16);
    CREATE OR REPLACE TEMP MACRO mlcycle_unit(n, seed) AS mlcycle_fmix32(xor(n % 4294967296, mlcycle_fmix32(seed % 4294967296))) / 4294967296.0;
  `);
}

function checkParts(request: SplitRequest): void {
  if (request.parts.length < 2) throw new MlcycleError('usage', '--parts: name at least two parts');
  const names = new Set<string>();
  for (const part of request.parts) {
    validateDatasetName(part.name);
    if (names.has(part.name)) throw new MlcycleError('usage', `--parts: "${part.name}" appears twice`);
    names.add(part.name);
  }
  if (request.by === 'time') {
    const cuts = request.cuts ?? [];
    if (cuts.length !== request.parts.length - 1) {
      throw new MlcycleError('usage', `--cuts: a time split into ${request.parts.length} parts needs ${request.parts.length - 1} cut point(s), got ${cuts.length}`);
    }
    for (const cut of cuts) if (Number.isNaN(Date.parse(cut))) throw new MlcycleError('usage', `--cuts: "${cut}" is not a date or time`);
    if (cuts.some((cut, index) => index > 0 && Date.parse(cut) <= Date.parse(cuts[index - 1] ?? ''))) {
      throw new MlcycleError('usage', '--cuts: cut points must increase');
    }
    return;
  }
  const fractions = request.parts.map((part) => part.fraction);
  if (fractions.some((fraction) => fraction === undefined || !(fraction > 0))) {
    throw new MlcycleError('usage', `--parts: a ${request.by} split gives each part a positive fraction, e.g. train=0.8,test=0.2`);
  }
  const total = fractions.reduce((sum: number, fraction) => sum + (fraction ?? 0), 0);
  if (Math.abs(total - 1) > 1e-9) throw new MlcycleError('usage', `--parts: fractions add up to ${Number(total.toFixed(9))}, not 1`);
}

/**
 * The SQL expression giving each row's part index (0-based), and the row filter. Every part keeps its
 * parent's row order (ORDER BY file_row_number): a filter over DuckDB's threads need not.
 */
async function partExpression(
  engine: AnalyticsEngine,
  request: SplitRequest,
  parent: DatasetVersion,
  table: string,
  spec: DataSpec | undefined,
): Promise<{ expression: string; from: string }> {
  const has = (column: string): boolean => parent.columns.some((candidate) => candidate.name === column);
  const cumulative: number[] = [];
  request.parts.reduce((sum, part) => {
    cumulative.push(sum + (part.fraction ?? 0));
    return sum + (part.fraction ?? 0);
  }, 0);
  const byUnit = (unit: string): string => {
    const thresholds = cumulative.slice(0, -1);
    return `CASE ${thresholds.map((threshold, index) => `WHEN ${unit} < ${threshold} THEN ${index}`).join(' ')} ELSE ${thresholds.length} END`;
  };
  const seed = Math.trunc(request.seed);
  switch (request.by) {
    case 'random':
      return { expression: byUnit(`mlcycle_unit(file_row_number, ${seed})`), from: table };
    case 'stratified': {
      let label: string;
      if (request.column !== undefined) {
        if (!has(request.column)) throw new MlcycleError('invalid_input', `--column: "${request.column}" is not a column of ${parent.ref}`);
        label = quoteIdentifier(request.column);
      } else {
        const expected = expectedTarget(spec, datasetSpecFor(spec, parent));
        const target = expected === undefined ? undefined : await resolveTarget(engine, table, parent.columns.map((column) => column.name), expected, spec);
        if (target === undefined) throw new MlcycleError('invalid_input', `stratified split: ${parent.ref} has no target; name the label with --column`);
        label = target.sql;
      }
      const position = `(row_number() OVER (PARTITION BY ${label} ORDER BY mlcycle_unit(file_row_number, ${seed}), file_row_number) - 0.5) / count(*) OVER (PARTITION BY ${label})`;
      return { expression: byUnit(position), from: table };
    }
    case 'group': {
      const column = request.column;
      if (column === undefined) throw new MlcycleError('usage', '--column: a group split needs the group column');
      if (!has(column)) throw new MlcycleError('invalid_input', `--column: "${column}" is not a column of ${parent.ref}`);
      const name = quoteIdentifier(column);
      const groups = `(SELECT g, (md5_number(${quoteLiteral(`${seed}:`)} || coalesce(g::VARCHAR, '(null)')) % 4294967296)::DOUBLE / 4294967296.0 AS u FROM (SELECT DISTINCT ${name} AS g FROM ${table}))`;
      return {
        expression: byUnit('mlcycle_groups.u'),
        from: `${table} JOIN ${groups} AS mlcycle_groups ON mlcycle_groups.g IS NOT DISTINCT FROM ${name}`,
      };
    }
    case 'time': {
      const column = request.column ?? parent.timeColumn;
      if (column === undefined) throw new MlcycleError('usage', `--column: ${parent.ref} has no time column; name one`);
      if (!has(column)) throw new MlcycleError('invalid_input', `--column: "${column}" is not a column of ${parent.ref}`);
      const name = quoteIdentifier(column);
      const cuts = request.cuts ?? [];
      const when = cuts.map((cut, index) => `WHEN ${name} < ${quoteLiteral(cut)}::TIMESTAMP THEN ${index}`).join(' ');
      return { expression: `CASE WHEN ${name} IS NULL THEN NULL ${when} ELSE ${cuts.length} END`, from: table };
    }
  }
}

/** Splits a version into parts and registers each as a version of `<prefix>-<part>`. */
export async function splitDataset(
  workspace: Workspace,
  engine: AnalyticsEngine,
  spec: DataSpec | undefined,
  request: SplitRequest,
  context: ChangeContext,
): Promise<SplitOutcome> {
  checkParts(request);
  const parent = await resolveDatasetRef(workspace.datasets, request.ref);
  const prefix = request.prefix ?? parent.dataset;
  validateDatasetName(prefix);
  await defineMacros(engine);
  const numbered = await versionTableSql(workspace.artifacts, parent, true);
  const { expression, from } = await partExpression(engine, request, parent, numbered, spec);
  const assigned = `(SELECT *, ${expression} AS mlcycle_part FROM ${from})`;
  const transformation: Record<string, SqlValue> = {
    kind: 'split',
    by: request.by,
    seed: request.seed,
    parts: request.parts.map((part) => (part.fraction === undefined ? part.name : `${part.name}=${part.fraction}`)),
    cuts: request.cuts ?? null,
    column: request.column ?? null,
  };
  const overrides: Record<string, SemanticType> = Object.fromEntries(
    parent.columns.filter((column) => column.overridden).map((column) => [column.name, column.semanticType]),
  );
  const staged: string[] = [];
  try {
    const drafts: StagedVersion[] = [];
    const columns = parent.columns.map((column) => quoteIdentifier(column.name)).join(', ');
    let placed = 0;
    for (const [index, part] of request.parts.entries()) {
      const file = await workspace.artifacts.stagingPath('.parquet');
      staged.push(file);
      await engine.run(
        `COPY (SELECT ${columns} FROM ${assigned} WHERE mlcycle_part = ${index} ORDER BY file_row_number) TO ${quoteLiteral(file)} (FORMAT parquet)`,
      );
      const { rowCount, facts } = await profileColumns(engine, `read_parquet(${quoteLiteral(file)})`, file);
      if (rowCount === 0) throw new MlcycleError('invalid_input', `split part "${part.name}" would be empty; nothing was registered`);
      placed += rowCount;
      const hash = createHash('sha256').update(parent.hash).update(JSON.stringify({ ...transformation, part: part.name })).digest('hex');
      const dataset = `${prefix}-${part.name}`;
      drafts.push({
        file,
        draft: {
          dataset,
          hash,
          rowCount,
          columns: toColumnSchemas(facts, overrides),
          ...(parent.timeColumn === undefined ? {} : { timeColumn: parent.timeColumn }),
          lineage: { parents: [{ ref: parent.ref, hash: parent.hash }], transformation: { ...transformation, part: part.name } },
        },
      });
    }
    const stored = await storeVersions(workspace, drafts, context);
    const parts = stored.map((outcome, index) => ({ part: request.parts[index]?.name ?? '', ...outcome }));
    return { parent, parts, leftOut: parent.rowCount - placed };
  } finally {
    await Promise.all(staged.map((file) => workspace.artifacts.discard(file)));
  }
}
