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
      'evaluations',
      'experiment_tags',
      'experiments',
      'kysely_migration',
      'kysely_migration_lock',
      'latest_metrics',
      'metric_chunks',
      'model_aliases',
      'model_version_tags',
      'model_versions',
      'pipeline_steps',
      'registered_model_tags',
      'registered_models',
      'registry_events',
      'run_artifacts',
      'run_inputs',
      'run_params',
      'run_tags',
      'runs',
      'spec_versions',
      'tuning_studies',
      'tuning_trial_values',
      'tuning_trials',
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
        ['upgrader', 'store.migrated', { applied: ['0002-spec-versions', '0003-datasets', '0004-dataset-profiles', '0005-tracking', '0006-model-registry', '0007-evaluations', '0008-tuning-studies', '0009-pipeline-steps'] }],
        ['ana', 'workspace.created', {}],
      ]);
      const meta = await workspace.db.selectFrom('workspace_meta').selectAll().execute();
      expect(meta).toEqual([{ key: 'name', value: 'legacy' }]);
      expect(await workspace.specHistory.latest()).toBeUndefined();
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
