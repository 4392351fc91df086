import path from 'node:path';
import { describeLeaseStore } from '../../../test/conformance/lease-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openSqliteDatabase } from './database.js';
import { SqlLeaseStore } from './lease-store.js';
import { migrateDatabase } from './migrate.js';

describeLeaseStore('sqlite', async () => {
  const file = path.join(tempDir(), 'metadata.db');
  const first = openSqliteDatabase(file);
  await migrateDatabase(first);
  const second = openSqliteDatabase(file);
  return {
    stores: [new SqlLeaseStore(first), new SqlLeaseStore(second)],
    close: async () => {
      await first.destroy();
      await second.destroy();
    },
  };
});
