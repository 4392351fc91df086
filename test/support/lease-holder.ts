/**
 * A process that holds a lease on PostgreSQL and renews it every 200 ms, printing `held` once it holds
 * it: the leaseholder the lease tests kill. Arguments: database URI, lease name, holder, ttl in ms.
 */
import { migratePostgres, openPostgresDatabase } from '../../src/store/postgres/database.js';
import { SqlLeaseStore } from '../../src/store/sqlite/lease-store.js';

const [uri, name, holder, ttl] = process.argv.slice(2) as [string, string, string, string];
const db = openPostgresDatabase(uri, 1);
await migratePostgres(db);
const leases = new SqlLeaseStore(db);
let announced = false;
for (;;) {
  if ((await leases.acquire(name, holder, Number(ttl))) && !announced) {
    announced = true;
    process.stdout.write('held\n');
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
