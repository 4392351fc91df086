/**
 * `mlcycle explore`: the profile of a dataset version, in phases:
 *   1. columns       per-column summaries by semantic type
 *   2. facts         the data-gathering facts (label balance, duplicates, leak suspects, power)
 *   3. interactions  Spearman, Cramer's V, correlation ratios
 *   4. target        each column's association with the target
 *   5. alerts        ydata-profiling's alerts under the spec's thresholds
 *   6. strawman      baseline against a regularised linear model, cross-validated
 * DuckDB does the aggregating; only the strawman's sample of rows comes into JavaScript.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { datasetSpecFor } from '../data/dataset-spec.js';
import { assessFeasibility, binaryLabelSql, columnsInTarget, inferTask } from '../data/feasibility.js';
import { versionTableSql } from '../data/version-table.js';
import { MlcycleError } from '../error.js';
import type { DataSpec } from '../problem/data-spec.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { DEFAULT_ALERT_THRESHOLDS, findAlerts } from './alerts.js';
import { profileColumnsByType } from './column-summaries.js';
import { computeCorrelations } from './correlations.js';
import type { DatasetProfile } from './profile-types.js';
import { fitStrawman } from './strawman.js';
import { targetAssociations } from './target-association.js';

export const INTERACTION_MAX_ROWS = 200_000;

export interface ProfileOptions {
  /** A target column other than the spec's. */
  target?: string;
  now: Date;
  progress?: (phase: string) => void;
}

/** What a profile depends on besides the data; part of its stored key. */
export function profileOptionsKey(version: DatasetVersion, spec: DataSpec | undefined, target: string | undefined): string {
  const relevant = {
    format: 1,
    target: target ?? null,
    spec: spec === undefined ? null : { task: spec.task, target: spec.target, dataset: datasetSpecFor(spec, version) ?? null, exploration: spec.exploration },
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

/** Computes a version's profile (phases in the file comment). */
export async function profileDataset(
  engine: AnalyticsEngine,
  workspace: Workspace,
  version: DatasetVersion,
  spec: DataSpec | undefined,
  options: ProfileOptions,
): Promise<DatasetProfile> {
  const started = performance.now();
  if (options.target !== undefined && !version.columns.some((column) => column.name === options.target)) {
    const names = version.columns.map((column) => column.name).join(', ');
    throw new MlcycleError('invalid_input', `--target: the target "${options.target}" is not a column of ${version.ref} (columns: ${names})`);
  }
  const progress = options.progress ?? (() => undefined);
  const table = await versionTableSql(workspace.artifacts, version);
  const numbered = await versionTableSql(workspace.artifacts, version, true);

  progress('columns');
  const columns = await profileColumnsByType(engine, table, version.rowCount, version.columns);
  progress('facts');
  const facts = await assessFeasibility(engine, workspace.artifacts, version, spec, options.now, options.target);

  progress('interactions');
  const means = new Map(columns.flatMap((column) => (column.numeric?.mean == null ? [] : [[column.name, column.numeric.mean] as const])));
  // Pairwise interactions grow with the square of the columns: above INTERACTION_MAX_ROWS rows they use
  // every k-th row, which moves a correlation by about 1/sqrt(rows), far below what the heat map shows.
  const step = Math.ceil(version.rowCount / INTERACTION_MAX_ROWS);
  let sampled = numbered;
  if (step > 1) {
    // The sample is read many times (once per ranked column, once per category): keep it in memory.
    await engine.run(`CREATE OR REPLACE TEMP TABLE mlcycle_interaction_rows AS SELECT * FROM ${numbered} WHERE file_row_number % ${step} = 0`);
    sampled = 'mlcycle_interaction_rows';
  }
  const { correlations, notes } = await computeCorrelations(engine, sampled, sampled, version.columns, means);
  if (step > 1) await engine.run('DROP TABLE mlcycle_interaction_rows');
  if (step > 1) notes.unshift(`computed on every ${step}th row (${Math.ceil(version.rowCount / step).toLocaleString('en-US')} of ${version.rowCount.toLocaleString('en-US')})`);

  const profile: DatasetProfile = {
    format: 1,
    ref: version.ref,
    hash: version.hash,
    rows: version.rowCount,
    columns,
    correlations,
    correlationNotes: notes,
    associations: [],
    facts,
    alerts: findAlerts(columns, correlations, facts, spec?.exploration.alerts ?? DEFAULT_ALERT_THRESHOLDS),
    computedAt: options.now.toISOString(),
    seconds: 0,
  };
  if (facts.target !== undefined) {
    progress('target');
    const target = { column: facts.target.column, sql: facts.target.sql, from: facts.target.from, required: false };
    profile.target = target.column;
    const task = spec !== undefined && options.target === undefined ? spec.task : inferTask(version.columns.find((column) => column.name === target.column));
    const labelSql = task === 'binary' ? binaryLabelSql(target, spec?.target?.positive) : `(${target.sql})::VARCHAR`;
    const inputs = columnsInTarget(target, version.columns);
    const candidates = version.columns.filter((column) => !inputs.includes(column.name) && column.semanticType !== 'identifier' && column.semanticType !== 'text');
    profile.associations = await targetAssociations(engine, table, candidates, { sql: target.sql, task, labelSql }, facts.power);
    if (task === 'binary' || task === 'regression') {
      progress('strawman');
      const suspects = new Set(facts.leakSuspects.map((suspect) => suspect.column));
      const features = facts.featureColumns.filter((column) => !suspects.has(column));
      const strawman = await fitStrawman(engine, numbered, version.rowCount, version.columns, features, { sql: target.sql, labelSql, task });
      if (typeof strawman === 'string') profile.strawmanNote = strawman;
      else profile.strawman = strawman;
    } else {
      profile.strawmanNote = `the strawman covers binary and regression targets; this target is ${task}`;
    }
  }
  profile.seconds = (performance.now() - started) / 1000;
  return profile;
}

/** Returns the stored profile of a version for these options, or computes, stores and returns it. */
export async function loadOrProfile(
  engine: AnalyticsEngine,
  workspace: Workspace,
  version: DatasetVersion,
  spec: DataSpec | undefined,
  options: ProfileOptions & { refresh?: boolean },
  context: ChangeContext,
): Promise<{ profile: DatasetProfile; computed: boolean }> {
  const optionsKey = profileOptionsKey(version, spec, options.target);
  const stored = options.refresh === true ? undefined : await workspace.profiles.find(version.ref, optionsKey);
  if (stored !== undefined && (await workspace.artifacts.has(stored.artifactKey))) {
    return { profile: JSON.parse(await readFile(await workspace.artifacts.localCopy(stored.artifactKey), 'utf8')) as DatasetProfile, computed: false };
  }
  const profile = await profileDataset(engine, workspace, version, spec, options);
  const text = JSON.stringify(profile);
  const contentHash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const artifactKey = `profiles/${version.hash.slice(0, 2)}/${version.hash}-${optionsKey}-${contentHash}.json`;
  const staged = await workspace.artifacts.stagingPath('.json');
  await writeFile(staged, text);
  const committed = await workspace.artifacts.commit(staged, artifactKey);
  try {
    await workspace.profiles.record(
      { ref: version.ref, optionsKey, ...(profile.target === undefined ? {} : { target: profile.target }), hasStrawman: profile.strawman !== undefined, artifactKey },
      context,
    );
  } catch (error) {
    if (committed) await workspace.artifacts.discard(artifactKey);
    throw error;
  }
  return { profile, computed: true };
}
