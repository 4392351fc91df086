import path from 'node:path';
import { describeRegistryBackend } from '../../../test/conformance/model-registry.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { SqliteAuditLog } from './audit-log.js';
import { openSqliteConnection } from './database.js';
import { migrateDatabase } from './migrate.js';
import { SqliteModelRegistry } from './model-registry.js';
import { SqliteRunStore } from './run-store.js';

describeRegistryBackend('sqlite', async () => {
  const { db, connection } = openSqliteConnection(path.join(tempDir(), 'metadata.db'));
  await migrateDatabase(db);
  return { registry: new SqliteModelRegistry(db), runs: new SqliteRunStore(db, connection), audit: new SqliteAuditLog(db), close: () => db.destroy() };
});
