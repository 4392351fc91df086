/** Spec versions in the SQLite metadata database. */
import type { Kysely } from 'kysely';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { SpecHistory, SpecVersion } from '../spec-history.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, SpecVersionTable } from './database.js';

function toSpecVersion(row: Omit<SpecVersionTable, 'id'>): SpecVersion {
  return { hash: row.hash, text: row.text, recordedAt: row.recorded_at, recordedBy: row.recorded_by };
}

export class SqliteSpecHistory implements SpecHistory {
  constructor(private readonly db: Kysely<Database>) {}

  async latest(): Promise<SpecVersion | undefined> {
    const row = await this.db
      .selectFrom('spec_versions')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : toSpecVersion(row);
  }

  async record(version: { hash: string; text: string }, changes: string[], changeContext: ChangeContext): Promise<SpecVersion> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = {
        hash: version.hash,
        text: version.text,
        recorded_at: context.now().toISOString(),
        recorded_by: context.actor,
      };
      await trx.insertInto('spec_versions').values(row).execute();
      await appendAuditEntry(trx, { action: 'spec.changed', subject: `spec@${version.hash.slice(0, 12)}`, details: { hash: version.hash, changes } }, context);
      return toSpecVersion(row);
    });
  }
}
