import { onTestFinished } from 'vitest';
import { describeStepCacheStore } from '../../../test/conformance/step-cache-store.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { SqliteStepCacheStore } from '../sqlite/step-cache-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describeStepCacheStore('postgresql', async () => {
  const database = await createTestDatabase();
  const db = openPostgresDatabase(database.uri, 2);
  onTestFinished(async () => {
    await db.destroy();
    await database.drop();
  });
  await migratePostgres(db);
  return new SqliteStepCacheStore(db);
});
