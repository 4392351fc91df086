/**
 * Contract: the model flows of MLflow's Python client, request by request, over real HTTP. Replayed from
 * MLflow 2.22.0's client (mlflow/models/model.py `Model.log`, mlflow/tracking/_model_registry/fluent.py
 * `_register_model`, mlflow/store/artifact/models_artifact_repo.py, http_artifact_repo.py, rest_store.py).
 * Issue 25's problems 1 (upload labels), 3 (registration from mlflow-artifacts:) and 4 (load_model through
 * get-download-uri and get-latest-versions) are tests here.
 */
import { describe, expect, it } from 'vitest';
import { mlflowClient, mlflowMimeType } from './support/mlflow-client.js';

/** The files mlflow.sklearn.log_model (2.22) writes under the artifact path, with an input example. */
const SKLEARN_MODEL_FILES: Record<string, string> = {
  MLmodel: 'artifact_path: model\nflavors:\n  sklearn:\n    pickled_model: model.pkl\n',
  'conda.yaml': 'channels: [conda-forge]\ndependencies: [python=3.11]\n',
  'python_env.yaml': 'python: 3.11\nbuild_dependencies: [pip]\n',
  'requirements.txt': 'mlflow==2.22.0\nscikit-learn==1.5.0\n',
  'model.pkl': '\u0080\u0004\u0095binary-pickle',
  'input_example.json': '{"columns": ["x"], "data": [[1.0]]}',
  'serving_input_example.json': '{"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}',
  'estimator.html': '<div>LogisticRegression()</div>',
  'metadata/README.md': '# model',
};

type Client = Awaited<ReturnType<typeof mlflowClient>>;

async function startRun(client: Client, experimentId = '0') {
  const created = await client.tracking('POST', '/runs/create', { experiment_id: experimentId, user_id: 'ana', start_time: 1_767_225_600_000, tags: [{ key: 'mlflow.source.name', value: 'train.py' }], run_name: 'fit' });
  expect(created.status).toBe(200);
  return created.body.run.info as { run_id: string; artifact_uri: string; experiment_id: string };
}

/** mlflow.sklearn.log_model(model, "model") in 2.x: upload every file, then runs/log-model with the MLmodel as JSON. */
async function logModel2x(client: Client, run: { run_id: string; artifact_uri: string }, artifactPath = 'model') {
  for (const [file, content] of Object.entries(SKLEARN_MODEL_FILES)) {
    const put = await client.putArtifact(run.artifact_uri, `${artifactPath}/${file}`, Buffer.from(content, 'latin1'));
    expect(put, `${file} labelled ${mlflowMimeType(file)}`).toMatchObject({ status: 200, body: {} });
  }
  const modelJson = JSON.stringify({ artifact_path: artifactPath, run_id: run.run_id, flavors: { sklearn: { pickled_model: 'model.pkl' } }, utc_time_created: '2026-01-01 00:00:00.000000' });
  expect(await client.tracking('POST', '/runs/log-model', { run_id: run.run_id, model_json: modelJson })).toMatchObject({ status: 200, body: {} });
}

/** mlflow.register_model("runs:/ID/model", name) in 2.x: create the model (tolerating RESOURCE_ALREADY_EXISTS), then the version from the run's artifact URI. */
async function registerModel(client: Client, run: { run_id: string; artifact_uri: string }, name: string, artifactPath = 'model') {
  const model = await client.tracking('POST', '/registered-models/create', { name });
  expect([200, 400]).toContain(model.status);
  if (model.status === 400) expect(model.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  const source = `${run.artifact_uri}/${artifactPath}`;
  const version = await client.tracking('POST', '/model-versions/create', { name, source, run_id: run.run_id, run_link: '', tags: [] });
  expect(version.status).toBe(200);
  // _create_model_version waits for READY by polling model-versions/get.
  const polled = await client.tracking('GET', '/model-versions/get', { name, version: version.body.model_version.version });
  expect(polled.body.model_version.status).toBe('READY');
  return version.body.model_version as { version: string; source: string; run_id: string };
}

describe('MLflow 2.22 client: log_model, register_model, load_model', () => {
  it('accepts every file log_model uploads, whatever its label (problem 1)', async () => {
    const client = await mlflowClient();
    const run = await startRun(client);
    // The labels MLflow's client gives these files: MLmodel, YAML, txt, JSON and md as text/plain.
    expect(['MLmodel', 'conda.yaml', 'requirements.txt', 'input_example.json', 'README.md', 'model.pkl', 'estimator.html'].map(mlflowMimeType)).toEqual([
      'text/plain', 'text/plain', 'text/plain', 'text/plain', 'text/plain', 'application/octet-stream', 'text/html',
    ]);
    await logModel2x(client, run);
    // Other clients label JSON as application/json, CSV as text/csv: the bytes are stored unparsed.
    const json = '{"not": "parsed"  }';
    const labelled = await fetch(`${client.base}/api/2.0/mlflow-artifacts/artifacts/${run.artifact_uri.replace('mlflow-artifacts:/', '')}/extra/dict.json`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: json });
    expect(labelled.status).toBe(200);
    expect((await client.download(run.artifact_uri, 'extra/dict.json')).bytes.toString()).toBe(json);
    const csv = await fetch(`${client.base}/api/2.0/mlflow-artifacts/artifacts/${run.artifact_uri.replace('mlflow-artifacts:/', '')}/extra/table.csv`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    expect(csv.status).toBe(200);
    const listed = await client.listArtifacts(run.artifact_uri, 'model');
    expect(listed.body.files.map((file: { path: string }) => file.path).sort()).toEqual(['MLmodel', 'conda.yaml', 'estimator.html', 'input_example.json', 'metadata', 'model.pkl', 'python_env.yaml', 'requirements.txt', 'serving_input_example.json']);
    expect(await client.downloadTree(run.artifact_uri, 'model')).toEqual(Object.fromEntries(Object.entries(SKLEARN_MODEL_FILES).map(([file, text]) => [`model/${file}`, Buffer.from(text, 'latin1').toString('utf8')])));
    // runs/log-model keeps the history in MLflow's tag.
    const tags = (await client.tracking('GET', '/runs/get', { run_id: run.run_id })).body.run.data.tags as { key: string; value: string }[];
    expect(JSON.parse(tags.find((tag) => tag.key === 'mlflow.log-model.history')?.value ?? '[]')).toMatchObject([{ artifact_path: 'model', run_id: run.run_id }]);
  });

  it('registers a version from the run\'s mlflow-artifacts: source and links it to the run (problem 3)', async () => {
    const client = await mlflowClient();
    const run = await startRun(client);
    await logModel2x(client, run);
    const version = await registerModel(client, run, 'churn');
    expect(version).toMatchObject({ version: '1', run_id: run.run_id });
    expect(await client.workspace.registry.versionsOfRun(run.run_id)).toMatchObject([{ model: 'churn', version: 1, source: 'model' }]);
    // A second registration of the same name finds the model existing and adds version 2.
    expect((await registerModel(client, run, 'churn')).version).toBe('2');
    // Refusals say why, in MLflow's error shape: another run's path, a foreign store, a path in no experiment of the run.
    const other = await startRun(client);
    expect(await client.tracking('POST', '/model-versions/create', { name: 'churn', source: `${run.artifact_uri}/model`, run_id: other.run_id })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: `source: names run ${run.run_id}, but run_id is ${other.run_id}` },
    });
    expect(await client.tracking('POST', '/model-versions/create', { name: 'churn', source: 's3://bucket/model', run_id: run.run_id })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('mlcycle registers artifacts of its own runs') },
    });
    expect(await client.tracking('POST', '/model-versions/create', { name: 'churn', source: `mlflow-artifacts:/7/${run.run_id}/artifacts/model`, run_id: run.run_id })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: `source: run ${run.run_id} is not in experiment 7` },
    });
  });

  it('loads models:/name@alias, models:/name/N and models:/name/latest down to the files (problem 4)', async () => {
    const client = await mlflowClient();
    const first = await startRun(client);
    await logModel2x(client, first);
    await registerModel(client, first, 'churn');
    const second = await startRun(client);
    await logModel2x(client, second, 'better');
    await registerModel(client, second, 'churn', 'better');
    expect((await client.tracking('POST', '/registered-models/alias', { name: 'churn', alias: 'champion', version: '1' })).status).toBe(200);

    // models:/churn@champion: get_model_version_by_alias, then get_model_version_download_uri, then the artifact repository.
    const byAlias = await client.tracking('GET', '/registered-models/alias', { name: 'churn', alias: 'champion' });
    expect(byAlias.body.model_version).toMatchObject({ name: 'churn', version: '1', aliases: ['champion'] });
    const uri = await client.tracking('GET', '/model-versions/get-download-uri', { name: 'churn', version: byAlias.body.model_version.version });
    expect(uri).toMatchObject({ status: 200, body: { artifact_uri: `${first.artifact_uri}/model` } });
    const files = await client.downloadTree(uri.body.artifact_uri);
    expect(files.MLmodel).toBe(SKLEARN_MODEL_FILES.MLmodel);
    expect(Object.keys(files).sort()).toEqual(Object.keys(SKLEARN_MODEL_FILES).sort());

    // models:/churn/latest: get_latest_versions(name, None) is a POST with a JSON body.
    const latest = await client.tracking('POST', '/registered-models/get-latest-versions', { name: 'churn' });
    expect(latest.body.model_versions).toMatchObject([{ version: '2', current_stage: 'None', source: `runs:/${second.run_id}/better` }]);
    const latestUri = await client.tracking('GET', '/model-versions/get-download-uri', { name: 'churn', version: '2' });
    expect((await client.downloadTree(latestUri.body.artifact_uri))['input_example.json']).toBe(SKLEARN_MODEL_FILES['input_example.json']);
    expect((await client.tracking('GET', '/registered-models/get-latest-versions', { name: 'churn', stages: ['Production'] })).body).toEqual({ model_versions: [] });

    // What a missing model or version answers.
    expect(await client.tracking('POST', '/registered-models/get-latest-versions', { name: 'nope' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await client.tracking('GET', '/model-versions/get-download-uri', { name: 'churn', version: '9' })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version (name=churn, version=9) not found' },
    });
  });

  it('moves versions between stages and loads models:/name/Production through get-latest-versions', async () => {
    const client = await mlflowClient();
    const run = await startRun(client);
    await logModel2x(client, run);
    for (let index = 0; index < 3; index++) await registerModel(client, run, 'churn');
    // MlflowClient.transition_model_version_stage(name, version, stage, archive_existing_versions).
    const transition = (version: string, stage: string, archive: boolean) => client.tracking('POST', '/model-versions/transition-stage', { name: 'churn', version, stage, archive_existing_versions: archive });
    expect(await transition('1', 'production', false)).toMatchObject({ status: 200, body: { model_version: { version: '1', current_stage: 'Production' } } });
    expect((await transition('2', 'Staging', false)).body.model_version.current_stage).toBe('Staging');
    expect((await transition('3', 'Production', true)).body.model_version.current_stage).toBe('Production');
    expect((await client.tracking('GET', '/model-versions/get', { name: 'churn', version: '1' })).body.model_version.current_stage).toBe('Archived');
    const stagesOf = (answer: { body: { model_versions: { version: string; current_stage: string }[] } }) => answer.body.model_versions.map((version) => `${version.version}:${version.current_stage}`);
    expect(stagesOf(await client.tracking('POST', '/registered-models/get-latest-versions', { name: 'churn' }))).toEqual(['2:Staging', '3:Production', '1:Archived']);
    // A registered model's latest_versions holds the latest version of each stage, in get and in search.
    const latestOf = (versions: { version: string; current_stage: string }[]) => versions.map((version) => `${version.version}:${version.current_stage}`);
    expect(latestOf((await client.tracking('GET', '/registered-models/get', { name: 'churn' })).body.registered_model.latest_versions)).toEqual(['2:Staging', '3:Production', '1:Archived']);
    expect(latestOf((await client.tracking('GET', '/registered-models/search', { filter: "name = 'churn'" })).body.registered_models[0].latest_versions)).toEqual(['2:Staging', '3:Production', '1:Archived']);
    // models:/churn/Production: get_latest_versions(name, ["Production"]), then the download URI.
    const production = await client.tracking('POST', '/registered-models/get-latest-versions', { name: 'churn', stages: ['Production'] });
    expect(stagesOf(production)).toEqual(['3:Production']);
    const uri = await client.tracking('GET', '/model-versions/get-download-uri', { name: 'churn', version: production.body.model_versions[0].version });
    expect((await client.downloadTree(uri.body.artifact_uri)).MLmodel).toBe(SKLEARN_MODEL_FILES.MLmodel);
    expect(await transition('2', 'Live', false)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.' } });
    expect(await transition('2', 'Archived', true)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'Archived' is not an Active stage") } });
    expect(await transition('9', 'Staging', false)).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const events = (await client.workspace.registry.listEvents()).filter((event) => event.type === 'model_version.updated');
    expect(events.map((event) => [event.version, event.details])).toEqual([
      [1, { stage: 'Production', was: 'None' }],
      [2, { stage: 'Staging', was: 'None' }],
      [1, { stage: 'Archived', was: 'Production' }],
      [3, { stage: 'Production', was: 'None' }],
    ]);
  });
});
