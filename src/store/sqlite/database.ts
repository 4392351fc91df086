/**
 * The embedded metadata database: one SQLite file per workspace, opened with better-sqlite3 in WAL mode
 * and queried through Kysely, whose dialect list is the way to PostgreSQL later (DESIGN.md section 3).
 */
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter, type Generated } from 'kysely';

export interface WorkspaceMetaTable {
  key: string;
  value: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** JSON object. */
  details: string;
  reason: string | null;
}

/** One row each time the spec's content changed; a spec that returns to an earlier text gets a new row. */
export interface SpecVersionTable {
  id: Generated<number>;
  hash: string;
  text: string;
  recorded_at: string;
  recorded_by: string;
}

export interface DatasetTable {
  name: string;
  created_at: string;
  created_by: string;
}

export interface DatasetVersionTable {
  id: Generated<number>;
  dataset: string;
  number: number;
  hash: string;
  artifact_key: string;
  row_count: number;
  byte_size: number;
  /** JSON list of ColumnSchema. */
  columns: string;
  time_column: string | null;
  /** JSON DatasetLineage. */
  lineage: string;
  created_at: string;
  created_by: string;
}

export interface DatasetValidationTable {
  id: Generated<number>;
  version_id: number;
  at: string;
  actor: string;
  passed: number;
  target_present: number;
  spec_hash: string | null;
  /** JSON list of CheckOutcome. */
  outcomes: string;
}

export interface DatasetProfileTable {
  id: Generated<number>;
  version_id: number;
  options_key: string;
  target: string | null;
  has_strawman: number;
  artifact_key: string;
  created_at: string;
  created_by: string;
}

/** The tables of the latest schema, as Kysely sees them. */
export interface Database {
  workspace_meta: WorkspaceMetaTable;
  audit_log: AuditLogTable;
  spec_versions: SpecVersionTable;
  datasets: DatasetTable;
  dataset_versions: DatasetVersionTable;
  dataset_validations: DatasetValidationTable;
  dataset_profiles: DatasetProfileTable;
}

/**
 * SQLite runs DDL inside transactions, but Kysely's SQLite adapter says it does not; saying it does makes
 * the migrator run all pending migrations in one transaction, so a failed migration leaves the old schema.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MlcycleSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Opens (or creates) a metadata database file. */
export function openSqliteDatabase(file: string): Kysely<Database> {
  const connection = new Sqlite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new MlcycleSqliteDialect({ database: connection }) });
}
