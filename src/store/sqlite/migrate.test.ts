import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { openWorkspace } from '../workspace.js';
import { openSqliteDatabase } from './database.js';
import { migrateDatabase } from './migrate.js';
import { LATEST_MIGRATION, MIGRATIONS } from './migrations.js';

async function tableNames(file: string): Promise<string[]> {
  const db = openSqliteDatabase(file);
  try {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
    return rows.map((row) => row.name);
  } finally {
    await db.destroy();
  }
}

describe('metadata migrations', () => {
  it('bring a fresh database to the latest schema', async () => {
    const file = path.join(tempDir(), 'metadata.db');
    const db = openSqliteDatabase(file);
    const { applied } = await migrateDatabase(db);
    expect(applied).toEqual(Object.keys(MIGRATIONS).sort());
    expect(applied.at(-1)).toBe(LATEST_MIGRATION);
    expect((await migrateDatabase(db)).applied).toEqual([]);
    const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    expect(rows[0]?.journal_mode).toBe('wal');
    await db.destroy();
    expect(await tableNames(file)).toEqual([
      'audit_log',
      'dataset_profiles',
      'dataset_validations',
      'dataset_versions',
      'datasets',
      'designs',
      'evaluations',
      'events',
      'experiment_tags',
      'experiments',
      'incidents',
      'kysely_migration',
      'kysely_migration_lock',
      'latest_metrics',
      'leases',
      'logged_model_inputs',
      'logged_model_outputs',
      'logged_models',
      'metric_chunks',
      'model_aliases',
      'model_version_tags',
      'model_versions',
      'monitor_results',
      'online_experiment_analyses',
      'online_experiment_phases',
      'online_experiments',
      'pipeline_steps',
      'registered_model_tags',
      'registered_models',
      'registry_events',
      'rollouts',
      'run_artifacts',
      'run_inputs',
      'run_params',
      'run_tags',
      'runs',
      'spec_versions',
      'survey_reference_links',
      'survey_references',
      'tuning_studies',
      'tuning_trial_values',
      'tuning_trials',
      'webhook_deliveries',
      'webhooks',
      'workspace_meta',
    ]);
  });

  it('upgrade a database of the previous schema without losing its rows', async () => {
    const root = tempDir();
    const file = path.join(root, '.mlcycle', 'metadata.db');
    mkdirSync(path.dirname(file), { recursive: true });
    const old = openSqliteDatabase(file);
    await migrateDatabase(old, '0001-workspace-and-audit-log');
    await sql`insert into workspace_meta (key, value) values ('name', 'legacy')`.execute(old);
    await sql`insert into audit_log (at, actor, action, subject, details) values ('2025-01-01T00:00:00.000Z', 'ana', 'workspace.created', 'workspace', '{}')`.execute(old);
    await old.destroy();
    expect(await tableNames(file)).not.toContain('spec_versions');

    const workspace = await openWorkspace(root, testContext('upgrader'));
    try {
      const entries = await workspace.audit.list();
      expect(entries.map((entry) => [entry.actor, entry.action, entry.details])).toEqual([
        ['upgrader', 'store.migrated', { applied: Object.keys(MIGRATIONS).sort().slice(1) }],
        ['ana', 'workspace.created', {}],
      ]);
      const meta = await workspace.db.selectFrom('workspace_meta').selectAll().execute();
      expect(meta).toEqual([{ key: 'name', value: 'legacy' }]);
      expect(await workspace.specHistory.latest()).toBeUndefined();
    } finally {
      await workspace.close();
    }
  });

  it('move a "Default" experiment made before 0010 to id 0 with its runs, and keep version numbers', async () => {
    const root = tempDir();
    const file = path.join(root, '.mlcycle', 'metadata.db');
    mkdirSync(path.dirname(file), { recursive: true });
    const old = openSqliteDatabase(file);
    await migrateDatabase(old, '0006-model-registry');
    const at = '2025-01-01T00:00:00.000Z';
    await sql`insert into experiments (name, created_at, created_by) values ('churn', ${at}, 'ana'), ('Default', ${at}, 'ana')`.execute(old);
    await sql`insert into experiment_tags (experiment_id, key, value) values (2, 'team', 'growth')`.execute(old);
    await sql`insert into runs (id, experiment_id, name, status, start_time, user_id) values (${'a'.repeat(32)}, 2, 'r', 'RUNNING', 0, 'ana')`.execute(old);
    await sql`insert into registered_models (name, created_at, created_by, updated_at) values ('m', ${at}, 'ana', ${at})`.execute(old);
    await sql`insert into model_versions (model_id, version, run_key, source, created_at, created_by, updated_at) values (1, 1, 1, 'model', ${at}, 'ana', ${at}), (1, 2, 1, 'model', ${at}, 'ana', ${at})`.execute(old);
    await old.destroy();

    const workspace = await openWorkspace(root, testContext('upgrader'));
    try {
      const experiments = await workspace.runs.listExperiments();
      expect(experiments.map((experiment) => [experiment.id, experiment.name, experiment.tags])).toEqual([
        ['0', 'Default', { team: 'growth' }],
        ['1', 'churn', {}],
      ]);
      expect((await workspace.runs.findRun('a'.repeat(32)))?.experimentId).toBe('0');
      const model = await workspace.db.selectFrom('registered_models').select('last_version').executeTakeFirstOrThrow();
      expect(model.last_version).toBe(2);
      // New experiments continue after the highest id ever used.
      expect((await workspace.runs.ensureExperiment('next', testContext())).id).toBe('3');
    } finally {
      await workspace.close();
    }
  });

  it('leave the schema as it was when a migration fails', async () => {
    const file = path.join(tempDir(), 'metadata.db');
    const db = openSqliteDatabase(file);
    const failing = {
      ...MIGRATIONS,
      '0099-broken': {
        async up(database: typeof db) {
          await database.schema.createTable('half_made').addColumn('id', 'integer').execute();
          await sql`select * from a_table_that_does_not_exist`.execute(database);
        },
      },
    };
    await expect(migrateDatabase(db, undefined, failing)).rejects.toMatchObject({ code: 'internal' });
    await db.destroy();
    // All of the run rolls back, the good migrations included: the database is as it was, empty.
    expect(await tableNames(file)).toEqual(['kysely_migration', 'kysely_migration_lock']);
  });

  it('refuse a database written by a newer mlcycle', async () => {
    const file = path.join(tempDir(), 'metadata.db');
    const db = openSqliteDatabase(file);
    await migrateDatabase(db, undefined, { ...MIGRATIONS, '9999-from-the-future': { up: async () => undefined } });
    await expect(migrateDatabase(db)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/newer mlcycle/) });
    await db.destroy();
  });
});
