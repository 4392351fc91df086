/** Dataset versions and validations in the SQLite metadata database. */
import type { Kysely, Selectable } from 'kysely';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type {
  DatasetStore,
  DatasetValidation,
  DatasetVersion,
  NewDatasetValidation,
  NewDatasetVersion,
  VersionSelector,
} from '../dataset-store.js';
import { splitVersionRef } from '../dataset-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, DatasetValidationTable, DatasetVersionTable } from './database.js';

function toVersion(row: Selectable<DatasetVersionTable>): DatasetVersion {
  const version: DatasetVersion = {
    dataset: row.dataset,
    number: row.number,
    ref: `${row.dataset}@${row.number}`,
    hash: row.hash,
    artifactKey: row.artifact_key,
    rowCount: row.row_count,
    byteSize: row.byte_size,
    columns: JSON.parse(row.columns) as DatasetVersion['columns'],
    lineage: JSON.parse(row.lineage) as DatasetVersion['lineage'],
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
  if (row.time_column !== null) version.timeColumn = row.time_column;
  return version;
}

function toValidation(row: Selectable<DatasetValidationTable> & { dataset: string; number: number }): DatasetValidation {
  const validation: DatasetValidation = {
    id: row.id,
    ref: `${row.dataset}@${row.number}`,
    at: row.at,
    actor: row.actor,
    passed: row.passed === 1,
    targetPresent: row.target_present === 1,
    outcomes: JSON.parse(row.outcomes) as DatasetValidation['outcomes'],
  };
  if (row.spec_hash !== null) validation.specHash = row.spec_hash;
  return validation;
}


export class SqliteDatasetStore implements DatasetStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listDatasets(): Promise<{ name: string; versions: number; latest: DatasetVersion }[]> {
    const rows = await this.db
      .selectFrom('dataset_versions as v')
      .selectAll('v')
      .where(({ eb, selectFrom }) =>
        eb('v.number', '=', selectFrom('dataset_versions as w').select((w) => w.fn.max('w.number').as('n')).whereRef('w.dataset', '=', 'v.dataset')),
      )
      .orderBy('v.dataset')
      .execute();
    return rows.map((row) => ({ name: row.dataset, versions: row.number, latest: toVersion(row) }));
  }

  async listVersions(dataset: string): Promise<DatasetVersion[]> {
    const rows = await this.db.selectFrom('dataset_versions').selectAll().where('dataset', '=', dataset).orderBy('number').execute();
    return rows.map(toVersion);
  }

  async findVersion(dataset: string, selector: VersionSelector): Promise<DatasetVersion | undefined> {
    let query = this.db.selectFrom('dataset_versions').selectAll().where('dataset', '=', dataset);
    if (typeof selector === 'number') query = query.where('number', '=', selector);
    else if (selector !== 'latest') query = query.where('hash', 'like', `${selector.hashPrefix.replace(/[^0-9a-f]/g, '')}%`);
    const rows = await query.orderBy('number', 'desc').limit(2).execute();
    // A hash prefix that matches two versions is ambiguous: treat it as not found rather than guess.
    if (typeof selector === 'object' && rows.length > 1) return undefined;
    return rows[0] === undefined ? undefined : toVersion(rows[0]);
  }

  async findByHash(dataset: string, hash: string): Promise<DatasetVersion | undefined> {
    const row = await this.db.selectFrom('dataset_versions').selectAll().where('dataset', '=', dataset).where('hash', '=', hash).executeTakeFirst();
    return row === undefined ? undefined : toVersion(row);
  }

  async registerVersions(versions: readonly NewDatasetVersion[], changeContext: ChangeContext): Promise<DatasetVersion[]> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const registered: DatasetVersion[] = [];
      for (const version of versions) {
        await trx
          .insertInto('datasets')
          .values({ name: version.dataset, created_at: at, created_by: context.actor })
          .onConflict((conflict) => conflict.column('name').doNothing())
          .execute();
        const last = await trx
          .selectFrom('dataset_versions')
          .select((eb) => eb.fn.max('number').as('n'))
          .where('dataset', '=', version.dataset)
          .executeTakeFirst();
        const row = await trx
          .insertInto('dataset_versions')
          .values({
            dataset: version.dataset,
            number: (last?.n ?? 0) + 1,
            hash: version.hash,
            artifact_key: version.artifactKey,
            row_count: version.rowCount,
            byte_size: version.byteSize,
            columns: JSON.stringify(version.columns),
            time_column: version.timeColumn ?? null,
            lineage: JSON.stringify(version.lineage),
            created_at: at,
            created_by: context.actor,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const added = toVersion(row);
        const parents = version.lineage.parents?.map((parent) => parent.ref);
        const origin = parents === undefined ? { source: version.lineage.source?.path ?? null } : { parents };
        await appendAuditEntry(trx, { action: 'dataset.version-added', subject: added.ref, details: { hash: version.hash, rows: version.rowCount, ...origin } }, context);
        registered.push(added);
      }
      return registered;
    });
  }

  async recordValidation(validation: NewDatasetValidation, changeContext: ChangeContext): Promise<DatasetValidation> {
    const context = atOneInstant(changeContext);
    const { dataset, number } = splitVersionRef(validation.ref);
    return this.db.transaction().execute(async (trx) => {
      const version = await trx.selectFrom('dataset_versions').select('id').where('dataset', '=', dataset).where('number', '=', number).executeTakeFirstOrThrow();
      const row = await trx
        .insertInto('dataset_validations')
        .values({
          version_id: version.id,
          at: context.now().toISOString(),
          actor: context.actor,
          passed: validation.passed ? 1 : 0,
          target_present: validation.targetPresent ? 1 : 0,
          spec_hash: validation.specHash ?? null,
          outcomes: JSON.stringify(validation.outcomes),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const failed = validation.outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.description);
      await appendAuditEntry(trx, { action: 'dataset.validated', subject: validation.ref, details: { passed: validation.passed, checks: validation.outcomes.length, failed } }, context);
      return toValidation({ ...row, dataset, number });
    });
  }

  async latestValidation(ref: string): Promise<DatasetValidation | undefined> {
    const { dataset, number } = splitVersionRef(ref);
    const row = await this.db
      .selectFrom('dataset_validations as r')
      .innerJoin('dataset_versions as v', 'v.id', 'r.version_id')
      .selectAll('r')
      .select(['v.dataset', 'v.number'])
      .where('v.dataset', '=', dataset)
      .where('v.number', '=', number)
      .orderBy('r.id', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : toValidation(row);
  }

  async latestValidations(): Promise<DatasetValidation[]> {
    const rows = await this.db
      .selectFrom('dataset_validations as r')
      .innerJoin('dataset_versions as v', 'v.id', 'r.version_id')
      .selectAll('r')
      .select(['v.dataset', 'v.number'])
      .where(({ eb, selectFrom }) =>
        eb('r.id', '=', selectFrom('dataset_validations as s').select((s) => s.fn.max('s.id').as('m')).whereRef('s.version_id', '=', 'r.version_id')),
      )
      .orderBy('r.id', 'desc')
      .execute();
    return rows.map(toValidation);
  }
}
