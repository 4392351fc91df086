import path from 'node:path';
import { describeLoggedModelBackend } from '../../../test/conformance/logged-model-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { SqliteAuditLog } from './audit-log.js';
import { openSqliteConnection } from './database.js';
import { SqliteLoggedModelStore } from './logged-model-store.js';
import { migrateDatabase } from './migrate.js';
import { SqliteRunStore } from './run-store.js';

describeLoggedModelBackend('sqlite', async () => {
  const { db, connection } = openSqliteConnection(path.join(tempDir(), 'metadata.db'));
  await migrateDatabase(db);
  return { loggedModels: new SqliteLoggedModelStore(db), runs: new SqliteRunStore(db, connection), audit: new SqliteAuditLog(db), close: () => db.destroy() };
});
