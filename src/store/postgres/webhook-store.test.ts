import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { testContext } from '../../../test/support/temp-dir.js';
import { SqliteModelRegistry } from '../sqlite/model-registry.js';
import { SqliteWebhookStore } from '../sqlite/webhook-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describe('webhook deliveries on PostgreSQL', () => {
  it('are claimed by one server each when several claim at once', async () => {
    const database = await createTestDatabase();
    const pools = [openPostgresDatabase(database.uri, 4), openPostgresDatabase(database.uri, 4)];
    try {
      await migratePostgres(pools[0]!);
      const context = testContext('ana');
      const [a, b] = pools.map((db) => new SqliteWebhookStore(db)) as [SqliteWebhookStore, SqliteWebhookStore];
      await a.addWebhook({ url: 'http://127.0.0.1:9/hook', events: [], secret: 's'.repeat(32) }, context);
      const registry = new SqliteModelRegistry(pools[0]!);
      for (let index = 0; index < 30; index++) await registry.createModel(`model-${index}`, '', context);
      const now = new Date('2030-01-01T00:00:00Z');
      // Eight claims of up to 5 from two servers at the same instant.
      const claims = await Promise.all(Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? a : b).claimDueDeliveries(now, 60_000, 5)));
      const ids = claims.flat().map((due) => due.delivery.id);
      expect(ids.length).toBe(30);
      expect(new Set(ids).size).toBe(30);
      // Claimed deliveries are leased: nothing is due again until the lease ends.
      expect(await a.claimDueDeliveries(now, 60_000, 100)).toEqual([]);
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
      await database.drop();
    }
  });
});
