import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { openSqliteDatabase } from '../store/sqlite/database.js';
import { SqlLeaseStore } from '../store/sqlite/lease-store.js';
import { migrateDatabase } from '../store/sqlite/migrate.js';
import { LeaseGate } from './lease-gate.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Two servers' gates for one loop, each on its own connection to one SQLite file. */
async function twoGates(ttlMs: number) {
  const file = path.join(tempDir(), 'metadata.db');
  const dbs = [openSqliteDatabase(file), openSqliteDatabase(file)];
  await migrateDatabase(dbs[0]!);
  const changes: string[] = [];
  const gates = ['a', 'b'].map((holder, index) => new LeaseGate(new SqlLeaseStore(dbs[index]!), { name: 'webhook-delivery', holder, ttlMs, onChange: (held) => changes.push(`${holder} ${held ? 'took' : 'lost'}`) }));
  cleanups.push(async () => {
    for (const gate of gates) await gate.stop();
    for (const db of dbs) await db.destroy();
  });
  return { gates: gates as [LeaseGate, LeaseGate], changes, leases: new SqlLeaseStore(dbs[0]!) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LeaseGate', () => {
  it('lets one server run ticks; its heartbeat keeps the lease between ticks longer than the lease', async () => {
    const { gates, changes, leases } = await twoGates(600);
    expect(await gates[0].mayRun()).toBe(true);
    expect(await gates[1].mayRun()).toBe(false);
    // No tick for three lease lengths: the heartbeat (every 200 ms) renews, so the other still cannot run.
    for (let check = 0; check < 9; check++) {
      await sleep(200);
      expect(await gates[1].mayRun()).toBe(false);
    }
    expect(gates[0].holds).toBe(true);
    expect((await leases.current('webhook-delivery'))?.holder).toBe('a');
    expect(changes).toEqual(['a took']);
  });

  it('gives the lease up when stopped, so the other server takes it at once', async () => {
    const { gates, changes } = await twoGates(60_000);
    expect(await gates[0].mayRun()).toBe(true);
    await gates[0].stop();
    expect(await gates[0].mayRun()).toBe(false);
    expect(await gates[1].mayRun()).toBe(true);
    expect(changes).toEqual(['a took', 'b took']);
  });

  it('shares one question between a heartbeat and a tick asking at the same time', async () => {
    const { gates } = await twoGates(60_000);
    const [first, second] = [gates[0].mayRun(), gates[0].mayRun()];
    expect(first).toBe(second);
    expect(await first).toBe(true);
  });

  it('refuses a lease shorter than 300 ms', async () => {
    const { leases } = await twoGates(600);
    expect(() => new LeaseGate(leases, { name: 'x', holder: 'a', ttlMs: 100 })).toThrow(/at least 300 ms/);
  });
});
