/**
 * The metadata schema's history. Migrations are append-only: a released one is never edited, a change is
 * a new migration. Names sort in the order they run.
 */
import { type Kysely, type Migration } from 'kysely';

// Migrations see the database as it was when they were written, not the current `Database` type.
type AnyDatabase = Kysely<unknown>;

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
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
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
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
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
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('dataset', 'text', (column) => column.notNull().references('datasets.name'))
        .addColumn('number', 'integer', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .addColumn('artifact_key', 'text', (column) => column.notNull())
        .addColumn('row_count', 'integer', (column) => column.notNull())
        .addColumn('byte_size', 'integer', (column) => column.notNull())
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
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('version_id', 'integer', (column) => column.notNull().references('dataset_versions.id'))
        .addColumn('at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('passed', 'integer', (column) => column.notNull())
        .addColumn('target_present', 'integer', (column) => column.notNull())
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
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('version_id', 'integer', (column) => column.notNull().references('dataset_versions.id'))
        .addColumn('options_key', 'text', (column) => column.notNull())
        .addColumn('target', 'text')
        .addColumn('has_strawman', 'integer', (column) => column.notNull())
        .addColumn('artifact_key', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addUniqueConstraint('dataset_profiles_options', ['version_id', 'options_key'])
        .execute();
    },
  },
};

/** The name of the newest migration: the schema version this code writes. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1) ?? '';
