/** Run search on SQLite against the reference evaluation (test/conformance/run-search.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRunSearch } from '../../../test/conformance/run-search.js';
import { openSqliteConnection } from './database.js';
import { migrateDatabase } from './migrate.js';
import { SqliteMetricStore } from './metric-store.js';
import { SqliteRunStore } from './run-store.js';

describeRunSearch('sqlite', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-search-'));
  const { db, connection } = openSqliteConnection(path.join(dir, 'metadata.db'));
  await migrateDatabase(db);
  return {
    store: new SqliteRunStore(db, connection),
    metrics: new SqliteMetricStore(db, connection),
    close: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
