/**
 * MLflow 3's logged-model API (mlflow/protos/service.proto, MLflow 3.1: CreateLoggedModel, GetLoggedModel,
 * FinalizeLoggedModel, DeleteLoggedModel, SearchLoggedModels, LogLoggedModelParamsRequest,
 * SetLoggedModelTags, DeleteLoggedModelTag, LogOutputs), as MLflow 3's log_model, register_model and
 * load_model call it.
 *
 * mlcycle keeps a logged model's files with the run that made it: its `artifact_uri` is
 * `mlflow-artifacts:/<experiment>/<run>/artifacts/models/<model id>`, which the client uploads to and
 * downloads from through the proxied artifact routes, so the files stay evidence of that run and a version
 * registered from the model is linked to the run. A model logged outside any run gets a run of its own,
 * made by the server, named after the model and tagged `mlcycle.loggedModelRun`.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { LOGGED_MODEL_STATUSES, type LoggedModel, type LoggedModelMetric, type LoggedModelStatus } from '../../store/logged-model-store.js';
import { validateParams, validateRunId, validateTags } from '../../tracking/limits.js';
import type { ChangeContext } from '../../store/audit-log.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { jsonNumber } from './mlflow-shapes.js';
import { matchesLoggedModelFilter, parseLoggedModelFilter, parseLoggedModelOrder, sortLoggedModels } from './logged-model-search.js';
import { nextPageField, pageOf, pageTokenAt, pageWindow } from './paging.js';
import { fieldsOf, keyValues, optionalInteger, optionalList, optionalString, optionalStrings, requiredString, type Fields } from './request-fields.js';

const PREFIX = '/api/2.0/mlflow';
const MODEL_ID = /^m-[0-9a-f]{32}$/;
/** The run folder a logged model's files live in. */
export const LOGGED_MODEL_FOLDER = 'models';
/** The tag of a run mlcycle made for a model logged outside any run. */
export const LOGGED_MODEL_RUN_TAG = 'mlcycle.loggedModelRun';

/** The artifact path (in its source run) of a logged model's files. */
export function loggedModelArtifactPath(modelId: string): string {
  return `${LOGGED_MODEL_FOLDER}/${modelId}`;
}

/** The logged model a run artifact path names (`models/m-...`), if any. */
export function loggedModelOfPath(path: string): string | undefined {
  const match = /^models\/(m-[0-9a-f]{32})$/.exec(path);
  return match?.[1];
}

function tagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** A logged model in MLflow's LoggedModel shape (`info` and `data`). */
export function loggedModelJson(model: LoggedModel) {
  return {
    info: {
      model_id: model.id,
      experiment_id: model.experimentId,
      name: model.name,
      creation_timestamp_ms: model.createdAt,
      last_updated_timestamp_ms: model.updatedAt,
      artifact_uri: `mlflow-artifacts:/${model.experimentId}/${model.sourceRunId}/artifacts/${loggedModelArtifactPath(model.id)}`,
      status: model.status,
      ...(model.statusMessage === undefined ? {} : { status_message: model.statusMessage }),
      ...(model.modelType === undefined ? {} : { model_type: model.modelType }),
      source_run_id: model.sourceRunId,
      tags: tagList(model.tags),
    },
    data: {
      params: tagList(model.params),
      metrics: model.metrics.map((metric) => ({
        key: metric.key,
        value: jsonNumber(metric.value),
        timestamp: metric.timestamp,
        step: metric.step,
        model_id: model.id,
        ...(metric.runId === undefined ? {} : { run_id: metric.runId }),
        ...(metric.datasetName === undefined ? {} : { dataset_name: metric.datasetName }),
        ...(metric.datasetDigest === undefined ? {} : { dataset_digest: metric.datasetDigest }),
      })),
    },
  };
}

/** MLflow's LoggedModelStatus as its JSON names it, or as the enum's number (1 PENDING, 2 READY, 3 UPLOAD_FAILED). */
function statusOf(fields: Fields): LoggedModelStatus {
  const value = fields.status;
  const named = typeof value === 'number' ? LOGGED_MODEL_STATUSES[value - 1] : typeof value === 'string' && /^[1-3]$/.test(value) ? LOGGED_MODEL_STATUSES[Number(value) - 1] : value;
  if (typeof named !== 'string' || !(LOGGED_MODEL_STATUSES as readonly string[]).includes(named)) {
    throw new MlcycleError('invalid_input', `status: ${JSON.stringify(value ?? null)} is not one of ${LOGGED_MODEL_STATUSES.join(', ')}`);
  }
  return named as LoggedModelStatus;
}

/** A logged model id as sent, refused as an unknown model when it cannot be one. */
export function modelIdOf(id: string, path = 'model_id'): string {
  if (!MODEL_ID.test(id)) throw new MlcycleError('not_found', `Logged model with ID '${id}' not found`, { issues: [{ path, message: 'not a logged model id (m- and 32 hex digits)' }] });
  return id;
}

/** The metric points of a log-batch request that name a logged model (MLflow 3's Metric.model_id), by model. */
export function modelMetricsOf(fields: Fields, runId: string, now: number): Map<string, LoggedModelMetric[]> {
  const byModel = new Map<string, LoggedModelMetric[]>();
  optionalList(fields, 'metrics').forEach((item, index) => {
    const modelId = optionalString(item, 'model_id');
    if (modelId === undefined || modelId === '') return;
    modelIdOf(modelId, `metrics[${index}].model_id`);
    const value = typeof item.value === 'number' ? item.value : Number(item.value);
    const datasetName = optionalString(item, 'dataset_name');
    const datasetDigest = optionalString(item, 'dataset_digest');
    const metric: LoggedModelMetric = {
      key: requiredString(item, 'key'),
      value,
      timestamp: optionalInteger(item, 'timestamp') ?? now,
      step: optionalInteger(item, 'step') ?? 0,
      runId,
      ...(datasetName === undefined ? {} : { datasetName }),
      ...(datasetDigest === undefined ? {} : { datasetDigest }),
    };
    byModel.set(modelId, [...(byModel.get(modelId) ?? []), metric]);
  });
  return byModel;
}

/** Registers the logged-model routes and runs/outputs. */
export function registerMlflowLoggedModelRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  const store = workspace.loggedModels;
  const runForModel = async (experimentId: string, name: string, context: ChangeContext) => {
    const start = context.now().getTime();
    const run = await workspace.runs.createRun({ experimentId, name, startTime: start, tags: { [LOGGED_MODEL_RUN_TAG]: 'true' } }, context);
    await workspace.runs.endRun(run.id, 'FINISHED', start, context);
    return run.id;
  };
  const found = async (id: string) => {
    const model = await store.find(modelIdOf(id));
    if (model === undefined || model.lifecycleStage === 'deleted') throw new MlcycleError('not_found', `Logged model with ID '${id}' not found`);
    return model;
  };

  app.post(`${PREFIX}/logged-models`, async (request) => {
    const fields = fieldsOf(request);
    const experimentId = requiredString(fields, 'experiment_id');
    const givenRunId = optionalString(fields, 'source_run_id') || undefined;
    if (givenRunId !== undefined) validateRunId(givenRunId, 'source_run_id');
    if (!/^\d{1,15}$/.test(experimentId) || (await workspace.runs.findExperiment({ id: experimentId })) === undefined) throw new MlcycleError('not_found', `No Experiment with id=${experimentId} exists`);
    const params = keyValues(fields, 'params');
    const tags = keyValues(fields, 'tags');
    validateParams(params);
    validateTags(tags);
    const given = optionalString(fields, 'name');
    const name = given === undefined || given === '' ? `model-${Date.now().toString(36)}` : given;
    const modelType = optionalString(fields, 'model_type');
    const context = actorOf(server, request)();
    // log_model outside a run (MLflow 3 allows it): mlcycle keeps every model's files with a run, so it makes
    // one for the model, named after it, tagged LOGGED_MODEL_RUN_TAG, ended at once, with the model as its output.
    const sourceRunId = givenRunId ?? (await runForModel(experimentId, name, context));
    const model = await store.create({ experimentId, sourceRunId, name, params, tags, ...(modelType === undefined || modelType === '' ? {} : { modelType }) }, context);
    if (givenRunId === undefined) await store.logOutputs(sourceRunId, [{ modelId: model.id, step: 0 }], context);
    return { model: loggedModelJson(model) };
  });

  app.post(`${PREFIX}/logged-models/search`, async (request) => {
    const fields = fieldsOf(request);
    const experimentIds = optionalStrings(fields, 'experiment_ids');
    if (experimentIds.length === 0) throw new MlcycleError('invalid_input', "experiment_ids: missing value for required parameter 'experiment_ids'");
    const filter = optionalString(fields, 'filter');
    const conditions = parseLoggedModelFilter(filter);
    const datasets = optionalList(fields, 'datasets').map((dataset, index) => {
      const name = optionalString(dataset, 'dataset_name');
      if (name === undefined || name === '') throw new MlcycleError('invalid_input', `datasets[${index}].dataset_name: missing`);
      const digest = optionalString(dataset, 'dataset_digest');
      return { name, ...(digest === undefined ? {} : { digest }) };
    });
    const orders = parseLoggedModelOrder(optionalList(fields, 'order_by'));
    // max_results defaults to MLflow's 100 (mlflow/store/tracking/__init__.py SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT); mlcycle's largest page is 1,000.
    const paging = { maxResults: 100, limit: 1000 };
    const query = { experimentIds, filter, datasets, order_by: fields.order_by ?? null };
    if (conditions.length === 0 && orders.length === 0) {
      // No filter and the default order (MLflow 3's register_model("runs:/...") pages so through a whole
      // experiment): the store reads one page, and one model more to know whether another page follows.
      const { offset, maxResults } = pageWindow(fields, query, paging);
      const rows = await store.list(experimentIds, { offset, limit: maxResults + 1 });
      const more = rows.length > maxResults;
      return { models: rows.slice(0, maxResults).map(loggedModelJson), ...nextPageField(more ? pageTokenAt(offset + maxResults, query) : undefined) };
    }
    const models = sortLoggedModels((await store.list(experimentIds)).filter((model) => matchesLoggedModelFilter(model, conditions, datasets)), orders);
    const { page, nextPageToken } = pageOf(models, fields, query, paging);
    return { models: page.map(loggedModelJson), ...nextPageField(nextPageToken) };
  });

  app.get<{ Params: { modelId: string } }>(`${PREFIX}/logged-models/:modelId`, async (request) => ({ model: loggedModelJson(await found(request.params.modelId)) }));
  app.patch<{ Params: { modelId: string } }>(`${PREFIX}/logged-models/:modelId`, async (request) => {
    const status = statusOf(fieldsOf(request));
    await found(request.params.modelId);
    return { model: loggedModelJson(await store.finalize(request.params.modelId, status, actorOf(server, request)())) };
  });
  app.delete<{ Params: { modelId: string } }>(`${PREFIX}/logged-models/:modelId`, async (request) => {
    await found(request.params.modelId);
    await store.remove(request.params.modelId, actorOf(server, request)());
    return {};
  });
  app.post<{ Params: { modelId: string } }>(`${PREFIX}/logged-models/:modelId/params`, async (request) => {
    const params = keyValues(fieldsOf(request), 'params');
    validateParams(params);
    await found(request.params.modelId);
    await store.logParams(request.params.modelId, params, actorOf(server, request)());
    return {};
  });
  app.patch<{ Params: { modelId: string } }>(`${PREFIX}/logged-models/:modelId/tags`, async (request) => {
    const tags = keyValues(fieldsOf(request), 'tags');
    validateTags(tags);
    await found(request.params.modelId);
    await store.setTags(request.params.modelId, tags, actorOf(server, request)());
    return {};
  });
  app.delete<{ Params: { modelId: string; key: string } }>(`${PREFIX}/logged-models/:modelId/tags/:key`, async (request) => {
    await found(request.params.modelId);
    await store.deleteTag(request.params.modelId, request.params.key, actorOf(server, request)());
    return {};
  });

  app.post(`${PREFIX}/runs/outputs`, async (request) => {
    const fields = fieldsOf(request);
    const runId = requiredString(fields, 'run_id');
    validateRunId(runId, 'run_id');
    const outputs = optionalList(fields, 'models').map((item, index) => ({ modelId: modelIdOf(requiredString(item, 'model_id'), `models[${index}].model_id`), step: optionalInteger(item, 'step') ?? 0 }));
    const run = await workspace.runs.findRun(runId);
    if (run === undefined) throw new MlcycleError('not_found', `Run with id=${runId} not found`);
    if (run.lifecycleStage === 'deleted') throw new MlcycleError('invalid_input', `The run ${runId} must be in the 'active' state. Current state is deleted.`);
    await store.logOutputs(runId, outputs, actorOf(server, request)());
    return {};
  });
}
