/** Design documents in the SQLite metadata database, one row per version. */
import type { Kysely } from 'kysely';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { DesignAction, DesignRecord, DesignStore } from '../design-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database } from './database.js';

export class SqliteDesignStore implements DesignStore {
  constructor(private readonly db: Kysely<Database>) {}

  async save(name: string, document: unknown, action: DesignAction, changeContext: ChangeContext): Promise<DesignRecord> {
    const context = atOneInstant(changeContext);
    const version = await this.db.transaction().execute(async (trx) => {
      const latest = await trx.selectFrom('designs').select((eb) => eb.fn.max('version').as('version')).where('name', '=', name).executeTakeFirst();
      const next = Number(latest?.version ?? 0) + 1;
      await trx.insertInto('designs').values({ name, version: next, body: JSON.stringify(document), created_at: context.now().toISOString(), created_by: context.actor }).execute();
      await appendAuditEntry(trx, { action, subject: `designs:/${name}/${next}`, details: {} }, context);
      return next;
    });
    return (await this.find(name, version)) as DesignRecord;
  }

  async find(name: string, version?: number): Promise<DesignRecord | undefined> {
    let query = this.db.selectFrom('designs').selectAll().where('name', '=', name);
    query = version === undefined ? query.orderBy('version', 'desc') : query.where('version', '=', version);
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : { name: row.name, version: row.version, document: JSON.parse(row.body) as unknown, createdAt: row.created_at, createdBy: row.created_by };
  }

  async list(): Promise<DesignRecord[]> {
    const names = await this.db.selectFrom('designs').select('name').distinct().orderBy('name').execute();
    return Promise.all(names.map(async (row) => (await this.find(row.name)) as DesignRecord));
  }
}
