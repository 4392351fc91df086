/**
 * The metadata schema's history. Migrations are append-only: a released one is never edited, a change is
 * a new migration. Names sort in the order they run.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type RawBuilder } from 'kysely';
import { onPostgres } from './dialect.js';

// Migrations see the database as it was when they were written, not the current `Database` type.
type AnyDatabase = Kysely<unknown>;

// The same migrations build the PostgreSQL schema: these four helpers are the only places the two
// dialects differ. SQLite's output is exactly what it was before PostgreSQL existed.

/** SQLite's integer is 64-bit and its real is a double; PostgreSQL's namesakes are 32-bit, so they widen. */
function columnType(db: AnyDatabase, type: 'integer' | 'real' | 'blob'): 'integer' | 'real' | 'blob' | 'bigint' | 'double precision' | 'bytea' {
  if (!onPostgres(db)) return type;
  return type === 'integer' ? 'bigint' : type === 'real' ? 'double precision' : 'bytea';
}

/** An integer key the database numbers itself: SQLite's autoincrement, PostgreSQL's identity column. */
function serialKey(db: AnyDatabase, column: ColumnDefinitionBuilder): ColumnDefinitionBuilder {
  return onPostgres(db) ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement();
}

/** SQLite's clustered-table option; PostgreSQL has no such clause. */
function withoutRowid(db: AnyDatabase): RawBuilder<unknown> {
  return onPostgres(db) ? sql`` : sql`without rowid`;
}

export const MIGRATIONS: Record<string, Migration> = {
  '0001-workspace-and-audit-log': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('workspace_meta')
        .addColumn('key', 'text', (column) => column.primaryKey())
        .addColumn('value', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('reason', 'text')
        .execute();
    },
  },
  '0002-spec-versions': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('spec_versions')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('hash', 'text', (column) => column.notNull())
        .addColumn('text', 'text', (column) => column.notNull())
        .addColumn('recorded_at', 'text', (column) => column.notNull())
        .addColumn('recorded_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('spec_versions_hash').on('spec_versions').column('hash').execute();
      await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'at']).execute();
    },
  },
  '0003-datasets': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('datasets')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('dataset_versions')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('dataset', 'text', (column) => column.notNull().references('datasets.name'))
        .addColumn('number', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .addColumn('artifact_key', 'text', (column) => column.notNull())
        .addColumn('row_count', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('byte_size', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('columns', 'text', (column) => column.notNull())
        .addColumn('time_column', 'text')
        .addColumn('lineage', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addUniqueConstraint('dataset_versions_number', ['dataset', 'number'])
        .addUniqueConstraint('dataset_versions_hash', ['dataset', 'hash'])
        .execute();
      await db.schema
        .createTable('dataset_validations')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('version_id', columnType(db, 'integer'), (column) => column.notNull().references('dataset_versions.id'))
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('passed', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('target_present', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('spec_hash', 'text')
        .addColumn('outcomes', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('dataset_validations_version').on('dataset_validations').columns(['version_id', 'id']).execute();
    },
  },
  '0004-dataset-profiles': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('dataset_profiles')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('version_id', columnType(db, 'integer'), (column) => column.notNull().references('dataset_versions.id'))
        .addColumn('options_key', 'text', (column) => column.notNull())
        .addColumn('target', 'text')
        .addColumn('has_strawman', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('artifact_key', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addUniqueConstraint('dataset_profiles_options', ['version_id', 'options_key'])
        .execute();
    },
  },
  '0005-tracking': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('experiments')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('lifecycle_stage', 'text', (column) => column.notNull().defaultTo('active'))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('experiment_tags')
        .addColumn('experiment_id', columnType(db, 'integer'), (column) => column.notNull().references('experiments.id'))
        .addColumn('key', 'text', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('experiment_tags_key', ['experiment_id', 'key'])
        .modifyEnd(withoutRowid(db))
        .execute();
      // Runs carry a small integer key for the child tables' joins and a 32-hex id for the outside world.
      await db.schema
        .createTable('runs')
        .addColumn('run_key', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('id', 'text', (column) => column.notNull().unique())
        .addColumn('experiment_id', columnType(db, 'integer'), (column) => column.notNull().references('experiments.id'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('start_time', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('end_time', columnType(db, 'integer'))
        .addColumn('parent_key', columnType(db, 'integer'), (column) => column.references('runs.run_key'))
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('git_commit', 'text')
        .addColumn('command', 'text')
        .addColumn('lifecycle_stage', 'text', (column) => column.notNull().defaultTo('active'))
        .execute();
      await db.schema.createIndex('runs_experiment_start').on('runs').columns(['experiment_id', 'start_time', 'run_key']).execute();
      await db.schema.createIndex('runs_parent').on('runs').column('parent_key').execute();
      for (const table of ['run_params', 'run_tags']) {
        await db.schema
          .createTable(table)
          .addColumn('run_key', columnType(db, 'integer'), (column) => column.notNull().references('runs.run_key'))
          .addColumn('key', 'text', (column) => column.notNull())
          .addColumn('value', 'text', (column) => column.notNull())
          .addPrimaryKeyConstraint(`${table}_key`, ['run_key', 'key'])
          .modifyEnd(withoutRowid(db))
          .execute();
        // Search filters and orders by one key's value across runs.
        await db.schema.createIndex(`${table}_by_value`).on(table).columns(['key', 'value', 'run_key']).execute();
      }
      // Metric history in columnar chunks: one row per (run, key) and flush, the points as float64 arrays.
      await db.schema
        .createTable('metric_chunks')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('run_key', columnType(db, 'integer'), (column) => column.notNull().references('runs.run_key'))
        .addColumn('key', 'text', (column) => column.notNull())
        .addColumn('count', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('min_step', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('max_step', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('steps', columnType(db, 'blob'), (column) => column.notNull())
        .addColumn('timestamps', columnType(db, 'blob'), (column) => column.notNull())
        .addColumn('values', columnType(db, 'blob'), (column) => column.notNull())
        .execute();
      await db.schema.createIndex('metric_chunks_series').on('metric_chunks').columns(['run_key', 'key', 'id']).execute();
      await db.schema
        .createTable('latest_metrics')
        .addColumn('run_key', columnType(db, 'integer'), (column) => column.notNull().references('runs.run_key'))
        .addColumn('key', 'text', (column) => column.notNull())
        // NULL when the latest value is NaN: SQL has no NaN, and a NaN matches no comparison.
        .addColumn('value', columnType(db, 'real'))
        .addColumn('is_nan', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('step', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('timestamp', columnType(db, 'integer'), (column) => column.notNull())
        .addPrimaryKeyConstraint('latest_metrics_key', ['run_key', 'key'])
        .modifyEnd(withoutRowid(db))
        .execute();
      await db.schema.createIndex('latest_metrics_by_value').on('latest_metrics').columns(['key', 'value', 'run_key']).execute();
      await db.schema
        .createTable('run_inputs')
        .addColumn('run_key', columnType(db, 'integer'), (column) => column.notNull().references('runs.run_key'))
        .addColumn('dataset', 'text', (column) => column.notNull())
        .addColumn('digest', 'text', (column) => column.notNull())
        .addColumn('context', 'text', (column) => column.notNull())
        .addColumn('dataset_version_id', columnType(db, 'integer'), (column) => column.references('dataset_versions.id'))
        .addColumn('source', 'text')
        .addPrimaryKeyConstraint('run_inputs_key', ['run_key', 'dataset', 'digest', 'context'])
        .execute();
      await db.schema.createIndex('run_inputs_dataset').on('run_inputs').columns(['dataset', 'digest']).execute();
      await db.schema
        .createTable('run_artifacts')
        .addColumn('run_key', columnType(db, 'integer'), (column) => column.notNull().references('runs.run_key'))
        .addColumn('path', 'text', (column) => column.notNull())
        .addColumn('size', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('sha256', 'text', (column) => column.notNull())
        .addColumn('logged_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('run_artifacts_key', ['run_key', 'path'])
        .execute();
    },
  },
  '0006-model-registry': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('registered_models')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('model_versions')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('model_id', columnType(db, 'integer'), (column) => column.notNull().references('registered_models.id'))
        .addColumn('version', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('run_key', columnType(db, 'integer'), (column) => column.notNull().references('runs.run_key'))
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addUniqueConstraint('model_versions_number', ['model_id', 'version'])
        .execute();
      await db.schema.createIndex('model_versions_run').on('model_versions').column('run_key').execute();
      for (const [table, owner] of [['registered_model_tags', 'model_id'], ['model_version_tags', 'version_id']] as const) {
        await db.schema
          .createTable(table)
          .addColumn(owner, columnType(db, 'integer'), (column) => column.notNull().references(owner === 'model_id' ? 'registered_models.id' : 'model_versions.id'))
          .addColumn('key', 'text', (column) => column.notNull())
          .addColumn('value', 'text', (column) => column.notNull())
          .addPrimaryKeyConstraint(`${table}_key`, [owner, 'key'])
          .modifyEnd(withoutRowid(db))
          .execute();
      }
      await db.schema
        .createTable('model_aliases')
        .addColumn('model_id', columnType(db, 'integer'), (column) => column.notNull().references('registered_models.id'))
        .addColumn('alias', 'text', (column) => column.notNull())
        .addColumn('version_id', columnType(db, 'integer'), (column) => column.notNull().references('model_versions.id'))
        .addPrimaryKeyConstraint('model_aliases_key', ['model_id', 'alias'])
        .execute();
      // An outbox: each registry change adds its event in the change's transaction; deliverers read from it.
      await db.schema
        .createTable('registry_events')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('version', columnType(db, 'integer'))
        .addColumn('details', 'text', (column) => column.notNull().defaultTo('{}'))
        .execute();
    },
  },
  '0007-evaluations': {
    async up(db: AnyDatabase) {
      // One row per offline evaluation: the model version evaluated on a dataset version, the champion it was
      // compared with, the verdict, the metrics as JSON; the full evaluation and its HTML report are artifacts.
      await db.schema
        .createTable('evaluations')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('model_version_id', columnType(db, 'integer'), (column) => column.notNull().references('model_versions.id'))
        .addColumn('champion_version_id', columnType(db, 'integer'), (column) => column.references('model_versions.id'))
        .addColumn('dataset_version_id', columnType(db, 'integer'), (column) => column.notNull().references('dataset_versions.id'))
        .addColumn('task', 'text', (column) => column.notNull())
        .addColumn('ready', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('summary', 'text', (column) => column.notNull())
        .addColumn('metrics', 'text', (column) => column.notNull())
        .addColumn('artifact_key', 'text', (column) => column.notNull())
        .addColumn('report_key', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('evaluations_model_version').on('evaluations').column('model_version_id').execute();
    },
  },
  '0008-tuning-studies': {
    async up(db: AnyDatabase) {
      // A study's revision counts its writes; each trial row keeps the revision of its last change, so a
      // reader that cached the trials reloads only those changed since (by any process sharing the file).
      await db.schema
        .createTable('tuning_studies')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('direction', 'text', (column) => column.notNull())
        .addColumn('space', 'text', (column) => column.notNull())
        .addColumn('sampler', 'text', (column) => column.notNull())
        .addColumn('pruner', 'text', (column) => column.notNull())
        .addColumn('objective', 'text', (column) => column.notNull())
        .addColumn('parent_run_id', 'text')
        .addColumn('revision', columnType(db, 'integer'), (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('tuning_trials')
        .addColumn('study_id', columnType(db, 'integer'), (column) => column.notNull().references('tuning_studies.id'))
        .addColumn('number', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('params', 'text', (column) => column.notNull())
        .addColumn('value', columnType(db, 'real'))
        .addColumn('attributes', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('owner', 'text', (column) => column.notNull())
        .addColumn('run_id', 'text')
        .addColumn('started_at', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('finished_at', columnType(db, 'integer'))
        .addColumn('revision', columnType(db, 'integer'), (column) => column.notNull())
        .addPrimaryKeyConstraint('tuning_trials_key', ['study_id', 'number'])
        .execute();
      await db.schema.createIndex('tuning_trials_revision').on('tuning_trials').columns(['study_id', 'revision']).execute();
      await db.schema
        .createTable('tuning_trial_values')
        .addColumn('study_id', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('number', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('step', columnType(db, 'integer'), (column) => column.notNull())
        // NULL for NaN, which SQLite cannot store as a REAL.
        .addColumn('value', columnType(db, 'real'))
        .addPrimaryKeyConstraint('tuning_trial_values_key', ['study_id', 'number', 'step'])
        .modifyEnd(withoutRowid(db))
        .execute();
    },
  },
  '0009-pipeline-steps': {
    async up(db: AnyDatabase) {
      // The pipeline step cache (src/train/pipeline/step-cache.ts): one row per computed step, keyed by the
      // hash of its code version, parameters and inputs; its output files are blobs in the artifact store.
      await db.schema
        .createTable('pipeline_steps')
        .addColumn('cache_key', 'text', (column) => column.primaryKey())
        .addColumn('step', 'text', (column) => column.notNull())
        .addColumn('code_version', 'text', (column) => column.notNull())
        .addColumn('params', 'text', (column) => column.notNull())
        .addColumn('inputs', 'text', (column) => column.notNull())
        .addColumn('outputs', 'text', (column) => column.notNull())
        .addColumn('summary', 'text', (column) => column.notNull())
        .addColumn('seconds', columnType(db, 'real'), (column) => column.notNull())
        .addColumn('run_id', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0010-tracking-fixes': {
    async up(db: AnyDatabase) {
      // MLflow clients log to experiment "0", "Default", without creating it (DEFAULT_EXPERIMENT_ID in MLflow's
      // mlflow/tracking/default_experiment): make it exist with that id.
      // A "Default" that an earlier version created under another id moves to 0, its runs and tags with it.
      const now = new Date().toISOString();
      const zero = await sql<{ id: number }>`select id from experiments where id = 0`.execute(db);
      if (zero.rows.length === 0) {
        const named = await sql<{ id: number; lifecycle_stage: string; created_at: string; created_by: string }>`select id, lifecycle_stage, created_at, created_by from experiments where name = 'Default'`.execute(db);
        const old = named.rows[0];
        if (old === undefined) {
          await sql`insert into experiments (id, name, lifecycle_stage, created_at, created_by) values (0, 'Default', 'active', ${now}, 'mlcycle')`.execute(db);
        } else {
          await sql`insert into experiments (id, name, lifecycle_stage, created_at, created_by) values (0, ${'Default (moving to id 0)'}, ${old.lifecycle_stage}, ${old.created_at}, ${old.created_by})`.execute(db);
          await sql`update runs set experiment_id = 0 where experiment_id = ${old.id}`.execute(db);
          await sql`update experiment_tags set experiment_id = 0 where experiment_id = ${old.id}`.execute(db);
          await sql`delete from experiments where id = ${old.id}`.execute(db);
          await sql`update experiments set name = 'Default' where id = 0`.execute(db);
        }
      }
      // Version numbers are never reused, even after the newest version is deleted (as in MLflow).
      await db.schema.alterTable('registered_models').addColumn('last_version', columnType(db, 'integer'), (column) => column.notNull().defaultTo(0)).execute();
      await sql`update registered_models set last_version = coalesce((select max(version) from model_versions where model_id = registered_models.id), 0)`.execute(db);
      await db.schema
        .createTable('webhooks')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('url', 'text', (column) => column.notNull())
        // JSON list of event types; an empty list means every event.
        .addColumn('events', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('secret', 'text', (column) => column.notNull())
        .addColumn('active', columnType(db, 'integer'), (column) => column.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      // The outbox: a delivery per (event, webhook), written in the event's transaction; deliverers update it.
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('webhook_id', columnType(db, 'integer'), (column) => column.notNull().references('webhooks.id'))
        .addColumn('event_id', columnType(db, 'integer'), (column) => column.notNull().references('registry_events.id'))
        .addColumn('state', 'text', (column) => column.notNull().defaultTo('pending'))
        .addColumn('attempts', columnType(db, 'integer'), (column) => column.notNull().defaultTo(0))
        .addColumn('last_status', columnType(db, 'integer'))
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
    },
  },
  '0011-mlflow-inputs-and-stages': {
    async up(db: AnyDatabase) {
      // What MLflow's log-inputs sends about a dataset beyond its name and digest, kept as sent.
      for (const column of ['source_type', 'schema', 'profile']) await db.schema.alterTable('run_inputs').addColumn(column, 'text').execute();
      // MLflow's model version stages (None, Staging, Production, Archived): deprecated there, still called by clients.
      await db.schema.alterTable('model_versions').addColumn('stage', 'text', (column) => column.notNull().defaultTo('None')).execute();
    },
  },
  '0012-online-experiments': {
    async up(db: AnyDatabase) {
      // Online experiments (A/B tests): the current definition as JSON, the state, the current phase, and a
      // revision that grows with every change (the prediction service polls its maximum).
      await db.schema
        .createTable('online_experiments')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('definition', 'text', (column) => column.notNull())
        .addColumn('phase', columnType(db, 'integer'), (column) => column.notNull().defaultTo(0))
        .addColumn('revision', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      // One row per phase: the definition it ran with and when.
      await db.schema
        .createTable('online_experiment_phases')
        .addColumn('experiment_id', columnType(db, 'integer'), (column) => column.notNull().references('online_experiments.id'))
        .addColumn('phase', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('definition', 'text', (column) => column.notNull())
        .addColumn('started_at', 'text', (column) => column.notNull())
        .addColumn('ended_at', 'text')
        .addPrimaryKeyConstraint('online_experiment_phases_pk', ['experiment_id', 'phase'])
        .execute();
      await db.schema
        .createTable('online_experiment_analyses')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('experiment_id', columnType(db, 'integer'), (column) => column.notNull().references('online_experiments.id'))
        .addColumn('phase', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('decision', 'text', (column) => column.notNull())
        .addColumn('summary', 'text', (column) => column.notNull())
        .addColumn('decided', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('result', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('online_experiment_analyses_experiment').on('online_experiment_analyses').column('experiment_id').execute();
    },
  },
  '0013-rollouts': {
    async up(db: AnyDatabase) {
      // Rollouts: the plan as JSON, the state and current step, and the transitions with their evidence.
      await db.schema
        .createTable('rollouts')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('plan', 'text', (column) => column.notNull())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('step', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('step_started_at', 'text', (column) => column.notNull())
        .addColumn('history', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
    },
  },
  '0014-survey-references': {
    async up(db: AnyDatabase) {
      // The literature survey: one row per reference (its fields as JSON), and the runs that reproduce or adapt it.
      await db.schema
        .createTable('survey_references')
        .addColumn('key', 'text', (column) => column.primaryKey())
        .addColumn('body', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('survey_reference_links')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('reference_key', 'text', (column) => column.notNull().references('survey_references.key'))
        .addColumn('run_id', 'text', (column) => column.notNull())
        .addColumn('relation', 'text', (column) => column.notNull())
        .addColumn('linked_at', 'text', (column) => column.notNull())
        .addColumn('linked_by', 'text', (column) => column.notNull())
        .execute();
      // Design documents (stage 5), one row per version.
      await db.schema
        .createTable('designs')
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('version', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('body', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('designs_pk', ['name', 'version'])
        .execute();
    },
  },
  '0015-leases': {
    async up(db: AnyDatabase) {
      // Who runs a background loop (rollout controller, monitor scheduler, webhook delivery) when several
      // servers share one database: one row per loop, held until expires_at (milliseconds since the epoch).
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('holder', 'text', (column) => column.notNull())
        .addColumn('expires_at', columnType(db, 'integer'), (column) => column.notNull())
        .execute();
    },
  },
  '0016-monitoring': {
    async up(db: AnyDatabase) {
      // Each monitor check's result (a drift report per window), and the incidents alerts open: one
      // unresolved incident per dedupe key, later alerts counted as its occurrences.
      await db.schema
        .createTable('monitor_results')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('monitor', 'text', (column) => column.notNull())
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('alerting', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('report', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('monitor_results_monitor').on('monitor_results').columns(['monitor', 'id']).execute();
      await db.schema
        .createTable('incidents')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('source', 'text', (column) => column.notNull())
        .addColumn('dedupe_key', 'text', (column) => column.notNull())
        .addColumn('title', 'text', (column) => column.notNull())
        .addColumn('severity', 'text', (column) => column.notNull())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('owner', 'text')
        .addColumn('on_call', 'text')
        .addColumn('occurrences', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('opened_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('incidents_key').on('incidents').columns(['dedupe_key', 'state']).execute();
    },
  },
  '0017-logged-models': {
    async up(db: AnyDatabase) {
      // MLflow 3's logged models: one row per model (params, tags and metrics as JSON), and the runs that output them.
      await db.schema
        .createTable('logged_models')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('experiment_id', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('source_run_id', 'text', (column) => column.notNull())
        .addColumn('model_type', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('status_message', 'text')
        .addColumn('lifecycle_stage', 'text', (column) => column.notNull())
        .addColumn('params', 'text', (column) => column.notNull())
        .addColumn('tags', 'text', (column) => column.notNull())
        .addColumn('metrics', 'text', (column) => column.notNull())
        .addColumn('created_at', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('updated_at', columnType(db, 'integer'), (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('logged_models_experiment').on('logged_models').columns(['experiment_id', 'created_at']).execute();
      await db.schema
        .createTable('logged_model_outputs')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('run_id', 'text', (column) => column.notNull())
        .addColumn('model_id', 'text', (column) => column.notNull().references('logged_models.id'))
        .addColumn('step', columnType(db, 'integer'), (column) => column.notNull())
        .execute();
      await db.schema.createIndex('logged_model_outputs_run').on('logged_model_outputs').column('run_id').execute();
    },
  },
  '0018-shared-events': {
    async up(db: AnyDatabase) {
      // The event log shared by every service replica of a team workspace (on PostgreSQL; a local
      // workspace keeps its segments on disk): one row per record, the columns of EVENT_COLUMNS, time as
      // ISO 8601 text in UTC. An idempotency key is stored once, whichever replica received it.
      await db.schema
        .createTable('events')
        .addColumn('seq', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('time', 'text', (column) => column.notNull())
        .addColumn('unit', 'text')
        .addColumn('request_id', 'text')
        .addColumn('model', 'text')
        .addColumn('version', columnType(db, 'integer'))
        .addColumn('score', columnType(db, 'real'))
        .addColumn('scores', 'text')
        .addColumn('decision', columnType(db, 'integer'))
        .addColumn('latency_ms', columnType(db, 'real'))
        .addColumn('inputs', 'text')
        .addColumn('inputs_digest', 'text')
        .addColumn('name', 'text')
        .addColumn('value', columnType(db, 'real'))
        .addColumn('idempotency_key', 'text', (column) => column.unique())
        .addColumn('experiment', 'text')
        .addColumn('phase', columnType(db, 'integer'))
        .addColumn('arm', 'text')
        .addColumn('attributes', 'text')
        .execute();
    },
  },
  '0019-logged-model-inputs': {
    async up(db: AnyDatabase) {
      // MLflow 3's model inputs: the logged models a run took in (log_inputs with models, or loading one inside a run).
      await db.schema
        .createTable('logged_model_inputs')
        .addColumn('id', columnType(db, 'integer'), (column) => serialKey(db, column))
        .addColumn('run_id', 'text', (column) => column.notNull())
        .addColumn('model_id', 'text', (column) => column.notNull().references('logged_models.id'))
        .execute();
      await db.schema.createIndex('logged_model_inputs_run').on('logged_model_inputs').column('run_id').execute();
    },
  },
};

/** The name of the newest migration: the schema version this code writes. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1) ?? '';
