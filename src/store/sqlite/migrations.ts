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
};

/** The name of the newest migration: the schema version this code writes. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1) ?? '';
