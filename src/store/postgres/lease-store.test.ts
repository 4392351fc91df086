import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLeaseStore } from '../../../test/conformance/lease-store.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { SqlLeaseStore } from '../sqlite/lease-store.js';
import { migratePostgres, openPostgresDatabase } from './database.js';

describeLeaseStore('postgresql', async () => {
  const database = await createTestDatabase();
  const first = openPostgresDatabase(database.uri, 4);
  const second = openPostgresDatabase(database.uri, 4);
  await migratePostgres(first);
  return {
    stores: [new SqlLeaseStore(first), new SqlLeaseStore(second)],
    close: async () => {
      await first.destroy();
      await second.destroy();
      await database.drop();
    },
  };
});

describe('a killed leaseholder', () => {
  it('loses its lease to another server once the lease expires, not before', async () => {
    const database = await createTestDatabase();
    const db = openPostgresDatabase(database.uri, 2);
    // node itself with tsx's loader, not the tsx command: that one runs the script in a child of its own,
    // which SIGKILL on the wrapper would leave running.
    const holder = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/support/lease-holder.ts'), database.uri, 'rollout-controller', 'server-a', '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await migratePostgres(db);
      const leases = new SqlLeaseStore(db);
      const [line] = (await once(holder.stdout, 'data')) as [Buffer];
      expect(line.toString()).toBe('held\n');
      // While the holder lives and renews, another server cannot take the lease.
      for (let attempt = 0; attempt < 5; attempt++) {
        expect(await leases.acquire('rollout-controller', 'server-b', 1500)).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const killedAt = Date.now();
      const { expiresAt } = (await leases.current('rollout-controller')) as { expiresAt: number };
      let takenAt = 0;
      while (takenAt === 0 && Date.now() - killedAt < 5000) {
        if (await leases.acquire('rollout-controller', 'server-b', 1500)) takenAt = Date.now();
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(takenAt).toBeGreaterThanOrEqual(expiresAt);
      expect(takenAt - killedAt).toBeLessThan(2500);
      expect(await leases.current('rollout-controller')).toMatchObject({ holder: 'server-b' });
    } finally {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
      await db.destroy();
      await database.drop();
    }
  }, 20_000);
});
