/** Run search on PostgreSQL (a fresh database per run) against the reference evaluation (test/conformance/run-search.ts). */
import { createTestDatabase } from '../../../test/support/postgres.js';
import { describeRunSearch } from '../../../test/conformance/run-search.js';
import { SqliteMetricStore } from '../sqlite/metric-store.js';
import { SqliteRunStore } from '../sqlite/run-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describeRunSearch('postgresql', async () => {
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.uri, 4);
  await migratePostgres(db);
  return {
    store: new SqliteRunStore(db, null),
    metrics: new SqliteMetricStore(db, null),
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
});
