import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { MIGRATIONS } from '../sqlite/migrations.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describe('PostgreSQL migrations', () => {
  it('migrate once when several processes start together, under the advisory lock', async () => {
    const database = await createTestDatabase();
    const pools = [0, 1, 2].map(() => openPostgresDatabase(database.uri, 2));
    try {
      const outcomes = await Promise.all(pools.map((db) => migratePostgres(db)));
      const applied = outcomes.map((outcome) => outcome.applied.length).sort((a, b) => a - b);
      // One starter applied every migration; the others found none left.
      expect(applied).toEqual([0, 0, Object.keys(MIGRATIONS).length]);
      const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(pools[0]!);
      expect(rows.rows.map((row) => row.name)).toEqual(Object.keys(MIGRATIONS).sort());
      // Integer columns are 64-bit there, as in SQLite: a millisecond timestamp fits.
      const types = await sql<{ data_type: string }>`select data_type from information_schema.columns where table_name = 'audit_log' and column_name = 'id'`.execute(pools[0]!);
      expect(types.rows[0]?.data_type).toBe('bigint');
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
      await database.drop();
    }
  });

  it('refuses a URI that is not PostgreSQL, naming it', () => {
    expect(() => openPostgresDatabase('mysql://db/x')).toThrow(/"mysql:\/\/db\/x" is not a PostgreSQL URI/);
  });
});
