/** MLflow 3's logged models in the metadata database (SQLite or PostgreSQL through Kysely). */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { LoggedModel, LoggedModelMetric, LoggedModelOutput, LoggedModelStatus, LoggedModelStore, NewLoggedModel } from '../logged-model-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, LoggedModelTable } from './database.js';

type Row = LoggedModelTable;

function modelOf(row: Row): LoggedModel {
  return {
    id: row.id,
    experimentId: row.experiment_id,
    name: row.name,
    sourceRunId: row.source_run_id,
    ...(row.model_type === null ? {} : { modelType: row.model_type }),
    status: row.status as LoggedModelStatus,
    ...(row.status_message === null ? {} : { statusMessage: row.status_message }),
    lifecycleStage: row.lifecycle_stage as LoggedModel['lifecycleStage'],
    params: JSON.parse(row.params) as Record<string, string>,
    tags: JSON.parse(row.tags) as Record<string, string>,
    metrics: JSON.parse(row.metrics) as LoggedModelMetric[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
  };
}

/** How many runs one read of inputs or outputs names. */
const OUTPUT_READ_SLICE = 500;

export class SqliteLoggedModelStore implements LoggedModelStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(model: NewLoggedModel, changeContext: ChangeContext): Promise<LoggedModel> {
    const context = atOneInstant(changeContext);
    const id = `m-${randomUUID().replaceAll('-', '')}`;
    const now = context.now().getTime();
    await this.db.transaction().execute(async (trx) => {
      const run = await trx.selectFrom('runs').select(['id', 'experiment_id']).where('id', '=', model.sourceRunId).executeTakeFirst();
      if (run === undefined) throw new MlcycleError('not_found', `source_run_id: no run ${model.sourceRunId}; nothing stored`);
      if (String(run.experiment_id) !== model.experimentId) throw new MlcycleError('invalid_input', `source_run_id: run ${model.sourceRunId} is in experiment ${run.experiment_id}, not ${model.experimentId}; nothing stored`);
      await trx
        .insertInto('logged_models')
        .values({
          id,
          experiment_id: model.experimentId,
          name: model.name,
          source_run_id: model.sourceRunId,
          model_type: model.modelType ?? null,
          status: 'LOGGED_MODEL_PENDING',
          status_message: null,
          lifecycle_stage: 'active',
          params: JSON.stringify(model.params),
          tags: JSON.stringify(model.tags),
          metrics: '[]',
          created_at: now,
          updated_at: now,
          created_by: context.actor,
        })
        .execute();
      await appendAuditEntry(trx, { action: 'logged_model.created', subject: `models:/${id}`, details: { name: model.name, run: model.sourceRunId, experiment: model.experimentId } }, context);
    });
    return (await this.find(id)) as LoggedModel;
  }

  async find(id: string): Promise<LoggedModel | undefined> {
    const row = await this.db.selectFrom('logged_models').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : modelOf(row);
  }

  async list(experimentIds: readonly string[], page?: { offset: number; limit: number }): Promise<LoggedModel[]> {
    if (experimentIds.length === 0) return [];
    const query = this.db
      .selectFrom('logged_models')
      .selectAll()
      .where('experiment_id', 'in', [...experimentIds])
      .where('lifecycle_stage', '=', 'active')
      .orderBy('created_at', 'desc')
      .orderBy('id');
    const rows = await (page === undefined ? query : query.limit(page.limit).offset(page.offset)).execute();
    return rows.map(modelOf);
  }

  /** Reads the model inside a transaction, changes it and writes it back with the audit entry. */
  private async change(id: string, changeContext: ChangeContext, action: string, details: Record<string, unknown>, edit: (model: LoggedModel) => Partial<Row>): Promise<LoggedModel> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx: Transaction<Database>) => {
      const row = await trx.selectFrom('logged_models').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined || row.lifecycle_stage === 'deleted') throw new MlcycleError('not_found', `Logged model with ID '${id}' not found`);
      await trx
        .updateTable('logged_models')
        .set({ ...edit(modelOf(row)), updated_at: context.now().getTime() })
        .where('id', '=', id)
        .execute();
      await appendAuditEntry(trx, { action, subject: `models:/${id}`, details }, context);
    });
    return (await this.find(id)) as LoggedModel;
  }

  finalize(id: string, status: LoggedModelStatus, context: ChangeContext): Promise<LoggedModel> {
    return this.change(id, context, 'logged_model.finalized', { status }, () => ({ status }));
  }

  async remove(id: string, context: ChangeContext): Promise<void> {
    await this.change(id, context, 'logged_model.deleted', {}, () => ({ lifecycle_stage: 'deleted' }));
  }

  async logParams(id: string, params: Record<string, string>, context: ChangeContext): Promise<void> {
    await this.change(id, context, 'logged_model.params_logged', { keys: Object.keys(params) }, (model) => {
      for (const [key, value] of Object.entries(params)) {
        if (Object.hasOwn(model.params, key) && model.params[key] !== value) {
          throw new MlcycleError('invalid_input', `params: "${key}" is already ${JSON.stringify(model.params[key])} on logged model ${id}; params cannot be changed`);
        }
      }
      return { params: JSON.stringify({ ...model.params, ...params }) };
    });
  }

  async setTags(id: string, tags: Record<string, string>, context: ChangeContext): Promise<void> {
    await this.change(id, context, 'logged_model.tags_set', { tags }, (model) => ({ tags: JSON.stringify({ ...model.tags, ...tags }) }));
  }

  async deleteTag(id: string, key: string, context: ChangeContext): Promise<void> {
    await this.change(id, context, 'logged_model.tag_deleted', { key }, (model) => {
      if (!Object.hasOwn(model.tags, key)) throw new MlcycleError('not_found', `No tag with key '${key}' found on logged model '${id}'`);
      const rest = { ...model.tags };
      delete rest[key];
      return { tags: JSON.stringify(rest) };
    });
  }

  async logMetrics(id: string, metrics: readonly LoggedModelMetric[], context: ChangeContext): Promise<void> {
    if (metrics.length === 0) return;
    await this.change(id, context, 'logged_model.metrics_logged', { keys: [...new Set(metrics.map((metric) => metric.key))] }, (model) => ({ metrics: JSON.stringify([...model.metrics, ...metrics]) }));
  }

  async logOutputs(runId: string, outputs: readonly LoggedModelOutput[], changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const run = await trx.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
      if (run === undefined) throw new MlcycleError('not_found', `Run with id=${runId} not found`);
      for (const [index, output] of outputs.entries()) {
        const model = await trx.selectFrom('logged_models').select('lifecycle_stage').where('id', '=', output.modelId).executeTakeFirst();
        if (model === undefined || model.lifecycle_stage === 'deleted') throw new MlcycleError('not_found', `models[${index}].model_id: no logged model ${output.modelId}; nothing linked`);
        await trx.insertInto('logged_model_outputs').values({ run_id: runId, model_id: output.modelId, step: output.step }).execute();
      }
      await appendAuditEntry(trx, { action: 'run.outputs_logged', subject: `runs:/${runId}`, details: { models: outputs.map((output) => ({ model: output.modelId, step: output.step })) } }, context);
    });
  }

  async logInputs(runId: string, modelIds: readonly string[], changeContext: ChangeContext): Promise<void> {
    if (modelIds.length === 0) return;
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const run = await trx.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
      if (run === undefined) throw new MlcycleError('not_found', `Run with id=${runId} not found`);
      const known = new Set((await trx.selectFrom('logged_model_inputs').select('model_id').where('run_id', '=', runId).execute()).map((row) => row.model_id));
      for (const [index, modelId] of modelIds.entries()) {
        const model = await trx.selectFrom('logged_models').select('lifecycle_stage').where('id', '=', modelId).executeTakeFirst();
        if (model === undefined || model.lifecycle_stage === 'deleted') throw new MlcycleError('not_found', `models[${index}].model_id: no logged model ${modelId}; nothing linked`);
        if (known.has(modelId)) continue;
        known.add(modelId);
        await trx.insertInto('logged_model_inputs').values({ run_id: runId, model_id: modelId }).execute();
      }
      await appendAuditEntry(trx, { action: 'run.model_inputs_logged', subject: `runs:/${runId}`, details: { models: [...modelIds] } }, context);
    });
  }

  async inputsOfRuns(runIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (let start = 0; start < runIds.length; start += OUTPUT_READ_SLICE) {
      const slice = runIds.slice(start, start + OUTPUT_READ_SLICE);
      const rows = await this.db.selectFrom('logged_model_inputs').select(['run_id', 'model_id']).where('run_id', 'in', slice).orderBy('id').execute();
      for (const row of rows) found.set(row.run_id, [...(found.get(row.run_id) ?? []), row.model_id]);
    }
    return found;
  }

  async outputsOf(runId: string): Promise<LoggedModelOutput[]> {
    const rows = await this.db.selectFrom('logged_model_outputs').select(['model_id', 'step']).where('run_id', '=', runId).orderBy('id').execute();
    return rows.map((row) => ({ modelId: row.model_id, step: Number(row.step) }));
  }

  async outputsOfRuns(runIds: readonly string[]): Promise<Map<string, LoggedModelOutput[]>> {
    const found = new Map<string, LoggedModelOutput[]>();
    // In slices, to stay well inside the bound-parameter limits of SQLite and PostgreSQL.
    for (let start = 0; start < runIds.length; start += OUTPUT_READ_SLICE) {
      const slice = runIds.slice(start, start + OUTPUT_READ_SLICE);
      const rows = await this.db.selectFrom('logged_model_outputs').select(['run_id', 'model_id', 'step']).where('run_id', 'in', slice).orderBy('id').execute();
      for (const row of rows) {
        const outputs = found.get(row.run_id) ?? [];
        outputs.push({ modelId: row.model_id, step: Number(row.step) });
        found.set(row.run_id, outputs);
      }
    }
    return found;
  }
}
