/** Profiles in the SQLite metadata database. */
import type { Kysely, Selectable } from 'kysely';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import { splitVersionRef } from '../dataset-store.js';
import type { ProfileRecord, ProfileStore } from '../profile-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, DatasetProfileTable } from './database.js';

function toRecord(row: Selectable<DatasetProfileTable> & { dataset: string; number: number }): ProfileRecord {
  const record: ProfileRecord = {
    ref: `${row.dataset}@${row.number}`,
    optionsKey: row.options_key,
    hasStrawman: row.has_strawman === 1,
    artifactKey: row.artifact_key,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
  if (row.target !== null) record.target = row.target;
  return record;
}


export class SqliteProfileStore implements ProfileStore {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db.selectFrom('dataset_profiles as p').innerJoin('dataset_versions as v', 'v.id', 'p.version_id').selectAll('p').select(['v.dataset', 'v.number']);
  }

  async find(ref: string, optionsKey: string): Promise<ProfileRecord | undefined> {
    const { dataset, number } = splitVersionRef(ref);
    const row = await this.select().where('v.dataset', '=', dataset).where('v.number', '=', number).where('p.options_key', '=', optionsKey).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(): Promise<ProfileRecord[]> {
    const rows = await this.select().orderBy('p.id', 'desc').execute();
    return rows.map(toRecord);
  }

  async record(profile: Omit<ProfileRecord, 'createdAt' | 'createdBy'>, changeContext: ChangeContext): Promise<ProfileRecord> {
    const context = atOneInstant(changeContext);
    const { dataset, number } = splitVersionRef(profile.ref);
    return this.db.transaction().execute(async (trx) => {
      const version = await trx.selectFrom('dataset_versions').select('id').where('dataset', '=', dataset).where('number', '=', number).executeTakeFirstOrThrow();
      await trx.deleteFrom('dataset_profiles').where('version_id', '=', version.id).where('options_key', '=', profile.optionsKey).execute();
      const row = await trx
        .insertInto('dataset_profiles')
        .values({
          version_id: version.id,
          options_key: profile.optionsKey,
          target: profile.target ?? null,
          has_strawman: profile.hasStrawman ? 1 : 0,
          artifact_key: profile.artifactKey,
          created_at: context.now().toISOString(),
          created_by: context.actor,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAuditEntry(trx, { action: 'dataset.profiled', subject: profile.ref, details: { target: profile.target ?? null, strawman: profile.hasStrawman } }, context);
      return toRecord({ ...row, dataset, number });
    });
  }
}
