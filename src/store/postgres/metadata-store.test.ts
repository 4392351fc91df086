import { describeMetadataBackend } from '../../../test/conformance/metadata-store.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { appendAuditEntry, SqliteAuditLog } from '../sqlite/audit-log.js';
import { SqliteDatasetStore } from '../sqlite/dataset-store.js';
import { SqliteSpecHistory } from '../sqlite/spec-history.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

// The Kysely stores named Sqlite* hold no SQLite-only SQL: the same classes serve PostgreSQL.
describeMetadataBackend('postgresql', async () => {
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.uri, 4);
  await migratePostgres(db);
  return {
    audit: new SqliteAuditLog(db),
    specHistory: new SqliteSpecHistory(db),
    datasets: new SqliteDatasetStore(db),
    append: async (entry, context) => {
      await appendAuditEntry(db, entry, context);
    },
    appendThenFail: (entry, context) =>
      db.transaction().execute(async (trx) => {
        await appendAuditEntry(trx, entry, context);
        throw new Error('the change failed after its audit entry was written');
      }),
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
});
