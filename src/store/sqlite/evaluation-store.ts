/** Evaluations in the SQLite metadata database. */
import type { Kysely, Transaction } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import { splitVersionRef } from '../dataset-store.js';
import type { EvaluationRecord, EvaluationStore, ModelVersionRef, NewEvaluation } from '../evaluation-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database } from './database.js';

export class SqliteEvaluationStore implements EvaluationStore {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db
      .selectFrom('evaluations as e')
      .innerJoin('model_versions as mv', 'mv.id', 'e.model_version_id')
      .innerJoin('registered_models as m', 'm.id', 'mv.model_id')
      .leftJoin('model_versions as cv', 'cv.id', 'e.champion_version_id')
      .leftJoin('registered_models as cm', 'cm.id', 'cv.model_id')
      .innerJoin('dataset_versions as d', 'd.id', 'e.dataset_version_id')
      .selectAll('e')
      .select(['m.name as model', 'mv.version as version', 'cm.name as champion_model', 'cv.version as champion_version', 'd.dataset as dataset', 'd.number as dataset_number']);
  }

  private toRecord(row: Awaited<ReturnType<ReturnType<SqliteEvaluationStore['select']>['executeTakeFirstOrThrow']>>): EvaluationRecord {
    const record: EvaluationRecord = {
      id: row.id,
      candidate: { model: row.model, version: row.version },
      dataset: `${row.dataset}@${row.dataset_number}`,
      task: row.task,
      ready: row.ready === 1,
      summary: row.summary,
      metrics: JSON.parse(row.metrics) as unknown,
      artifactKey: row.artifact_key,
      reportKey: row.report_key,
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
    if (row.champion_model !== null && row.champion_version !== null) record.champion = { model: row.champion_model, version: row.champion_version };
    return record;
  }

  async find(id: number): Promise<EvaluationRecord | undefined> {
    const row = await this.select().where('e.id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : this.toRecord(row);
  }

  async list(): Promise<EvaluationRecord[]> {
    const rows = await this.select().orderBy('e.id', 'desc').execute();
    return rows.map((row) => this.toRecord(row));
  }

  async record(evaluation: NewEvaluation, changeContext: ChangeContext): Promise<EvaluationRecord> {
    const context = atOneInstant(changeContext);
    const { dataset, number } = splitVersionRef(evaluation.dataset);
    const id = await this.db.transaction().execute(async (trx) => {
      const datasetVersion = await trx.selectFrom('dataset_versions').select('id').where('dataset', '=', dataset).where('number', '=', number).executeTakeFirst();
      if (datasetVersion === undefined) throw new MlcycleError('not_found', `no dataset version ${evaluation.dataset}`);
      const candidate = await versionId(trx, evaluation.candidate);
      const champion = evaluation.champion === undefined ? null : await versionId(trx, evaluation.champion);
      const row = await trx
        .insertInto('evaluations')
        .values({
          model_version_id: candidate,
          champion_version_id: champion,
          dataset_version_id: datasetVersion.id,
          task: evaluation.task,
          ready: evaluation.ready ? 1 : 0,
          summary: evaluation.summary,
          metrics: JSON.stringify(evaluation.metrics),
          artifact_key: evaluation.artifactKey,
          report_key: evaluation.reportKey,
          created_at: context.now().toISOString(),
          created_by: context.actor,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const subject = `models:/${evaluation.candidate.model}/${evaluation.candidate.version}`;
      await appendAuditEntry(trx, { action: 'evaluation.recorded', subject, details: { id: row.id, dataset: evaluation.dataset, ready: evaluation.ready, champion: evaluation.champion ?? null } }, context);
      return row.id;
    });
    return (await this.find(id)) as EvaluationRecord;
  }
}

async function versionId(trx: Transaction<Database>, ref: ModelVersionRef): Promise<number> {
  const row = await trx
    .selectFrom('model_versions as v')
    .innerJoin('registered_models as m', 'm.id', 'v.model_id')
    .select('v.id')
    .where('m.name', '=', ref.model)
    .where('v.version', '=', ref.version)
    .executeTakeFirst();
  if (row === undefined) throw new MlcycleError('not_found', `no model version models:/${ref.model}/${ref.version}`);
  return row.id;
}
