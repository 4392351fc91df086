import { describeTrackingBackend } from '../../../test/conformance/run-store.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { SqliteAuditLog } from '../sqlite/audit-log.js';
import { SqliteDatasetStore } from '../sqlite/dataset-store.js';
import { SqliteMetricStore } from '../sqlite/metric-store.js';
import { SqliteRunStore } from '../sqlite/run-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

// No better-sqlite3 connection beneath: metric chunks go through Kysely in the same transactions.
describeTrackingBackend('postgresql', async () => {
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.uri, 4);
  await migratePostgres(db);
  return {
    runs: new SqliteRunStore(db, null),
    metrics: new SqliteMetricStore(db, null),
    datasets: new SqliteDatasetStore(db),
    audit: new SqliteAuditLog(db),
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
});
