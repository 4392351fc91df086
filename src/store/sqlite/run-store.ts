/** Experiments and runs in the SQLite metadata database; every change audited in its own transaction. */
import { randomUUID } from 'node:crypto';
import type Sqlite from 'better-sqlite3';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { MlcycleError } from '../../error.js';
import { keyRecord } from '../../key-record.js';
import { atOneInstant, type ChangeContext, type NewAuditEntry } from '../audit-log.js';
import type { RunQuery } from '../run-filter.js';
import type {
  ArtifactEntry,
  Experiment,
  LifecycleStage,
  NewRun,
  Run,
  RunArtifact,
  RunBatch,
  RunInfo,
  RunInfoChange,
  RunInput,
  RunPage,
  RunStatus,
  RunStore,
} from '../run-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, ExperimentTable } from './database.js';
import { appendSeriesInOneTransaction, checkSeriesShapes, metricStatements, writeMetricSeries, writeMetricSeriesThroughKysely } from './metric-store.js';
import { loadRuns, requireActiveRunRow, requireRunRow, selectRunRows, toRunInfo, type Executor, type RunRow } from './run-rows.js';
import { searchRunRows } from './run-search.js';

function toExperiment(row: Selectable<ExperimentTable>, tags: Record<string, string>): Experiment {
  return { id: String(row.id), name: row.name, lifecycleStage: row.lifecycle_stage as LifecycleStage, createdAt: row.created_at, createdBy: row.created_by, tags };
}

async function experimentTags(db: Executor, id: number): Promise<Record<string, string>> {
  const rows = await db.selectFrom('experiment_tags').select(['key', 'value']).where('experiment_id', '=', id).orderBy('key').execute();
  return keyRecord(rows.map((row) => [row.key, row.value]));
}

function experimentIdNumber(id: string): number {
  const number = Number(id);
  if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(number)) throw new MlcycleError('invalid_input', `experiment id "${id}" is not a whole number`);
  return number;
}

/** A folder path with a trailing slash, `''` for the root. */
function folderPrefix(folder: string): string {
  return folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
}

/** Inserts params not logged before; a key logged with another value is a conflict naming it. Returns the new keys. */
async function insertParams(trx: Transaction<Database>, row: RunRow, entries: readonly [string, string][]): Promise<string[]> {
  if (entries.length === 0) return [];
  const stored = await trx.selectFrom('run_params').select(['key', 'value']).where('run_key', '=', row.run_key).where('key', 'in', entries.map(([key]) => key)).execute();
  const existing = new Map(stored.map((param) => [param.key, param.value]));
  const changed = entries.filter(([key, value]) => existing.has(key) && existing.get(key) !== value);
  if (changed.length > 0) {
    const issues = changed.map(([key, value]) => ({ path: `params.${key}`, message: `logged as "${existing.get(key)}", cannot become "${value}": params are write-once` }));
    throw new MlcycleError('conflict', `run ${row.id}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`, { issues });
  }
  const fresh = entries.filter(([key]) => !existing.has(key));
  if (fresh.length > 0) await trx.insertInto('run_params').values(fresh.map(([key, value]) => ({ run_key: row.run_key, key, value }))).execute();
  return fresh.map(([key]) => key);
}

async function upsertTags(trx: Transaction<Database>, row: RunRow, entries: readonly [string, string][]): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('run_tags')
    .values(entries.map(([key, value]) => ({ run_key: row.run_key, key, value })))
    .onConflict((conflict) => conflict.columns(['run_key', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

export class SqliteRunStore implements RunStore {
  /** `connection` is the better-sqlite3 connection beneath `db`: log-batch writes metric chunks through it. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly connection: Sqlite.Database | null,
  ) {}

  async ensureExperiment(name: string, changeContext: ChangeContext): Promise<Experiment> {
    const existing = await this.findExperiment({ name });
    if (existing !== undefined) return existing;
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('experiments')
        .values({ name, lifecycle_stage: 'active', created_at: context.now().toISOString(), created_by: context.actor })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) {
        // Another process created it between the look-up and the insert.
        const raced = await trx.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
        return toExperiment(raced, await experimentTags(trx, raced.id));
      }
      await appendAuditEntry(trx, { action: 'experiment.created', subject: `experiment/${name}`, details: { id: String(row.id) } }, context);
      return toExperiment(row, {});
    });
  }

  async createExperiment(name: string, tags: Record<string, string>, changeContext: ChangeContext): Promise<Experiment> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('experiments').select('id').where('name', '=', name).executeTakeFirst();
      if (taken !== undefined) throw new MlcycleError('conflict', `an experiment named "${name}" exists (id ${taken.id})`);
      const row = await trx.insertInto('experiments').values({ name, lifecycle_stage: 'active', created_at: context.now().toISOString(), created_by: context.actor }).returningAll().executeTakeFirstOrThrow();
      const entries = Object.entries(tags);
      if (entries.length > 0) await trx.insertInto('experiment_tags').values(entries.map(([key, value]) => ({ experiment_id: row.id, key, value }))).execute();
      await appendAuditEntry(trx, { action: 'experiment.created', subject: `experiment/${name}`, details: { id: String(row.id), tags: Object.keys(tags) } }, context);
      return toExperiment(row, Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    });
  }

  async findExperiment(selector: { id: string } | { name: string }): Promise<Experiment | undefined> {
    let query = this.db.selectFrom('experiments').selectAll();
    query = 'id' in selector ? query.where('id', '=', experimentIdNumber(selector.id)) : query.where('name', '=', selector.name);
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : toExperiment(row, await experimentTags(this.db, row.id));
  }

  async listExperiments(): Promise<Experiment[]> {
    const rows = await this.db.selectFrom('experiments').selectAll().orderBy('id').execute();
    return Promise.all(rows.map(async (row) => toExperiment(row, await experimentTags(this.db, row.id))));
  }

  private async changeExperiment(id: string, changeContext: ChangeContext, change: (trx: Transaction<Database>, row: Selectable<ExperimentTable>) => Promise<NewAuditEntry | undefined>): Promise<Experiment> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('experiments').selectAll().where('id', '=', experimentIdNumber(id)).executeTakeFirst();
      if (row === undefined) throw new MlcycleError('not_found', `no experiment with id ${id}`);
      const entry = await change(trx, row);
      if (entry !== undefined) await appendAuditEntry(trx, entry, context);
      const changed = await trx.selectFrom('experiments').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      return toExperiment(changed, await experimentTags(trx, row.id));
    });
  }

  async renameExperiment(id: string, name: string, context: ChangeContext): Promise<Experiment> {
    return this.changeExperiment(id, context, async (trx, row) => {
      if (row.name === name) return undefined;
      const taken = await trx.selectFrom('experiments').select('id').where('name', '=', name).executeTakeFirst();
      if (taken !== undefined) throw new MlcycleError('conflict', `an experiment named "${name}" exists`);
      await trx.updateTable('experiments').set({ name }).where('id', '=', row.id).execute();
      return { action: 'experiment.renamed', subject: `experiment/${name}`, details: { id, from: row.name } };
    });
  }

  async setExperimentLifecycle(id: string, stage: LifecycleStage, context: ChangeContext): Promise<Experiment> {
    return this.changeExperiment(id, context, async (trx, row) => {
      if (row.lifecycle_stage === stage) return undefined;
      await trx.updateTable('experiments').set({ lifecycle_stage: stage }).where('id', '=', row.id).execute();
      return { action: stage === 'deleted' ? 'experiment.deleted' : 'experiment.restored', subject: `experiment/${row.name}`, details: { id } };
    });
  }

  async setExperimentTag(id: string, key: string, value: string, context: ChangeContext): Promise<void> {
    await this.changeExperiment(id, context, async (trx, row) => {
      await trx
        .insertInto('experiment_tags')
        .values({ experiment_id: row.id, key, value })
        .onConflict((conflict) => conflict.columns(['experiment_id', 'key']).doUpdateSet({ value }))
        .execute();
      return { action: 'experiment.tag-set', subject: `experiment/${row.name}`, details: { key } };
    });
  }

  async deleteExperimentTag(id: string, key: string, context: ChangeContext): Promise<void> {
    await this.changeExperiment(id, context, async (trx, row) => {
      const deleted = await trx.deleteFrom('experiment_tags').where('experiment_id', '=', row.id).where('key', '=', key).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new MlcycleError('not_found', `No tag with name: ${key} in experiment with id ${id}`);
      return { action: 'experiment.tag-deleted', subject: `experiment/${row.name}`, details: { key } };
    });
  }

  async createRun(run: NewRun, changeContext: ChangeContext): Promise<RunInfo> {
    const context = atOneInstant(changeContext);
    const id = run.id ?? randomUUID().replaceAll('-', '');
    return this.db.transaction().execute(async (trx) => {
      const experiment = await trx.selectFrom('experiments').select(['id', 'name', 'lifecycle_stage']).where('id', '=', experimentIdNumber(run.experimentId)).executeTakeFirst();
      if (experiment === undefined) throw new MlcycleError('not_found', `no experiment with id ${run.experimentId}`);
      if (experiment.lifecycle_stage !== 'active') throw new MlcycleError('conflict', `experiment "${experiment.name}" is deleted`);
      let parentKey: number | null = null;
      if (run.parentRunId !== undefined) parentKey = (await requireRunRow(trx, run.parentRunId)).run_key;
      const taken = await trx.selectFrom('runs').select('run_key').where('id', '=', id).executeTakeFirst();
      if (taken !== undefined) throw new MlcycleError('conflict', `a run with id ${id} exists`);
      const { run_key: runKey } = await trx
        .insertInto('runs')
        .values({
          id,
          experiment_id: experiment.id,
          name: run.name,
          status: run.status ?? 'RUNNING',
          start_time: run.startTime,
          end_time: null,
          parent_key: parentKey,
          user_id: context.actor,
          git_commit: run.gitCommit ?? null,
          command: run.command ?? null,
          lifecycle_stage: 'active',
        })
        .returning('run_key')
        .executeTakeFirstOrThrow();
      const tags = Object.entries(run.tags ?? {});
      if (tags.length > 0) await trx.insertInto('run_tags').values(tags.map(([key, value]) => ({ run_key: runKey, key, value }))).execute();
      const details = { experiment: experiment.name, name: run.name, ...(run.parentRunId === undefined ? {} : { parent: run.parentRunId }) };
      await appendAuditEntry(trx, { action: 'run.started', subject: `run/${id}`, details }, context);
      return toRunInfo(await requireRunRow(trx, id));
    });
  }

  async findRun(id: string): Promise<Run | undefined> {
    const row = await selectRunRows(this.db).where('r.id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : (await loadRuns(this.db, [row]))[0];
  }

  async endRun(id: string, status: RunStatus, endTime: number, changeContext: ChangeContext): Promise<RunInfo> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = await requireRunRow(trx, id);
      if (row.end_time !== null) throw new MlcycleError('conflict', `run ${id} already ended as ${row.status}`);
      if (endTime < row.start_time) throw new MlcycleError('invalid_input', `endTime: ${endTime} is before the run's start time ${row.start_time}`);
      await trx.updateTable('runs').set({ status, end_time: endTime }).where('run_key', '=', row.run_key).execute();
      await appendAuditEntry(trx, { action: 'run.ended', subject: `run/${id}`, details: { status, seconds: (endTime - row.start_time) / 1000 } }, context);
      return toRunInfo({ ...row, status, end_time: endTime });
    });
  }

  async updateRunInfo(id: string, change: RunInfoChange, changeContext: ChangeContext): Promise<RunInfo> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = await requireRunRow(trx, id);
      const status = change.status ?? row.status;
      const endTime = change.endTime === undefined ? row.end_time : change.endTime;
      const name = change.name ?? row.name;
      if (endTime !== null && endTime < row.start_time) throw new MlcycleError('invalid_input', `end_time: ${endTime} is before the run's start time ${row.start_time}`);
      if (status === row.status && endTime === row.end_time && name === row.name) return toRunInfo(row);
      await trx.updateTable('runs').set({ status, end_time: endTime, name }).where('run_key', '=', row.run_key).execute();
      const details = { ...(status === row.status ? {} : { status, was: row.status }), ...(name === row.name ? {} : { name }), ...(endTime === row.end_time ? {} : { endTime }) };
      await appendAuditEntry(trx, { action: 'run.updated', subject: `run/${id}`, details }, context);
      return toRunInfo({ ...row, status, end_time: endTime, name });
    });
  }

  async setRunLifecycle(id: string, stage: LifecycleStage, changeContext: ChangeContext): Promise<RunInfo> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = await requireRunRow(trx, id);
      if (row.lifecycle_stage === stage) return toRunInfo(row);
      await trx.updateTable('runs').set({ lifecycle_stage: stage }).where('run_key', '=', row.run_key).execute();
      await appendAuditEntry(trx, { action: stage === 'deleted' ? 'run.deleted' : 'run.restored', subject: `run/${id}` }, context);
      return toRunInfo({ ...row, lifecycle_stage: stage });
    });
  }

  async logParams(id: string, params: Record<string, string>, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    const entries = Object.entries(params);
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const fresh = await insertParams(trx, await requireActiveRunRow(trx, id), entries);
      if (fresh.length > 0) await appendAuditEntry(trx, { action: 'run.params-logged', subject: `run/${id}`, details: { keys: fresh } }, context);
    });
  }

  async setTags(id: string, tags: Record<string, string>, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    const entries = Object.entries(tags);
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await upsertTags(trx, await requireActiveRunRow(trx, id), entries);
      await appendAuditEntry(trx, { action: 'run.tags-set', subject: `run/${id}`, details: { keys: entries.map(([key]) => key) } }, context);
    });
  }

  async logBatch(id: string, batch: RunBatch, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    const params = Object.entries(batch.params ?? {});
    const tags = Object.entries(batch.tags ?? {});
    const series = (batch.metrics ?? []).filter((one) => one.values.length > 0);
    checkSeriesShapes(series);
    if (params.length + tags.length + series.length === 0) return;
    const points = series.reduce((sum, one) => sum + one.values.length, 0);
    if (params.length + tags.length === 0) {
      // Metrics only, the common case of a training loop: the prepared-statement path.
      const details = { params: [], tags: [], points, metrics: series.map((one) => one.key).slice(0, 50) };
      await appendSeriesInOneTransaction(this.db, this.connection, id, series, context, { action: 'run.batch-logged', details });
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      const row = await requireActiveRunRow(trx, id);
      const fresh = await insertParams(trx, row, params);
      await upsertTags(trx, row, tags);
      // The raw connection is the one beneath this transaction, so the chunks commit or roll back with it.
      if (this.connection === null) {
        await writeMetricSeriesThroughKysely(trx, row.run_key, series);
      } else {
        const statements = metricStatements(this.connection);
        for (const one of series) writeMetricSeries(statements, row.run_key, one);
      }
      const details = { params: fresh, tags: tags.map(([key]) => key), points, metrics: series.map((one) => one.key).slice(0, 50) };
      await appendAuditEntry(trx, { action: 'run.batch-logged', subject: `run/${id}`, details }, context);
    });
  }

  async deleteTag(id: string, key: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const row = await requireActiveRunRow(trx, id);
      const deleted = await trx.deleteFrom('run_tags').where('run_key', '=', row.run_key).where('key', '=', key).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw new MlcycleError('not_found', `run ${id} has no tag "${key}"`);
      await appendAuditEntry(trx, { action: 'run.tag-deleted', subject: `run/${id}`, details: { key } }, context);
    });
  }

  async logInputs(id: string, inputs: readonly RunInput[], changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    if (inputs.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const row = await requireActiveRunRow(trx, id);
      for (const input of inputs) {
        let versionId: number | null = null;
        if (input.versionRef !== undefined) {
          const version = await trx.selectFrom('dataset_versions').select(['id', 'hash']).where('dataset', '=', input.dataset).where('hash', '=', input.digest).executeTakeFirst();
          if (version === undefined) throw new MlcycleError('not_found', `no dataset version ${input.versionRef} with hash ${input.digest}`);
          versionId = version.id;
        }
        await trx
          .insertInto('run_inputs')
          .values({ run_key: row.run_key, dataset: input.dataset, digest: input.digest, context: input.context, dataset_version_id: versionId, source: input.source ?? null, source_type: input.sourceType ?? null, schema: input.schema ?? null, profile: input.profile ?? null })
          .onConflict((conflict) => conflict.doNothing())
          .execute();
      }
      const described = inputs.map((input) => `${input.versionRef ?? `${input.dataset}#${input.digest.slice(0, 12)}`}${input.context === '' ? '' : ` (${input.context})`}`);
      await appendAuditEntry(trx, { action: 'run.inputs-logged', subject: `run/${id}`, details: { inputs: described } }, context);
    });
  }

  async recordArtifacts(id: string, artifacts: readonly RunArtifact[], changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    if (artifacts.length === 0) return;
    const at = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await requireActiveRunRow(trx, id);
      for (let start = 0; start < artifacts.length; start += 1000) {
        const slice = artifacts.slice(start, start + 1000);
        await trx
          .insertInto('run_artifacts')
          .values(slice.map((artifact) => ({ run_key: row.run_key, path: artifact.path, size: artifact.size, sha256: artifact.sha256, logged_at: at })))
          .onConflict((conflict) => conflict.columns(['run_key', 'path']).doUpdateSet((eb) => ({ size: eb.ref('excluded.size'), sha256: eb.ref('excluded.sha256'), logged_at: eb.ref('excluded.logged_at') })))
          .execute();
      }
      const bytes = artifacts.reduce((sum, artifact) => sum + artifact.size, 0);
      await appendAuditEntry(trx, { action: 'run.artifacts-logged', subject: `run/${id}`, details: { paths: artifacts.slice(0, 20).map((artifact) => artifact.path), files: artifacts.length, bytes } }, context);
    });
  }

  async findArtifacts(id: string, pathOrFolder: string): Promise<RunArtifact[]> {
    const row = await requireRunRow(this.db, id);
    const prefix = folderPrefix(pathOrFolder);
    const rows = await this.db
      .selectFrom('run_artifacts')
      .select(['path', 'size', 'sha256'])
      .where('run_key', '=', row.run_key)
      .where((eb) => eb.or([eb('path', '=', pathOrFolder), eb(eb.fn('substr', ['path', eb.val(1), eb.val(prefix.length)]), '=', prefix)]))
      .orderBy('path')
      .execute();
    return rows;
  }

  async deleteArtifacts(id: string, pathOrFolder: string, changeContext: ChangeContext): Promise<number> {
    const context = atOneInstant(changeContext);
    const prefix = folderPrefix(pathOrFolder);
    return this.db.transaction().execute(async (trx) => {
      const row = await requireActiveRunRow(trx, id);
      // A version's files are the evidence of the model it registers: the path may not cover them, nor lie inside them.
      const versions = await trx
        .selectFrom('model_versions')
        .innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
        .select(['registered_models.name', 'model_versions.version', 'model_versions.source'])
        .where('model_versions.run_key', '=', row.run_key)
        .execute();
      const kept = versions.find((version) => pathOrFolder === '' || version.source === pathOrFolder || version.source.startsWith(prefix) || pathOrFolder.startsWith(`${version.source}/`));
      if (kept !== undefined) {
        throw new MlcycleError('check_failed', `path: "${pathOrFolder}" holds the files of model version ${kept.name}/${kept.version} (source ${kept.source}); mlcycle keeps a registered version's files, delete the version first`);
      }
      const inRun = trx.deleteFrom('run_artifacts').where('run_key', '=', row.run_key);
      const deleted = await (pathOrFolder === '' ? inRun : inRun.where((eb) => eb.or([eb('path', '=', pathOrFolder), eb(eb.fn('substr', ['path', eb.val(1), eb.val(prefix.length)]), '=', prefix)]))).executeTakeFirst();
      const count = Number(deleted.numDeletedRows);
      if (count > 0) await appendAuditEntry(trx, { action: 'run.artifacts-deleted', subject: `run/${id}`, details: { path: pathOrFolder, files: count } }, context);
      return count;
    });
  }

  async listArtifacts(id: string, folder: string): Promise<ArtifactEntry[]> {
    const prefix = folderPrefix(folder);
    const files = await this.findArtifacts(id, prefix === '' ? '' : prefix);
    const entries = new Map<string, ArtifactEntry>();
    for (const file of files) {
      if (!file.path.startsWith(prefix)) continue;
      const rest = file.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) entries.set(file.path, { path: file.path, isDir: false, size: file.size });
      else entries.set(prefix + rest.slice(0, slash), { path: prefix + rest.slice(0, slash), isDir: true });
    }
    return [...entries.values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  async searchRuns(query: RunQuery): Promise<RunPage> {
    const { rows, nextPageToken } = await searchRunRows(this.db, query);
    const runs = await loadRuns(this.db, rows);
    return nextPageToken === undefined ? { runs } : { runs, nextPageToken };
  }
}
