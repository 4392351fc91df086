import path from 'node:path';
import { onTestFinished } from 'vitest';
import { describeStepCacheStore } from '../../../test/conformance/step-cache-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openSqliteDatabase } from './database.js';
import { migrateDatabase } from './migrate.js';
import { SqliteStepCacheStore } from './step-cache-store.js';

describeStepCacheStore('sqlite', async () => {
  const db = openSqliteDatabase(path.join(tempDir(), 'metadata.db'));
  onTestFinished(() => db.destroy());
  await migrateDatabase(db);
  return new SqliteStepCacheStore(db);
});
