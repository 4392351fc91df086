import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { openDuckDb } from '../duckdb/engine.js';
import type { EventRecord } from '../event-store.js';
import { createWorkspace, type Workspace } from '../workspace.js';

const opened: Workspace[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const workspace of opened.splice(0)) await workspace.close();
  for (const database of databases.splice(0)) await database.drop();
  vi.unstubAllEnvs();
});

function outcome(replica: number, index: number, key?: string): EventRecord {
  return { type: 'outcome', time: new Date(Date.UTC(2026, 5, 1, 0, 0, index % 3600)).toISOString(), unit: `u${index}`, name: 'rebooked', value: replica + index / 8, ...(key === undefined ? {} : { idempotencyKey: key }) };
}

describe('the shared event log (a team workspace on PostgreSQL)', () => {
  it('takes appends from two replicas at once into one log, each idempotency key once, readable by DuckDB', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    vi.stubEnv('MLCYCLE_STORE', database.uri);
    const replicas: Workspace[] = [];
    for (const actor of ['ana', 'ben']) {
      const { workspace } = await createWorkspace(tempDir(), 'team', testContext(actor));
      opened.push(workspace);
      replicas.push(workspace);
    }
    const writers = await Promise.all(replicas.map((workspace) => workspace.openEventWriter()));
    expect(writers[0]?.durability).toBe('fsync');
    // 2 replicas x 8 clients x 10 batches of 50; every tenth record carries a key that both replicas receive.
    const results = await Promise.all(
      writers.flatMap((writer, replica) =>
        Array.from({ length: 8 }, async (_, client) => {
          let written = 0;
          let duplicates = 0;
          for (let batch = 0; batch < 10; batch++) {
            const first = (client * 10 + batch) * 50;
            const records = Array.from({ length: 50 }, (_, i) => outcome(replica, first + i, (first + i) % 10 === 0 ? `key-${first + i}` : undefined));
            const result = await writer.append(records);
            written += result.written;
            duplicates += result.duplicates;
          }
          return { written, duplicates };
        }),
      ),
    );
    const written = results.reduce((sum, one) => sum + one.written, 0);
    const duplicates = results.reduce((sum, one) => sum + one.duplicates, 0);
    // 8,000 records sent; the 400 keys were each sent twice, so 400 of the keyed ones are duplicates.
    expect(written).toBe(7600);
    expect(duplicates).toBe(400);
    const summary = await replicas[1]?.events.summary();
    expect(summary).toEqual([{ type: 'outcome', name: 'rebooked', model: null, version: null, records: 7600, first: '2026-06-01T00:00:00Z', last: '2026-06-01T00:59:59Z' }]);
    const engine = await openDuckDb();
    const relation = await (replicas[0] as Workspace).events.relation();
    try {
      const [row] = await engine.query(`SELECT count(*)::DOUBLE AS n, count(DISTINCT idempotency_key)::DOUBLE AS keys, sum(value)::DOUBLE AS total FROM (${relation.sql})`);
      // Unkeyed records: both replicas' (values i/8 and 1 + i/8); keyed: whichever replica's copy came first.
      const base = Array.from({ length: 4000 }, (_, i) => (i % 10 === 0 ? i / 8 : 2 * (i / 8) + 1)).reduce((sum, value) => sum + value, 0);
      const keyedFromReplica1 = Number(row?.total) - base;
      expect(row?.n).toBe(7600);
      expect(row?.keys).toBe(400);
      expect(Number.isInteger(keyedFromReplica1) && keyedFromReplica1 >= 0 && keyedFromReplica1 <= 400).toBe(true);
    } finally {
      relation.release();
      await engine.close();
    }
    for (const writer of writers) await writer.close();
  }, 60_000);
});
