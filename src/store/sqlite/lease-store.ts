/** Leases in the metadata database (SQLite or PostgreSQL): one conditional upsert decides the holder. */
import type { Kysely } from 'kysely';
import type { LeaseStore } from '../lease-store.js';
import type { Database } from './database.js';

export class SqlLeaseStore implements LeaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async acquire(name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    // One statement: the row is taken over only when it is ours already or has expired, so two servers
    // racing for a free lease cannot both win (the database serializes the conflicting upserts).
    const row = await this.db
      .insertInto('leases')
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
          .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<=', now)])),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async current(name: string): Promise<{ holder: string; expiresAt: number } | undefined> {
    const row = await this.db.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : { holder: row.holder, expiresAt: row.expires_at };
  }
}
