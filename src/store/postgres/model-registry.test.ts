import { describeRegistryBackend } from '../../../test/conformance/model-registry.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { SqliteAuditLog } from '../sqlite/audit-log.js';
import { SqliteModelRegistry } from '../sqlite/model-registry.js';
import { SqliteRunStore } from '../sqlite/run-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describeRegistryBackend('postgresql', async () => {
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.uri, 4);
  await migratePostgres(db);
  return {
    registry: new SqliteModelRegistry(db),
    runs: new SqliteRunStore(db, null),
    audit: new SqliteAuditLog(db),
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
});
