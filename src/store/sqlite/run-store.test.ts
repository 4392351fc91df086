import path from 'node:path';
import { describeTrackingBackend } from '../../../test/conformance/run-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { SqliteAuditLog } from './audit-log.js';
import { openSqliteConnection } from './database.js';
import { SqliteDatasetStore } from './dataset-store.js';
import { migrateDatabase } from './migrate.js';
import { SqliteMetricStore } from './metric-store.js';
import { SqliteRunStore } from './run-store.js';

describeTrackingBackend('sqlite', async () => {
  const { db, connection } = openSqliteConnection(path.join(tempDir(), 'metadata.db'));
  await migrateDatabase(db);
  return {
    runs: new SqliteRunStore(db, connection),
    metrics: new SqliteMetricStore(db, connection),
    datasets: new SqliteDatasetStore(db),
    audit: new SqliteAuditLog(db),
    close: () => db.destroy(),
  };
});
