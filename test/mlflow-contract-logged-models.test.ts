/**
 * Contract: MLflow 3's logged models, request by request, over real HTTP. Replayed from MLflow 3.1's client:
 * mlflow/models/model.py `Model.log` (create the logged model, runs/outputs, copy the run's metrics at the
 * step onto the model through log-batch, upload the files to the model's artifact_uri, finalize),
 * mlflow/tracking/_model_registry/fluent.py `_register_model` (`models:/<model id>` with model_id, then the
 * `mlflow.modelVersions` tag; `runs:/<run>/<name>` found through run outputs and search_logged_models),
 * mlflow/store/tracking/rest_store.py (the logged-model endpoints and their bodies). Issue 25's problem 2.
 */
import { describe, expect, it } from 'vitest';
import { mlflowClient } from './support/mlflow-client.js';

type Client = Awaited<ReturnType<typeof mlflowClient>>;
const START = 1_767_225_600_000;

/** The files mlflow.sklearn.log_model (3.1) writes into the model's folder. */
const MODEL_FILES: Record<string, string> = {
  MLmodel: 'artifact_path: mlflow-artifacts:/0/models/x/artifacts\nflavors:\n  sklearn:\n    pickled_model: model.pkl\nmodel_id: x\n',
  'conda.yaml': 'channels: [conda-forge]\ndependencies: [python=3.11]\n',
  'python_env.yaml': 'python: 3.11\n',
  'requirements.txt': 'mlflow==3.1.0\nscikit-learn==1.5.0\n',
  'model.pkl': 'pickle-bytes',
  'input_example.json': '{"columns": ["x"], "data": [[1.0]]}',
};

async function startRun(client: Client, experimentId = '0') {
  const created = await client.tracking('POST', '/runs/create', { experiment_id: experimentId, user_id: 'ana', start_time: START, tags: [{ key: 'mlflow.source.name', value: 'train.py' }], run_name: 'fit' });
  expect(created.status).toBe(200);
  return created.body.run.info as { run_id: string; artifact_uri: string; experiment_id: string };
}

/** mlflow.sklearn.log_model(model, name=name) inside a run, as Model.log of MLflow 3.1 sends it. */
async function logModel3x(client: Client, run: { run_id: string; experiment_id: string }, name = 'model', step = 0) {
  // _create_logged_model: the run's params are copied onto the model.
  const params = (await client.tracking('GET', '/runs/get', { run_uuid: run.run_id, run_id: run.run_id })).body.run.data.params;
  const created = await client.tracking('POST', '/logged-models', { experiment_id: run.experiment_id, name, source_run_id: run.run_id, params, tags: [{ key: 'mlflow.source.name', value: 'train.py' }] });
  expect(created.status).toBe(200);
  const model = created.body.model;
  expect(model.info).toMatchObject({ name, source_run_id: run.run_id, experiment_id: run.experiment_id, status: 'LOGGED_MODEL_PENDING' });
  const id = model.info.model_id as string;
  // client.log_outputs(run_id, [LoggedModelOutput(model_id, step)]).
  expect(await client.tracking('POST', '/runs/outputs', { run_id: run.run_id, models: [{ model_id: id, step }] })).toMatchObject({ status: 200, body: {} });
  // log_model_metrics_for_step: get_run, each metric's history, then log_batch of the points at that step with model_id.
  const metrics = (await client.tracking('GET', '/runs/get', { run_uuid: run.run_id, run_id: run.run_id })).body.run.data.metrics as { key: string }[];
  const points = [];
  for (const { key } of metrics) {
    const history = (await client.tracking('GET', '/metrics/get-history', { run_uuid: run.run_id, run_id: run.run_id, metric_key: key })).body.metrics as { key: string; value: number; timestamp: number; step: number }[];
    points.push(...history.filter((point) => point.step === step).map((point) => ({ ...point, model_id: id, run_id: run.run_id })));
  }
  expect(await client.tracking('POST', '/runs/log-batch', { run_id: run.run_id, metrics: points, params: [], tags: [] })).toMatchObject({ status: 200 });
  // client.log_model_artifacts(model_id, local_path): get the model, upload every file to its artifact_uri.
  const fetched = await client.tracking('GET', `/logged-models/${id}`, { model_id: id });
  expect(fetched.body.model.info.artifact_uri).toBe(model.info.artifact_uri);
  for (const [file, content] of Object.entries(MODEL_FILES)) expect((await client.putArtifact(fetched.body.model.info.artifact_uri, file, content)).status).toBe(200);
  // _use_logged_model's exit: finalize_logged_model(model_id, READY).
  const finalized = await client.tracking('PATCH', `/logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
  expect(finalized).toMatchObject({ status: 200, body: { model: { info: { model_id: id, status: 'LOGGED_MODEL_READY' } } } });
  return finalized.body.model as { info: { model_id: string; artifact_uri: string }; data: { params: unknown[]; metrics: unknown[] } };
}

/** _register_model("models:/<id>", name) of MLflow 3.1. */
async function registerLoggedModel(client: Client, modelId: string, name: string, source = `models:/${modelId}`) {
  const created = await client.tracking('POST', '/registered-models/create', { name });
  expect([200, 400]).toContain(created.status);
  const version = await client.tracking('POST', '/model-versions/create', { name, source, model_id: modelId, tags: [] });
  expect(version.status).toBe(200);
  expect((await client.tracking('GET', '/model-versions/get', { name, version: version.body.model_version.version })).body.model_version.status).toBe('READY');
  // The model's mlflow.modelVersions tag lists its registrations.
  const model = (await client.tracking('GET', `/logged-models/${modelId}`, { model_id: modelId })).body.model;
  const existing = (model.info.tags as { key: string; value: string }[]).find((tag) => tag.key === 'mlflow.modelVersions');
  const value = [...(existing === undefined ? [] : JSON.parse(existing.value)), { name, version: version.body.model_version.version }];
  expect(await client.tracking('PATCH', `/logged-models/${modelId}/tags`, { model_id: modelId, tags: [{ key: 'mlflow.modelVersions', value: JSON.stringify(value) }] })).toMatchObject({ status: 200, body: {} });
  return version.body.model_version;
}

describe('MLflow 3.1 client: logged models (problem 2)', () => {
  it('logs a model the 3.x way, registers it and loads it by alias, by version and by model id', async () => {
    const client = await mlflowClient('v3');
    const run = await startRun(client);
    await client.tracking('POST', '/runs/log-parameter', { run_uuid: run.run_id, run_id: run.run_id, key: 'C', value: '0.5' });
    await client.tracking('POST', '/runs/log-metric', { run_uuid: run.run_id, run_id: run.run_id, key: 'auc', value: 0.91, timestamp: START + 10, step: 0 });
    const model = await logModel3x(client, run);
    const id = model.info.model_id;
    expect(id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.info.artifact_uri).toBe(`${run.artifact_uri}/models/${id}`);
    expect(model.data.params).toEqual([{ key: 'C', value: '0.5' }]);
    expect(model.data.metrics).toEqual([{ key: 'auc', value: 0.91, timestamp: START + 10, step: 0, model_id: id, run_id: run.run_id }]);
    // The run's own history keeps one point: the copy log_model sends is the point the run holds.
    expect((await client.tracking('GET', '/metrics/get-history', { run_id: run.run_id, metric_key: 'auc' })).body.metrics).toEqual([{ key: 'auc', value: 0.91, timestamp: START + 10, step: 0 }]);
    expect((await client.tracking('GET', '/runs/get', { run_id: run.run_id })).body.run.outputs).toEqual({ model_outputs: [{ model_id: id, step: 0 }] });

    const version = await registerLoggedModel(client, id, 'churn');
    expect(version).toMatchObject({ name: 'churn', version: '1', source: `models:/${id}`, model_id: id, run_id: run.run_id, status: 'READY' });
    expect(await client.workspace.registry.versionsOfRun(run.run_id)).toMatchObject([{ model: 'churn', version: 1, source: `models/${id}` }]);
    const tagged = (await client.tracking('GET', `/logged-models/${id}`, {})).body.model.info.tags;
    expect(tagged).toContainEqual({ key: 'mlflow.modelVersions', value: JSON.stringify([{ name: 'churn', version: '1' }]) });

    // models:/churn@champion and models:/churn/1: the download URI is the model's folder, whose files come back whole.
    await client.tracking('POST', '/registered-models/alias', { name: 'churn', alias: 'champion', version: '1' });
    const byAlias = await client.tracking('GET', '/registered-models/alias', { name: 'churn', alias: 'champion' });
    const uri = await client.tracking('GET', '/model-versions/get-download-uri', { name: 'churn', version: byAlias.body.model_version.version });
    expect(uri.body).toEqual({ artifact_uri: model.info.artifact_uri });
    expect(await client.downloadTree(uri.body.artifact_uri)).toEqual(MODEL_FILES);
    // models:/<model id>: get_logged_model, then its artifact_uri.
    const byId = await client.tracking('GET', `/logged-models/${id}`, {});
    expect(await client.downloadTree(byId.body.model.info.artifact_uri)).toEqual(MODEL_FILES);
    const audit = (await client.workspace.audit.list({ actionPrefix: 'logged_model.' })).map((entry) => entry.action);
    expect(audit.reverse()).toEqual(['logged_model.created', 'logged_model.metrics_logged', 'logged_model.finalized', 'logged_model.tags_set']);
  });

  it('answers search_runs with each run\'s outputs, as get_run does, on every page', async () => {
    const client = await mlflowClient('v3');
    const quiet = await startRun(client);
    const busy = await startRun(client);
    const first = (await logModel3x(client, busy, 'model', 0)).info.model_id;
    const second = (await logModel3x(client, busy, 'calibrated', 2)).info.model_id;
    // mlflow.search_runs(experiment_ids=["0"]) of MLflow 3.1: runs/search, newest first, a page at a time.
    const all = await client.tracking('POST', '/runs/search', { experiment_ids: ['0'], run_view_type: 'ACTIVE_ONLY', max_results: 1000, order_by: [] });
    expect(all.status).toBe(200);
    const outputsById = Object.fromEntries((all.body.runs as { info: { run_id: string }; outputs: unknown }[]).map((run) => [run.info.run_id, run.outputs]));
    expect(outputsById).toEqual({ [busy.run_id]: { model_outputs: [{ model_id: first, step: 0 }, { model_id: second, step: 2 }] }, [quiet.run_id]: { model_outputs: [] } });
    for (const run of [quiet, busy]) expect((await client.tracking('GET', '/runs/get', { run_id: run.run_id })).body.run.outputs).toEqual(outputsById[run.run_id]);
    const firstPage = await client.tracking('POST', '/runs/search', { experiment_ids: ['0'], max_results: 1, order_by: ['attributes.start_time DESC'] });
    const secondPage = await client.tracking('POST', '/runs/search', { experiment_ids: ['0'], max_results: 1, order_by: ['attributes.start_time DESC'], page_token: firstPage.body.next_page_token });
    expect([firstPage.status, secondPage.status, firstPage.body.runs.length, secondPage.body.runs.length]).toEqual([200, 200, 1, 1]);
    const paged = [...firstPage.body.runs, ...secondPage.body.runs] as { info: { run_id: string }; outputs: unknown }[];
    expect(Object.fromEntries(paged.map((run) => [run.info.run_id, run.outputs]))).toEqual(outputsById);
  });

  it('logs models as run inputs (MLflow 3\'s log_inputs with models) and answers them in get_run and search_runs', async () => {
    const client = await mlflowClient('v3');
    const trainer = await startRun(client);
    const model = (await logModel3x(client, trainer)).info.model_id;
    const scorer = await startRun(client);
    // MlflowClient.log_inputs(run_id, datasets=[DatasetInput], models=[LoggedModelInput(model_id)]) of MLflow 3.1.
    const dataset = { dataset: { name: 'bank', digest: 'a1b2c3', source_type: 'local', source: '{"uri": "/data/bank.csv"}' }, tags: [{ key: 'mlflow.data.context', value: 'eval' }] };
    const unknown = `m-${'e'.repeat(32)}`;
    expect(await client.tracking('POST', '/runs/log-inputs', { run_id: scorer.run_id, datasets: [dataset], models: [{ model_id: model }, { model_id: unknown }] })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.stringContaining('models[1].model_id') },
    });
    // Refused whole: the dataset of that request was not logged either.
    expect((await client.tracking('GET', '/runs/get', { run_id: scorer.run_id })).body.run.inputs).toEqual({ dataset_inputs: [], model_inputs: [] });
    expect(await client.tracking('POST', '/runs/log-inputs', { run_id: scorer.run_id, datasets: [dataset], models: [{ model_id: model }] })).toMatchObject({ status: 200, body: {} });
    // Only models, sent again (loading the same model twice in a run): kept once.
    expect(await client.tracking('POST', '/runs/log-inputs', { run_id: scorer.run_id, models: [{ model_id: model }] })).toMatchObject({ status: 200, body: {} });
    const inputs = (await client.tracking('GET', '/runs/get', { run_id: scorer.run_id })).body.run.inputs;
    expect(inputs.model_inputs).toEqual([{ model_id: model }]);
    expect(inputs.dataset_inputs).toMatchObject([{ dataset: { name: 'bank', digest: 'a1b2c3' } }]);
    const found = (await client.tracking('POST', '/runs/search', { experiment_ids: ['0'], filter: `attributes.run_id = '${scorer.run_id}'` })).body.runs;
    expect(found.map((run: { inputs: unknown }) => run.inputs)).toEqual([inputs]);
    expect(await client.tracking('POST', '/runs/log-inputs', { run_id: scorer.run_id, models: [{ model_id: 'not-a-model' }] })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('registers runs:/RUN/NAME through the run outputs and search_logged_models when the run has no such folder', async () => {
    const client = await mlflowClient('v3');
    const run = await startRun(client);
    const first = await logModel3x(client, run, 'model', 0);
    const second = await logModel3x(client, run, 'model', 5);
    await logModel3x(client, run, 'other', 6);
    // _register_model("runs:/RUN/model"): the run has nothing at "model"...
    expect((await client.listArtifacts(run.artifact_uri, 'model')).body).toEqual({ files: [] });
    // ...so get_run for the outputs, and search_logged_models page by page for models of that run and name.
    const outputs = (await client.tracking('GET', '/runs/get', { run_id: run.run_id })).body.run.outputs.model_outputs as { model_id: string; step: number }[];
    const found: { info: { model_id: string; name: string; source_run_id: string } }[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.tracking('POST', '/logged-models/search', { experiment_ids: [run.experiment_id], max_results: 2, ...(pageToken === undefined ? {} : { page_token: pageToken }) });
      expect(page.status).toBe(200);
      found.push(...page.body.models);
      pageToken = page.body.next_page_token;
      pages++;
    } while (pageToken !== undefined);
    expect(pages).toBe(2);
    expect(found.map((model) => model.info.name)).toEqual(['other', 'model', 'model']);
    // A token is bound to its query: another page size, or a forged token, is refused.
    const firstPage = await client.tracking('POST', '/logged-models/search', { experiment_ids: [run.experiment_id], max_results: 2 });
    expect(await client.tracking('POST', '/logged-models/search', { experiment_ids: [run.experiment_id], max_results: 2, filter: "name = 'model'", page_token: firstPage.body.next_page_token })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await client.tracking('POST', '/logged-models/search', { experiment_ids: [run.experiment_id], page_token: 'forged' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const candidates = found.filter((model) => model.info.source_run_id === run.run_id && model.info.name === 'model');
    const stepOf = Object.fromEntries(outputs.map((output) => [output.model_id, output.step]));
    const chosen = candidates.sort((a, b) => (stepOf[b.info.model_id] as number) - (stepOf[a.info.model_id] as number))[0]?.info.model_id as string;
    expect(chosen).toBe(second.info.model_id);
    expect(chosen).not.toBe(first.info.model_id);
    const version = await registerLoggedModel(client, chosen, 'churn');
    expect(version).toMatchObject({ source: `models:/${chosen}`, model_id: chosen, run_id: run.run_id });
    // The source and model_id must agree, and the model must exist.
    expect(await client.tracking('POST', '/model-versions/create', { name: 'churn', source: `models:/${first.info.model_id}`, model_id: chosen })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: `source: names logged model ${first.info.model_id}, but model_id is ${chosen}` },
    });
    const missing = `m-${'0'.repeat(32)}`;
    expect(await client.tracking('POST', '/model-versions/create', { name: 'churn', source: `models:/${missing}`, model_id: missing })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('logs a model outside any run into a run the server makes for it, and registers and loads it', async () => {
    const client = await mlflowClient('v3');
    // mlflow.pyfunc.log_model(name="agent", ...) with no active run: no source_run_id, no runs/outputs.
    const created = await client.tracking('POST', '/logged-models', { experiment_id: '0', name: 'agent', model_type: 'agent', params: [], tags: [] });
    expect(created.status).toBe(200);
    const { model_id: id, source_run_id: runId, artifact_uri: artifactUri } = created.body.model.info;
    const run = (await client.tracking('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.info).toMatchObject({ run_name: 'agent', status: 'FINISHED', experiment_id: '0', lifecycle_stage: 'active' });
    expect(run.data.tags).toContainEqual({ key: 'mlcycle.loggedModelRun', value: 'true' });
    expect(run.outputs).toEqual({ model_outputs: [{ model_id: id, step: 0 }] });
    expect(artifactUri).toBe(`mlflow-artifacts:/0/${runId}/artifacts/models/${id}`);
    for (const [file, content] of Object.entries(MODEL_FILES)) expect((await client.putArtifact(artifactUri, file, content)).status).toBe(200);
    expect((await client.tracking('PATCH', `/logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' })).body.model.info.status).toBe('LOGGED_MODEL_READY');
    const version = await registerLoggedModel(client, id, 'agent');
    expect(version).toMatchObject({ source: `models:/${id}`, model_id: id, run_id: runId });
    const uri = await client.tracking('GET', '/model-versions/get-download-uri', { name: 'agent', version: '1' });
    expect(await client.downloadTree(uri.body.artifact_uri)).toEqual(MODEL_FILES);
    // A deleted experiment takes no model (its run cannot be made), and nothing is left behind.
    const gone = (await client.tracking('POST', '/experiments/create', { name: 'gone' })).body.experiment_id;
    await client.tracking('POST', '/experiments/delete', { experiment_id: gone });
    const refused = await client.tracking('POST', '/logged-models', { experiment_id: gone, name: 'x' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect((await client.tracking('POST', '/runs/search', { experiment_ids: [gone], run_view_type: 'ALL' })).body.runs ?? []).toEqual([]);
    expect(await client.workspace.loggedModels.list([gone])).toEqual([]);
  });

  it('searches with MLflow\'s filter and order_by, and refuses what it cannot read, naming the column', async () => {
    const client = await mlflowClient('v3');
    const run = await startRun(client);
    const other = await client.tracking('POST', '/experiments/create', { name: 'other' });
    const otherRun = await startRun(client, other.body.experiment_id);
    const ids: string[] = [];
    for (const [name, auc, lr] of [['a', 0.7, '0.1'], ['b', 0.9, '0.01'], ['c', 0.8, '0.1']] as const) {
      const created = await client.tracking('POST', '/logged-models', { experiment_id: '0', name, source_run_id: run.run_id, model_type: 'classifier', params: [{ key: 'lr', value: lr }], tags: [{ key: 'team', value: name === 'b' ? 'risk' : 'growth' }] });
      ids.push(created.body.model.info.model_id);
      await client.tracking('POST', '/runs/log-batch', { run_id: run.run_id, metrics: [{ key: 'auc', value: auc, timestamp: START + ids.length, step: 0, model_id: created.body.model.info.model_id, dataset_name: 'valid', dataset_digest: 'd1' }] });
    }
    await client.tracking('POST', '/logged-models', { experiment_id: other.body.experiment_id, name: 'elsewhere', source_run_id: otherRun.run_id });
    const names = async (body: Record<string, unknown>) => {
      const answer = await client.tracking('POST', '/logged-models/search', { experiment_ids: ['0'], ...body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return (answer.body.models as { info: { name: string } }[]).map((model) => model.info.name);
    };
    // Newest first by default, as MLflow.
    expect(await names({})).toEqual(['c', 'b', 'a']);
    expect(await names({ filter: "params.lr = '0.1' AND tags.team != 'risk'" })).toEqual(['c', 'a']);
    expect(await names({ filter: 'metrics.auc >= 0.8', order_by: [{ field_name: 'metrics.auc', ascending: false }] })).toEqual(['b', 'c']);
    expect(await names({ filter: 'metrics.auc > 0.5', datasets: [{ dataset_name: 'test' }] })).toEqual([]);
    expect(await names({ filter: 'metrics.auc > 0.5', datasets: [{ dataset_name: 'valid', dataset_digest: 'd1' }], order_by: [{ field_name: 'name' }] })).toEqual(['a', 'b', 'c']);
    expect(await names({ filter: "name IN ('a', 'c') AND model_type LIKE 'class%'", order_by: [{ field_name: 'creation_time', ascending: true }] })).toEqual(['a', 'c']);
    expect(await names({ filter: `model_id = '${ids[1]}'` })).toEqual(['b']);
    expect(await names({ filter: "status = 'LOGGED_MODEL_PENDING'", max_results: 1 })).toEqual(['c']);
    const refused = (body: Record<string, unknown>) => client.tracking('POST', '/logged-models/search', { experiment_ids: ['0'], ...body });
    expect(await refused({ filter: "name = 'a' OR name = 'b'" })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'filter: column 12 at "OR": logged-model search joins comparisons with AND only (as MLflow)' } });
    expect(await refused({ filter: 'metrics.auc > high' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('filter: column 15') } });
    expect(await refused({ filter: "colour = 'red'" })).toMatchObject({ status: 400, body: { message: expect.stringContaining('unknown attribute "colour"') } });
    expect(await refused({ order_by: [{ field_name: 'name', dataset_name: 'valid' }] })).toMatchObject({ status: 400, body: { message: 'order_by[0].dataset_name: only a metric ordering takes a dataset' } });
    expect(await refused({ max_results: 1001 })).toMatchObject({ status: 400, body: { message: expect.stringContaining('max_results') } });
    expect(await client.tracking('POST', '/logged-models/search', {})).toMatchObject({ status: 400, body: { message: expect.stringContaining('experiment_ids') } });
  });

  it('keeps params, tags, status and deletion as MLflow, with MLflow\'s errors', async () => {
    const client = await mlflowClient('v3');
    const run = await startRun(client);
    const created = await client.tracking('POST', '/logged-models', { experiment_id: '0', name: 'm', source_run_id: run.run_id, params: [{ key: 'lr', value: '0.1' }] });
    const id = created.body.model.info.model_id as string;
    // mlflow.log_metric(key, value, model_id=...) of 3.1: log-metric with model_id and the dataset, kept on the run and on the model.
    expect(await client.tracking('POST', '/runs/log-metric', { run_uuid: run.run_id, run_id: run.run_id, key: 'rmse', value: 1.5, timestamp: START + 1, step: 2, model_id: id, dataset_name: 'test', dataset_digest: 'd9' })).toMatchObject({ status: 200 });
    expect((await client.tracking('GET', '/metrics/get-history', { run_id: run.run_id, metric_key: 'rmse' })).body.metrics).toEqual([{ key: 'rmse', value: 1.5, timestamp: START + 1, step: 2 }]);
    expect((await client.tracking('GET', `/logged-models/${id}`, {})).body.model.data.metrics).toEqual([{ key: 'rmse', value: 1.5, timestamp: START + 1, step: 2, model_id: id, run_id: run.run_id, dataset_name: 'test', dataset_digest: 'd9' }]);
    expect(await client.tracking('POST', '/runs/log-metric', { run_id: run.run_id, key: 'rmse', value: 1, timestamp: START, step: 3, model_id: `m-${'b'.repeat(32)}` })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await client.tracking('GET', '/metrics/get-history', { run_id: run.run_id, metric_key: 'rmse' })).body.metrics).toHaveLength(1);
    // log_model_params, set/delete tags.
    expect(await client.tracking('POST', `/logged-models/${id}/params`, { model_id: id, params: [{ key: 'depth', value: '4' }] })).toMatchObject({ status: 200, body: {} });
    expect(await client.tracking('POST', `/logged-models/${id}/params`, { model_id: id, params: [{ key: 'lr', value: '0.2' }] })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('"lr" is already "0.1"') },
    });
    await client.tracking('PATCH', `/logged-models/${id}/tags`, { model_id: id, tags: [{ key: 'team', value: 'risk' }, { key: 'stage', value: 'dev' }] });
    expect(await client.tracking('DELETE', `/logged-models/${id}/tags/stage`, { model_id: id, tag_key: 'stage' })).toMatchObject({ status: 200, body: {} });
    expect(await client.tracking('DELETE', `/logged-models/${id}/tags/stage`, { model_id: id, tag_key: 'stage' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const got = (await client.tracking('GET', `/logged-models/${id}`, {})).body.model;
    expect(got.info.tags).toEqual([{ key: 'team', value: 'risk' }]);
    expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }, { key: 'depth', value: '4' }]);
    // Finalize takes MLflow's status names (and the enum's numbers); anything else is refused.
    expect((await client.tracking('PATCH', `/logged-models/${id}`, { model_id: id, status: 3 })).body.model.info.status).toBe('LOGGED_MODEL_UPLOAD_FAILED');
    expect(await client.tracking('PATCH', `/logged-models/${id}`, { model_id: id, status: 'DONE' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('status: "DONE" is not one of') } });
    // Delete: gone from get and search, kept in the audit log.
    expect(await client.tracking('DELETE', `/logged-models/${id}`, { model_id: id })).toMatchObject({ status: 200, body: {} });
    expect(await client.tracking('GET', `/logged-models/${id}`, {})).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Logged model with ID '${id}' not found` } });
    expect((await client.tracking('POST', '/logged-models/search', { experiment_ids: ['0'] })).body).toEqual({ models: [] });
    expect(await client.tracking('GET', '/logged-models/not-an-id', {})).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });

    // Creation refused: with a run of another experiment, in a missing experiment, with a malformed run id.
    const other = await client.tracking('POST', '/experiments/create', { name: 'other' });
    expect(await client.tracking('POST', '/logged-models', { experiment_id: other.body.experiment_id, source_run_id: run.run_id })).toMatchObject({
      status: 400,
      body: { message: `source_run_id: run ${run.run_id} is in experiment 0, not ${other.body.experiment_id}; nothing stored` },
    });
    expect(await client.tracking('POST', '/logged-models', { experiment_id: '99', source_run_id: run.run_id })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await client.tracking('POST', '/logged-models', { experiment_id: '0', source_run_id: 'not-a-run' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('source_run_id: "not-a-run" is not a run id') } });
    expect((await client.workspace.loggedModels.list(['0', other.body.experiment_id])).length).toBe(0);

    // runs/outputs: an unknown model links nothing; a deleted run takes no outputs.
    const live = (await client.tracking('POST', '/logged-models', { experiment_id: '0', source_run_id: run.run_id })).body.model.info.model_id;
    expect(await client.tracking('POST', '/runs/outputs', { run_id: run.run_id, models: [{ model_id: live, step: 1 }, { model_id: `m-${'f'.repeat(32)}`, step: 2 }] })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `models[1].model_id: no logged model m-${'f'.repeat(32)}; nothing linked` },
    });
    expect(await client.workspace.loggedModels.outputsOf(run.run_id)).toEqual([]);
    await client.tracking('POST', '/runs/delete', { run_id: run.run_id });
    expect(await client.tracking('POST', '/runs/outputs', { run_id: run.run_id, models: [{ model_id: live, step: 1 }] })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    // log-batch naming a missing model stores nothing.
    const fresh = await startRun(client);
    expect(await client.tracking('POST', '/runs/log-batch', { run_id: fresh.run_id, metrics: [{ key: 'auc', value: 1, timestamp: START, step: 0, model_id: `m-${'a'.repeat(32)}` }] })).toMatchObject({ status: 404 });
    expect((await client.tracking('GET', '/metrics/get-history', { run_id: fresh.run_id, metric_key: 'auc' })).body.metrics ?? []).toEqual([]);
  });
});
