/** Survey references in the SQLite metadata database; the reference itself is kept as JSON beside its key. */
import type { Kysely } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { NewReference, ReferenceLink, ReferenceRecord, ReferenceStore } from '../reference-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database } from './database.js';

export class SqliteReferenceStore implements ReferenceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(references: readonly NewReference[], changeContext: ChangeContext): Promise<ReferenceRecord[]> {
    const context = atOneInstant(changeContext);
    const keys = references.map((reference) => reference.key);
    const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
    if (repeated !== undefined) throw new MlcycleError('invalid_input', `reference key ${repeated} appears twice; nothing stored`);
    await this.db.transaction().execute(async (trx) => {
      for (const reference of references) {
        const existing = await trx.selectFrom('survey_references').select('key').where('key', '=', reference.key).executeTakeFirst();
        if (existing !== undefined) throw new MlcycleError('conflict', `reference ${reference.key} already exists; nothing stored`);
        await trx.insertInto('survey_references').values({ key: reference.key, body: JSON.stringify(reference), created_at: context.now().toISOString(), created_by: context.actor }).execute();
        await appendAuditEntry(trx, { action: 'survey.reference_added', subject: `references:/${reference.key}`, details: { title: reference.title, reported: reference.reported } }, context);
      }
    });
    return Promise.all(keys.map(async (key) => (await this.find(key)) as ReferenceRecord));
  }

  async find(key: string): Promise<ReferenceRecord | undefined> {
    const row = await this.db.selectFrom('survey_references').selectAll().where('key', '=', key).executeTakeFirst();
    if (row === undefined) return undefined;
    const links = await this.db.selectFrom('survey_reference_links').selectAll().where('reference_key', '=', key).orderBy('id').execute();
    return {
      ...(JSON.parse(row.body) as NewReference),
      createdAt: row.created_at,
      createdBy: row.created_by,
      links: links.map((link) => ({ runId: link.run_id, relation: link.relation as ReferenceLink['relation'], linkedAt: link.linked_at, linkedBy: link.linked_by })),
    };
  }

  async list(): Promise<ReferenceRecord[]> {
    const rows = await this.db.selectFrom('survey_references').select('key').orderBy('key').execute();
    return Promise.all(rows.map(async (row) => (await this.find(row.key)) as ReferenceRecord));
  }

  async remove(key: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('survey_references').select('key').where('key', '=', key).executeTakeFirst();
      if (existing === undefined) throw new MlcycleError('not_found', `no reference ${key}`);
      await trx.deleteFrom('survey_reference_links').where('reference_key', '=', key).execute();
      await trx.deleteFrom('survey_references').where('key', '=', key).execute();
      await appendAuditEntry(trx, { action: 'survey.reference_removed', subject: `references:/${key}`, details: {} }, context);
    });
  }

  async link(key: string, runId: string, relation: ReferenceLink['relation'], changeContext: ChangeContext): Promise<ReferenceRecord> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('survey_references').select('key').where('key', '=', key).executeTakeFirst();
      if (existing === undefined) throw new MlcycleError('not_found', `no reference ${key}`);
      const run = await trx.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
      if (run === undefined) throw new MlcycleError('not_found', `no run ${runId}; nothing linked`);
      await trx.insertInto('survey_reference_links').values({ reference_key: key, run_id: runId, relation, linked_at: context.now().toISOString(), linked_by: context.actor }).execute();
      await appendAuditEntry(trx, { action: 'survey.run_linked', subject: `references:/${key}`, details: { run: runId, relation } }, context);
    });
    return (await this.find(key)) as ReferenceRecord;
  }
}
