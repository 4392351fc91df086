/**
 * The team metadata database: PostgreSQL through Kysely's PostgreSQL dialect and `pg`, holding the same
 * tables as the embedded SQLite file (the migrations in ../sqlite/migrations.ts build both), so the
 * Kysely-based stores run on it unchanged.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { MlcycleError } from '../../error.js';
import type { Database } from '../sqlite/database.js';
import { migrateDatabase, type MigrationOutcome } from '../sqlite/migrate.js';

// int8 (bigint, count(*)) arrives as a string by default; the stores' numbers stay below 2^53 (row ids,
// steps, millisecond timestamps), so they are read as numbers, as SQLite returns them.
pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => Number(text));
// numeric (sum() of bigint) likewise.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (text: string) => Number(text));

/** True for a metadata URI that names PostgreSQL (`postgresql://` or `postgres://`). */
export function isPostgresUri(uri: string): boolean {
  return /^postgres(ql)?:\/\//i.test(uri);
}

/** Opens a pool on a PostgreSQL URI; nothing connects until the first query. */
export function openPostgresDatabase(uri: string, poolSize = 10): Kysely<Database> {
  if (!isPostgresUri(uri)) {
    throw new MlcycleError('invalid_input', `the metadata store URI ${JSON.stringify(uri)} is not a PostgreSQL URI (postgresql://user@host:port/database)`);
  }
  const pool = new pg.Pool({ connectionString: uri, max: poolSize });
  // An idle client whose connection the server ends (a restart, a dropped database) makes the pool emit
  // 'error'; unhandled, that would end the process. The pool discards the client and opens a new one when
  // next needed, and a query on a broken connection still rejects to its caller.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The advisory lock key every mlcycle process takes before migrating: two servers starting together
 * queue on it, the second finds nothing left to apply. (Any fixed 64-bit number; this is "mlcycle" in ASCII.)
 */
export const MIGRATION_LOCK_KEY = 0x6d6c6379636c65n;

/**
 * Brings the PostgreSQL schema to the latest migration while holding a session advisory lock, so
 * concurrent starters migrate once. The lock is on one pooled connection, released when done.
 */
export async function migratePostgres(db: Kysely<Database>): Promise<MigrationOutcome> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`.execute(connection);
    try {
      return await migrateDatabase(connection);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`.execute(connection);
    }
  });
}
