import path from 'node:path';
import { describeMetadataBackend } from '../../../test/conformance/metadata-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { appendAuditEntry, SqliteAuditLog } from './audit-log.js';
import { openSqliteDatabase } from './database.js';
import { migrateDatabase } from './migrate.js';
import { SqliteDatasetStore } from './dataset-store.js';
import { SqliteSpecHistory } from './spec-history.js';

describeMetadataBackend('sqlite', async () => {
  const db = openSqliteDatabase(path.join(tempDir(), 'metadata.db'));
  await migrateDatabase(db);
  return {
    audit: new SqliteAuditLog(db),
    specHistory: new SqliteSpecHistory(db),
    datasets: new SqliteDatasetStore(db),
    append: async (entry, context) => {
      await appendAuditEntry(db, entry, context);
    },
    appendThenFail: (entry, context) =>
      db.transaction().execute(async (trx) => {
        await appendAuditEntry(trx, entry, context);
        throw new Error('the change failed after its audit entry was written');
      }),
    close: () => db.destroy(),
  };
});
