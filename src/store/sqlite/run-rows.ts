/** Reading runs back from the SQLite tables: one run's key, and whole runs for a page of keys. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { MlcycleError } from '../../error.js';
import { keyRecord } from '../../key-record.js';
import type { LatestMetric, LifecycleStage, Run, RunInfo, RunInput, RunStatus } from '../run-store.js';
import type { Database, RunTable } from './database.js';

export type Executor = Kysely<Database> | Transaction<Database>;

/** The columns of a run row plus its parent's id. */
export type RunRow = Selectable<RunTable> & { parent_id: string | null };

/** Selects run rows with their parent's public id. */
export function selectRunRows(db: Executor) {
  return db
    .selectFrom('runs as r')
    .leftJoin('runs as parent', 'parent.run_key', 'r.parent_key')
    .selectAll('r')
    .select('parent.id as parent_id');
}

export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    id: row.id,
    experimentId: String(row.experiment_id),
    name: row.name,
    status: row.status as RunStatus,
    startTime: row.start_time,
    userId: row.user_id,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
  };
  if (row.end_time !== null) info.endTime = row.end_time;
  if (row.parent_id !== null) info.parentRunId = row.parent_id;
  if (row.git_commit !== null) info.gitCommit = row.git_commit;
  if (row.command !== null) info.command = row.command;
  return info;
}

/** The run's row; an unknown id is not_found. */
export async function requireRunRow(db: Executor, id: string): Promise<RunRow> {
  const row = await selectRunRows(db).where('r.id', '=', id).executeTakeFirst();
  if (row === undefined) throw new MlcycleError('not_found', `no run with id ${id}`);
  return row;
}

/** The run's row, refusing a deleted run: it must be restored before anything is logged to it. */
export async function requireActiveRunRow(db: Executor, id: string): Promise<RunRow> {
  const row = await requireRunRow(db, id);
  if (row.lifecycle_stage !== 'active') throw new MlcycleError('conflict', `run ${id} is deleted; restore it before logging to it`);
  return row;
}

/** Whole runs (params, latest metrics, tags, inputs) for rows already read, in the rows' order. */
export async function loadRuns(db: Executor, rows: readonly RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const keys = rows.map((row) => row.run_key);
  const runs = new Map<number, Run>(rows.map((row) => [row.run_key, { ...toRunInfo(row), params: keyRecord<string>(), metrics: keyRecord<LatestMetric>(), tags: keyRecord<string>(), inputs: [] }]));
  // SQLite allows 32,766 bound parameters; pages are at most 50,000 runs, so read them in slices.
  for (let start = 0; start < keys.length; start += 10_000) {
    const slice = keys.slice(start, start + 10_000);
    const [params, tags, metrics, inputs] = await Promise.all([
      db.selectFrom('run_params').selectAll().where('run_key', 'in', slice).orderBy('key').execute(),
      db.selectFrom('run_tags').selectAll().where('run_key', 'in', slice).orderBy('key').execute(),
      db.selectFrom('latest_metrics').selectAll().where('run_key', 'in', slice).orderBy('key').execute(),
      db
        .selectFrom('run_inputs as i')
        .leftJoin('dataset_versions as v', 'v.id', 'i.dataset_version_id')
        .select(['i.run_key', 'i.dataset', 'i.digest', 'i.context', 'i.source', 'i.source_type', 'i.schema', 'i.profile', 'v.number'])
        .where('i.run_key', 'in', slice)
        .orderBy('i.dataset')
        .orderBy('i.context')
        .execute(),
    ]);
    for (const row of params) (runs.get(row.run_key) as Run).params[row.key] = row.value;
    for (const row of tags) (runs.get(row.run_key) as Run).tags[row.key] = row.value;
    for (const row of metrics) {
      const latest: LatestMetric = { value: row.is_nan === 1 ? NaN : (row.value as number), step: row.step, timestamp: row.timestamp };
      (runs.get(row.run_key) as Run).metrics[row.key] = latest;
    }
    for (const row of inputs) {
      const input: RunInput = { dataset: row.dataset, digest: row.digest, context: row.context };
      if (row.number !== null) input.versionRef = `${row.dataset}@${row.number}`;
      if (row.source !== null) input.source = row.source;
      if (row.source_type !== null) input.sourceType = row.source_type;
      if (row.schema !== null) input.schema = row.schema;
      if (row.profile !== null) input.profile = row.profile;
      (runs.get(row.run_key) as Run).inputs.push(input);
    }
  }
  return keys.map((key) => runs.get(key) as Run);
}
