/**
 * MLflow REST API 2.0 for tracking: experiments, runs, params, metrics (with log-batch and MLflow's
 * limits), tags, dataset inputs, metric histories, artifact listings and run search, served from the
 * embedded store so that an unchanged `mlflow` client logs into mlcycle.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import type { Experiment, Run, RunInput, RunStatus } from '../../store/run-store.js';
import { matchesClauses, parseRegistryOrder, registryComparator } from './registry-search.js';
import { RUN_STATUSES } from '../../store/run-store.js';
import { requireArtifactFolder } from '../../tracking/artifact-paths.js';
import { TRACKING_LIMITS, validateExperimentName, validateParams, validateRunId, validateRunName, validateTags } from '../../tracking/limits.js';
import { readLogBatch, readMetricEntries } from './log-batch.js';
import { modelIdOf, modelMetricsOf } from './logged-model-routes.js';
import { parseFilter, parseOrderBy } from '../../tracking/search/parse-filter.js';
import { actorOf, type ActAs, type ServerContext } from '../server-context.js';
import { DATASET_CONTEXT_TAG, experimentJson, jsonNumber, outputsJson, PARENT_RUN_TAG, RUN_NAME_TAG, runInfoJson, runJson } from './mlflow-shapes.js';
import { datasetDescription } from './dataset-fields.js';
import { nextPageField, pageOf } from './paging.js';
import { matchesTimes, parseExperimentFilter } from './experiment-filter.js';
import { orderWithRunTagAttributes, withRunTagAttributes } from './run-search-fields.js';
import { fieldsOf, keyValues, optionalInteger, optionalList, optionalPositiveInteger, optionalString, optionalStrings, requiredString, type Fields } from './request-fields.js';

const PREFIX = '/api/2.0/mlflow';
/** The run tag where MLflow 2.x keeps the models logged in the run. */
const LOGGED_MODEL_HISTORY_TAG = 'mlflow.log-model.history';
const VIEW_TYPES = { ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' } as const;
const EXPERIMENT_ORDER_KEYS = ['experiment_id', 'name', 'creation_time', 'last_update_time'];

function experimentField(experiment: Experiment, key: string): string | number {
  const json = experimentJson(experiment);
  return key === 'experiment_id' ? Number(experiment.id) : key === 'name' ? experiment.name : key === 'creation_time' ? json.creation_time : json.last_update_time;
}

function runIdOf(fields: Fields): string {
  const id = optionalString(fields, 'run_id') ?? requiredString(fields, 'run_uuid');
  validateRunId(id, 'run_id');
  return id;
}

/** Registers the MLflow tracking routes. */
export function registerMlflowTrackingRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  type Handler = (fields: Fields, actAs: ActAs) => Promise<unknown>;
  const post = (path: string, handler: Handler) => app.post(`${PREFIX}${path}`, async (request) => handler(fieldsOf(request), actorOf(server, request)));
  const get = (path: string, handler: Handler) => app.get(`${PREFIX}${path}`, async (request) => handler(fieldsOf({ query: request.query }), actorOf(server, request)));

  post('/experiments/create', async (fields, actAs) => {
    const name = requiredString(fields, 'name');
    validateExperimentName(name);
    const tags = keyValues(fields, 'tags');
    validateTags(tags);
    if ((await workspace.runs.findExperiment({ name })) !== undefined) throw new MlcycleError('conflict', `Experiment '${name}' already exists.`);
    const experiment = await workspace.runs.createExperiment(name, tags, actAs());
    return { experiment_id: experiment.id };
  });
  const getExperiment = async (fields: Fields, _actAs: ActAs) => {
    const id = requiredString(fields, 'experiment_id');
    if (!/^\d{1,15}$/.test(id)) throw new MlcycleError('not_found', `No Experiment with id=${id} exists`);
    const experiment = await workspace.runs.findExperiment({ id });
    if (experiment === undefined) throw new MlcycleError('not_found', `No Experiment with id=${id} exists`);
    return { experiment: experimentJson(experiment) };
  };
  get('/experiments/get', getExperiment);
  get('/experiments/get-by-name', async (fields) => {
    const name = requiredString(fields, 'experiment_name');
    const experiment = await workspace.runs.findExperiment({ name });
    if (experiment === undefined) throw new MlcycleError('not_found', `Could not find experiment with name '${name}'`);
    return { experiment: experimentJson(experiment) };
  });
  const searchExperiments = async (fields: Fields, _actAs: ActAs) => {
    // MLflow's SearchExperiments (SqlAlchemyStore, MLflow 2.22): clauses on name, tags.KEY and the times joined
    // by AND, ordered by experiment_id, name, creation_time or last_update_time; by default newest first, then by id.
    const filter = optionalString(fields, 'filter');
    const { clauses, times } = parseExperimentFilter(filter);
    const orderBy = optionalStrings(fields, 'order_by');
    const orders = parseRegistryOrder(orderBy.length === 0 ? ['creation_time DESC', 'experiment_id ASC'] : orderBy, EXPERIMENT_ORDER_KEYS);
    const viewType = optionalString(fields, 'view_type') ?? 'ACTIVE_ONLY';
    if (!Object.hasOwn(VIEW_TYPES, viewType)) throw new MlcycleError('invalid_input', `view_type: "${viewType}" is not ACTIVE_ONLY, DELETED_ONLY or ALL`);
    const lifecycle = VIEW_TYPES[viewType as keyof typeof VIEW_TYPES];
    const experiments = (await workspace.runs.listExperiments())
      .filter((experiment) => (lifecycle === 'all' || experiment.lifecycleStage === lifecycle) && matchesClauses(clauses, (field) => (field === 'name' ? experiment.name : experiment.tags[field.slice(5)])))
      .filter((experiment) => matchesTimes(times, (field) => experimentField(experiment, field) as number))
      .sort(registryComparator(orders, experimentField, (a, b) => Number(a.id) - Number(b.id)));
    // MLflow's SearchExperiments: 1,000 per page by default, at most 50,000 (mlflow/utils/search_utils.py, 2.22).
    const { page, nextPageToken } = pageOf(experiments, fields, { filter, viewType, orderBy }, { maxResults: 1000, limit: 50_000 });
    return { experiments: page.map(experimentJson), ...nextPageField(nextPageToken) };
  };
  post('/experiments/search', searchExperiments);
  get('/experiments/search', searchExperiments);

  const experimentIdOf = (fields: Fields) => {
    const id = requiredString(fields, 'experiment_id');
    if (!/^\d{1,15}$/.test(id)) throw new MlcycleError('not_found', `No Experiment with id=${id} exists`);
    return id;
  };
  post('/experiments/update', async (fields, actAs) => {
    const name = requiredString(fields, 'new_name');
    validateExperimentName(name);
    await workspace.runs.renameExperiment(experimentIdOf(fields), name, actAs());
    return {};
  });
  post('/experiments/delete', async (fields, actAs) => (await workspace.runs.setExperimentLifecycle(experimentIdOf(fields), 'deleted', actAs()), {}));
  post('/experiments/restore', async (fields, actAs) => (await workspace.runs.setExperimentLifecycle(experimentIdOf(fields), 'active', actAs()), {}));
  post('/experiments/set-experiment-tag', async (fields, actAs) => {
    const tags = { [requiredString(fields, 'key')]: optionalString(fields, 'value') ?? '' };
    validateTags(tags);
    const [[key, value]] = Object.entries(tags) as [[string, string]];
    await workspace.runs.setExperimentTag(experimentIdOf(fields), key, value, actAs());
    return {};
  });

  post('/experiments/delete-experiment-tag', async (fields, actAs) => (await workspace.runs.deleteExperimentTag(experimentIdOf(fields), requiredString(fields, 'key'), actAs()), {}));

  post('/runs/create', async (fields, actAs) => {
    const experimentId = optionalString(fields, 'experiment_id') ?? '0';
    const tags = keyValues(fields, 'tags');
    const name = optionalString(fields, 'run_name') ?? tags[RUN_NAME_TAG];
    const parent = tags[PARENT_RUN_TAG];
    for (const key of [RUN_NAME_TAG, PARENT_RUN_TAG]) delete tags[key];
    validateTags(tags);
    if (name !== undefined) validateRunName(name);
    if (parent !== undefined) validateRunId(parent, `tags.${PARENT_RUN_TAG}`);
    const context = actAs(optionalString(fields, 'user_id'));
    // MLflow clients start runs in experiment "0", "Default", without creating it: it always exists.
    if (!/^\d{1,15}$/.test(experimentId)) throw new MlcycleError('not_found', `No Experiment with id=${experimentId} exists`);
    const info = await workspace.runs.createRun(
      {
        experimentId,
        name: name ?? 'run',
        startTime: optionalInteger(fields, 'start_time') ?? context.now().getTime(),
        tags,
        ...(parent === undefined ? {} : { parentRunId: parent }),
        ...(tags['mlflow.source.git.commit'] === undefined ? {} : { gitCommit: tags['mlflow.source.git.commit'] }),
      },
      context,
    );
    return { run: runJson((await workspace.runs.findRun(info.id))!) };
  });
  /** Runs in MLflow's shape with MLflow 3's model inputs (`inputs.model_inputs`) and outputs, read for all the runs at once. */
  const withModelLinks = async (runs: readonly Run[]) => {
    const ids = runs.map((run) => run.id);
    const [inputs, outputs] = [await workspace.loggedModels.inputsOfRuns(ids), await workspace.loggedModels.outputsOfRuns(ids)];
    return runs.map((run) => {
      const json = runJson(run);
      const modelInputs = (inputs.get(run.id) ?? []).map((modelId) => ({ model_id: modelId }));
      return { ...json, inputs: { ...json.inputs, model_inputs: modelInputs }, outputs: outputsJson(outputs.get(run.id) ?? []) };
    });
  };
  get('/runs/get', async (fields) => {
    const id = runIdOf(fields);
    const run = await workspace.runs.findRun(id);
    if (run === undefined) throw new MlcycleError('not_found', `Run '${id}' not found`);
    // MLflow 3's RunOutputs (register_model("runs:/...") reads them) and the model inputs beside the datasets.
    return { run: (await withModelLinks([run]))[0] };
  });
  post('/runs/update', async (fields, actAs) => {
    const id = runIdOf(fields);
    const status = optionalString(fields, 'status');
    if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) throw new MlcycleError('invalid_input', `status: "${status}" is not one of ${RUN_STATUSES.join(', ')}`);
    const name = optionalString(fields, 'run_name');
    if (name !== undefined && name !== '') validateRunName(name);
    const run = await workspace.runs.findRun(id);
    if (run === undefined) throw new MlcycleError('not_found', `Run '${id}' not found`);
    // As MLflow's update_run_info: a terminal status ends the run (again, if it had ended: end_run twice,
    // KILLED after FINISHED); RUNNING reopens it, as start_run(run_id=...) does on resuming.
    const context = actAs();
    const endTime = optionalInteger(fields, 'end_time');
    const ends = status !== undefined && status !== 'RUNNING' && status !== 'SCHEDULED';
    const info = await workspace.runs.updateRunInfo(
      id,
      {
        ...(status === undefined ? {} : { status: status as RunStatus, endTime: ends ? (endTime ?? context.now().getTime()) : null }),
        ...(name === undefined || name === '' ? {} : { name }),
      },
      context,
    );
    return { run_info: runInfoJson(info) };
  });
  post('/runs/delete', async (fields, actAs) => (await workspace.runs.setRunLifecycle(runIdOf(fields), 'deleted', actAs()), {}));
  post('/runs/restore', async (fields, actAs) => (await workspace.runs.setRunLifecycle(runIdOf(fields), 'active', actAs()), {}));

  post('/runs/log-metric', async (fields, actAs) => {
    const id = runIdOf(fields);
    const context = actAs();
    const series = readMetricEntries([fields], context.now().getTime());
    // MLflow 3's log_metric(..., model_id=...): the point is the run's and the logged model's.
    const modelMetrics = modelMetricsOf({ metrics: [fields] }, id, context.now().getTime());
    for (const modelId of modelMetrics.keys()) {
      const model = await workspace.loggedModels.find(modelId);
      if (model === undefined || model.lifecycleStage === 'deleted') throw new MlcycleError('not_found', `model_id: no logged model ${modelId}; nothing stored`);
    }
    await workspace.metrics.appendMetrics(id, series, context);
    for (const [modelId, metrics] of modelMetrics) await workspace.loggedModels.logMetrics(modelId, metrics, context);
    return {};
  });
  post('/runs/log-parameter', async (fields, actAs) => {
    const id = runIdOf(fields);
    const params = { [requiredString(fields, 'key')]: optionalString(fields, 'value') ?? '' };
    validateParams(params);
    await workspace.runs.logParams(id, params, actAs());
    return {};
  });
  post('/runs/set-tag', async (fields, actAs) => {
    const id = runIdOf(fields);
    const key = requiredString(fields, 'key');
    const value = optionalString(fields, 'value') ?? '';
    // mlflow.runName is the run's name in MLflow: setting it renames the run (MLflow's set_tag does the same).
    if (key === RUN_NAME_TAG) {
      validateRunName(value);
      await workspace.runs.updateRunInfo(id, { name: value }, actAs());
      return {};
    }
    const tags = { [key]: value };
    validateTags(tags);
    await workspace.runs.setTags(id, tags, actAs());
    return {};
  });
  post('/runs/delete-tag', async (fields, actAs) => {
    await workspace.runs.deleteTag(runIdOf(fields), requiredString(fields, 'key'), actAs());
    return {};
  });
  post('/runs/log-batch', async (fields, actAs) => {
    const id = runIdOf(fields);
    const context = actAs();
    // Every entry is checked before anything is written; the store writes all of it in one transaction.
    readLogBatch(fields, context.now().getTime());
    // MLflow 3's metrics may name a logged model (model_id): they are kept on the model too. MLflow 3's
    // log_model copies the run's points at its step onto the model through log-batch; as MLflow's store, a
    // point the run already holds (same key, step, timestamp and value) is not added to the run twice.
    const modelMetrics = modelMetricsOf(fields, id, context.now().getTime());
    for (const modelId of modelMetrics.keys()) {
      const model = await workspace.loggedModels.find(modelId);
      if (model === undefined || model.lifecycleStage === 'deleted') throw new MlcycleError('not_found', `metrics: no logged model ${modelId}; nothing stored`);
    }
    const runFields = modelMetrics.size === 0 ? fields : { ...fields, metrics: await withoutRepeatedModelPoints(id, optionalList(fields, 'metrics')) };
    const batch = readLogBatch(runFields, context.now().getTime());
    // set_tags({"mlflow.runName": ...}) renames the run, as MLflow's store does: checked first, renamed once the batch landed.
    const { [RUN_NAME_TAG]: name, ...tags } = batch.tags ?? {};
    if (name !== undefined) validateRunName(name);
    await workspace.runs.logBatch(id, { ...batch, tags }, context);
    if (name !== undefined) await workspace.runs.updateRunInfo(id, { name }, context);
    for (const [modelId, metrics] of modelMetrics) await workspace.loggedModels.logMetrics(modelId, metrics, context);
    return {};
  });
  /** The metric entries minus those naming a logged model whose point the run already holds. */
  async function withoutRepeatedModelPoints(runId: string, entries: readonly Fields[]): Promise<Fields[]> {
    const histories = new Map<string, Set<string>>();
    const kept: Fields[] = [];
    for (const entry of entries) {
      if (typeof entry.model_id !== 'string' || entry.model_id === '' || typeof entry.key !== 'string') {
        kept.push(entry);
        continue;
      }
      let points = histories.get(entry.key);
      if (points === undefined) {
        const series = await workspace.metrics.metricHistory(runId, entry.key);
        points = new Set(Array.from(series.values, (value, index) => `${series.steps[index]}|${series.timestamps[index]}|${value}`));
        histories.set(entry.key, points);
      }
      const point = `${optionalInteger(entry, 'step') ?? 0}|${optionalInteger(entry, 'timestamp')}|${Number(entry.value)}`;
      if (!points.has(point)) {
        points.add(point);
        kept.push(entry);
      }
    }
    return kept;
  }
  post('/runs/log-model', async (fields, actAs) => {
    // MLflow 2.x's log_model records the model's MLmodel as JSON in the run tag mlflow.log-model.history
    // (a JSON list, one entry per log_model; SqlAlchemyStore.record_logged_model, MLflow 2.22).
    const id = runIdOf(fields);
    const modelJson = requiredString(fields, 'model_json');
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      model = undefined;
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new MlcycleError('invalid_input', 'model_json: expected the model as a JSON object');
    const run = await workspace.runs.findRun(id);
    if (run === undefined) throw new MlcycleError('not_found', `Run '${id}' not found`);
    const history: unknown[] = JSON.parse(run.tags[LOGGED_MODEL_HISTORY_TAG] ?? '[]') as unknown[];
    const tags = { [LOGGED_MODEL_HISTORY_TAG]: JSON.stringify([...history, model]) };
    validateTags(tags);
    await workspace.runs.setTags(id, tags, actAs());
    return {};
  });
  post('/runs/log-inputs', async (fields, actAs) => {
    const id = runIdOf(fields);
    // MLflow 3's LogInputs.models: logged models the run took in ({model_id} each).
    const models = optionalList(fields, 'models').map((item, index) => modelIdOf(requiredString(item, 'model_id'), `models[${index}].model_id`));
    const inputs: RunInput[] = optionalList(fields, 'datasets').map((item, index) => {
      const dataset = item.dataset;
      if (typeof dataset !== 'object' || dataset === null) throw new MlcycleError('invalid_input', `datasets[${index}].dataset: missing`);
      const described = dataset as Fields;
      const context = keyValues(item, 'tags')[DATASET_CONTEXT_TAG] ?? '';
      const name = requiredString(described, 'name');
      const digest = requiredString(described, 'digest');
      if (name.length > TRACKING_LIMITS.datasetNameLength || digest.length > TRACKING_LIMITS.datasetDigestLength) throw new MlcycleError('invalid_input', `datasets[${index}]: name or digest too long`);
      const source = optionalString(described, 'source');
      return { dataset: name, digest, context, ...(source === undefined ? {} : { source }), ...datasetDescription(described, index) };
    });
    if (models.length > 0) {
      const run = await workspace.runs.findRun(id);
      if (run === undefined) throw new MlcycleError('not_found', `Run with id=${id} not found`);
      if (run.lifecycleStage === 'deleted') throw new MlcycleError('invalid_input', `The run ${id} must be in the 'active' state. Current state is deleted.`);
      // Every model is checked before any dataset is logged, so a refused request logs nothing.
      for (const [index, modelId] of models.entries()) {
        const model = await workspace.loggedModels.find(modelId);
        if (model === undefined || model.lifecycleStage === 'deleted') throw new MlcycleError('not_found', `models[${index}].model_id: no logged model ${modelId}; nothing logged`);
      }
    }
    if (inputs.length > 0 || models.length === 0) await workspace.runs.logInputs(id, inputs, actAs());
    await workspace.loggedModels.logInputs(id, models, actAs());
    return {};
  });
  const searchRuns = async (fields: Fields, _actAs: ActAs) => {
    const viewType = optionalString(fields, 'run_view_type') ?? 'ACTIVE_ONLY';
    if (!Object.hasOwn(VIEW_TYPES, viewType)) throw new MlcycleError('invalid_input', `run_view_type: "${viewType}" is not ACTIVE_ONLY, DELETED_ONLY or ALL`);
    const filterText = optionalString(fields, 'filter');
    const parsed = filterText === undefined ? undefined : parseFilter(filterText);
    const filter = parsed === undefined ? undefined : withRunTagAttributes(parsed);
    const pageToken = optionalString(fields, 'page_token');
    const page = await workspace.runs.searchRuns({
      experimentIds: optionalStrings(fields, 'experiment_ids'),
      ...(filter === undefined ? {} : { filter }),
      orderBy: orderWithRunTagAttributes(parseOrderBy(optionalStrings(fields, 'order_by'))),
      maxResults: optionalInteger(fields, 'max_results') ?? 1000,
      ...(pageToken === undefined || pageToken === '' ? {} : { pageToken }),
      lifecycle: VIEW_TYPES[viewType as keyof typeof VIEW_TYPES],
    });
    // Each run with its model inputs and outputs, as runs/get answers it, read for the whole page at once.
    return { runs: await withModelLinks(page.runs), ...(page.nextPageToken === undefined ? {} : { next_page_token: page.nextPageToken }) };
  };
  post('/runs/search', searchRuns);
  get('/metrics/get-history', async (fields) => {
    const id = runIdOf(fields);
    const key = requiredString(fields, 'metric_key');
    // Every point is returned in one page; a page size, when given, must still be a valid one.
    optionalPositiveInteger(fields, 'max_results');
    const series = await workspace.metrics.metricHistory(id, key);
    const metrics = Array.from(series.values, (value, index) => ({ key, value: jsonNumber(value), timestamp: series.timestamps[index], step: series.steps[index] }));
    // MLflow's GetMetricHistory answers the whole history unless max_results asks for pages (handlers.py, MLflow 2.22).
    const { page, nextPageToken } = pageOf(metrics, fields, { id, key }, { maxResults: Math.max(1, metrics.length), limit: Number.MAX_SAFE_INTEGER });
    return { metrics: page, ...nextPageField(nextPageToken) };
  });
  get('/artifacts/list', async (fields) => {
    const id = runIdOf(fields);
    const folder = requireArtifactFolder(optionalString(fields, 'path'), 'path');
    const run = await workspace.runs.findRun(id);
    if (run === undefined) throw new MlcycleError('not_found', `Run '${id}' not found`);
    const entries = await workspace.runs.listArtifacts(id, folder);
    return {
      root_uri: runInfoJson(run).artifact_uri,
      files: entries.map((entry) => ({ path: entry.path, is_dir: entry.isDir, ...(entry.size === undefined ? {} : { file_size: entry.size }) })),
    };
  });
}
