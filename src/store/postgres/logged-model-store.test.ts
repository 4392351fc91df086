import { describeLoggedModelBackend } from '../../../test/conformance/logged-model-store.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { SqliteAuditLog } from '../sqlite/audit-log.js';
import { SqliteLoggedModelStore } from '../sqlite/logged-model-store.js';
import { SqliteRunStore } from '../sqlite/run-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describeLoggedModelBackend('postgresql', async () => {
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.uri, 4);
  await migratePostgres(db);
  return {
    loggedModels: new SqliteLoggedModelStore(db),
    runs: new SqliteRunStore(db, null),
    audit: new SqliteAuditLog(db),
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
});
