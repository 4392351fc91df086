/**
 * MLflow REST API compatibility: the request bodies the MLflow Python client sends (as MLflow's REST API
 * documentation gives them), against a real workspace, with the response shapes and error codes checked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logArtifact } from '../src/tracking/run-artifacts.js';
import { mlflowServer as server } from './support/api-server.js';

describe('MLflow REST API: tracking', () => {
  it('takes a whole run as the MLflow client logs it', async () => {
    const { call } = await server();
    const created = await call('POST', '/experiments/create', { name: 'churn' });
    expect(created).toEqual({ status: 200, body: { experiment_id: expect.stringMatching(/^\d+$/) } });
    const experimentId = created.body.experiment_id;
    expect((await call('GET', '/experiments/get-by-name?experiment_name=churn')).body.experiment).toMatchObject({ experiment_id: experimentId, name: 'churn', lifecycle_stage: 'active', tags: [] });
    expect((await call('GET', `/experiments/get?experiment_id=${experimentId}`)).status).toBe(200);

    const run = await call('POST', '/runs/create', {
      experiment_id: experimentId,
      user_id: 'ana',
      start_time: 1700000000000,
      run_name: 'gbdt',
      tags: [
        { key: 'mlflow.user', value: 'ana' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.runName', value: 'gbdt' },
      ],
    });
    expect(run.status).toBe(200);
    const info = run.body.run.info;
    expect(info).toMatchObject({ run_name: 'gbdt', experiment_id: experimentId, user_id: 'ana', status: 'RUNNING', start_time: 1700000000000, lifecycle_stage: 'active' });
    expect(info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(info.run_uuid).toBe(info.run_id);
    const id = info.run_id as string;

    expect(await call('POST', '/runs/log-batch', {
      run_id: id,
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 1700000000001, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 1700000000002, step: 1 },
      ],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'team', value: 'growth' }],
    })).toEqual({ status: 200, body: {} });
    expect((await call('POST', '/runs/log-metric', { run_id: id, run_uuid: id, key: 'auc', value: 0.8, timestamp: 1700000000003, step: 1 })).status).toBe(200);
    expect((await call('POST', '/runs/log-metric', { run_id: id, run_uuid: id, key: 'odd', value: 'NaN', timestamp: 1700000000003, step: 0 })).status).toBe(200);
    expect((await call('POST', '/runs/log-parameter', { run_id: id, run_uuid: id, key: 'depth', value: '6' })).status).toBe(200);
    expect((await call('POST', '/runs/set-tag', { run_id: id, run_uuid: id, key: 'stage', value: 'dev' })).status).toBe(200);
    expect((await call('POST', '/runs/delete-tag', { run_id: id, key: 'stage' })).status).toBe(200);
    expect((await call('POST', '/runs/log-inputs', {
      run_id: id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'flights', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/flights.csv"}', schema: '{}', profile: '{}' } }],
    })).status).toBe(200);
    const updated = await call('POST', '/runs/update', { run_id: id, run_uuid: id, status: 'FINISHED', end_time: 1700000009000 });
    expect(updated.body.run_info).toMatchObject({ status: 'FINISHED', end_time: 1700000009000 });

    const got = (await call('GET', `/runs/get?run_id=${id}`)).body.run;
    expect(got.data.params).toEqual([{ key: 'depth', value: '6' }, { key: 'lr', value: '0.1' }]);
    expect(got.data.metrics).toEqual(
      expect.arrayContaining([
        { key: 'loss', value: 0.5, timestamp: 1700000000002, step: 1 },
        { key: 'auc', value: 0.8, timestamp: 1700000000003, step: 1 },
        { key: 'odd', value: 'NaN', timestamp: 1700000000003, step: 0 },
      ]),
    );
    expect(got.data.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'growth' }, { key: 'mlflow.runName', value: 'gbdt' }, { key: 'mlflow.user', value: 'ana' }]));
    expect(got.inputs.dataset_inputs).toEqual([{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'flights', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/flights.csv"}', schema: '{}', profile: '{}' } }]);

    const history = await call('GET', `/metrics/get-history?run_id=${id}&metric_key=loss`);
    expect(history.body.metrics).toEqual([
      { key: 'loss', value: 0.9, timestamp: 1700000000001, step: 0 },
      { key: 'loss', value: 0.5, timestamp: 1700000000002, step: 1 },
    ]);
    const search = await call('POST', '/runs/search', {
      experiment_ids: [experimentId],
      filter: "metrics.auc > 0.5 and params.lr = '0.1' and attributes.status = 'FINISHED'",
      run_view_type: 'ACTIVE_ONLY',
      max_results: 1000,
      order_by: ['metrics.auc DESC'],
    });
    expect(search.body.runs.map((found: any) => found.info.run_id)).toEqual([id]);
    expect((await call('POST', '/runs/search', { experiment_ids: [experimentId], filter: "params.lr = '0.2' OR tags.team IN ('growth')" })).body.runs).toHaveLength(1);
    expect((await call('POST', '/runs/delete', { run_id: id })).status).toBe(200);
    expect((await call('POST', '/runs/search', { experiment_ids: [experimentId] })).body).toEqual({ runs: [] });
    expect((await call('POST', '/runs/search', { experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' })).body.runs).toHaveLength(1);
    expect((await call('POST', '/runs/restore', { run_id: id })).status).toBe(200);
  });

  it('renames, tags, deletes and restores experiments', async () => {
    const { call } = await server();
    const { experiment_id: id } = (await call('POST', '/experiments/create', { name: 'churn' })).body;
    expect((await call('POST', '/experiments/update', { experiment_id: id, new_name: 'churn-2026' })).status).toBe(200);
    expect((await call('POST', '/experiments/set-experiment-tag', { experiment_id: id, key: 'team', value: 'growth' })).status).toBe(200);
    expect((await call('POST', '/experiments/delete', { experiment_id: id })).status).toBe(200);
    expect((await call('GET', `/experiments/get?experiment_id=${id}`)).body.experiment).toMatchObject({ name: 'churn-2026', lifecycle_stage: 'deleted', tags: [{ key: 'team', value: 'growth' }] });
    expect(await call('POST', '/runs/create', { experiment_id: id, start_time: 1 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect((await call('POST', '/experiments/restore', { experiment_id: id })).status).toBe(200);
    expect((await call('POST', '/runs/create', { experiment_id: id, start_time: 1 })).status).toBe(200);
    expect(await call('POST', '/experiments/delete', { experiment_id: '404' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('starts runs in experiment 0 the way a client without an experiment does', async () => {
    const { call } = await server();
    const run = await call('POST', '/runs/create', { experiment_id: '0', start_time: 1, tags: [] });
    expect(run.status).toBe(200);
    expect(run.body.run.info.experiment_id).toBe('0');
    const experiment = await call('GET', '/experiments/get?experiment_id=0');
    expect(experiment.body.experiment).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    expect((await call('GET', '/experiments/get-by-name?experiment_name=Default')).body.experiment.experiment_id).toBe('0');
  });

  it("answers errors with MLflow's codes", async () => {
    const { call } = await server();
    const { experiment_id: experimentId } = (await call('POST', '/experiments/create', { name: 'churn' })).body;
    expect(await call('POST', '/experiments/create', { name: 'churn' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(await call('GET', `/runs/get?run_id=${'0'.repeat(32)}`)).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await call('GET', '/runs/get?run_id=../../etc')).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/run_id/) } });
    expect(await call('GET', '/experiments/get-by-name?experiment_name=nothing')).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const id = (await call('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info.run_id;
    await call('POST', '/runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' });
    expect(await call('POST', '/runs/log-parameter', { run_id: id, key: 'lr', value: '0.2' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/write-once/) } });
    const tooMany = Array.from({ length: 1001 }, (_, step) => ({ key: 'loss', value: 1, timestamp: 1, step }));
    expect(await call('POST', '/runs/log-batch', { run_id: id, metrics: tooMany })).toMatchObject({ status: 400, body: { message: 'A batch logging request can contain at most 1000 metrics. Got 1001 metrics.' } });
    const params = Array.from({ length: 101 }, (_, index) => ({ key: `p${index}`, value: '1' }));
    expect(await call('POST', '/runs/log-batch', { run_id: id, params })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/at most 100 params/) } });
    // A bad point anywhere in a batch writes nothing of it.
    expect((await call('POST', '/runs/log-batch', { run_id: id, params: [{ key: 'depth', value: '6' }], metrics: [{ key: 'x', value: 1, timestamp: 1, step: 0 }, { key: 'x', value: 'high', timestamp: 1, step: 1 }] })).status).toBe(400);
    expect((await call('GET', `/runs/get?run_id=${id}`)).body.run.data).toMatchObject({ params: [{ key: 'lr', value: '0.1' }], metrics: [] });
    expect(await call('POST', '/runs/search', { filter: 'metrics.auc >' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/filter: column 14 at the end/) } });
    expect(await call('GET', `/artifacts/list?run_id=${id}&path=..%2F..%2Fmetadata.db`)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await call('GET', `/artifacts/list?run_id=${id}&path=%252e%252e`)).toMatchObject({ status: 400 });
    expect(await call('POST', '/nothing/here', {})).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });

  it('refuses oversized and malformed bodies and hides internal error text', async () => {
    const { app, workspace, errors } = await server();
    const huge = await app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/log-batch', headers: { 'content-type': 'application/json' }, payload: `{"run_id":"${'a'.repeat(5 * 1024 * 1024)}"}` });
    expect(huge.statusCode).toBe(413);
    const malformed = await app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/create', headers: { 'content-type': 'application/json' }, payload: '{"experiment_id": ' });
    expect(malformed.statusCode).toBe(400);
    await workspace.close();
    const broken = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get-by-name?experiment_name=churn' });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({ error_code: 'INTERNAL_ERROR', message: 'internal server error; see the server log' });
    expect(errors).toHaveLength(1);
  });
});

describe('MLflow REST API: model registry', () => {
  it('registers a version from runs:/ source, moves aliases and resolves them', async () => {
    const { call, workspace, root, context } = await server();
    const { experiment_id: experimentId } = (await call('POST', '/experiments/create', { name: 'delays' })).body;
    const id = (await call('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info.run_id;
    mkdirSync(path.join(root, 'model'));
    writeFileSync(path.join(root, 'model', 'MLmodel'), 'flavors: {}');
    await logArtifact(workspace, id, path.join(root, 'model'), undefined, context);
    expect((await call('GET', `/artifacts/list?run_id=${id}`)).body).toEqual({ root_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`, files: [{ path: 'model', is_dir: true }] });
    expect((await call('GET', `/artifacts/list?run_id=${id}&path=model`)).body.files).toEqual([{ path: 'model/MLmodel', is_dir: false, file_size: 11 }]);

    const model = await call('POST', '/registered-models/create', { name: 'delay-alert', description: 'alerts', tags: [{ key: 'owner', value: 'ana' }] });
    expect(model.body.registered_model).toMatchObject({ name: 'delay-alert', description: 'alerts', latest_versions: [], tags: [{ key: 'owner', value: 'ana' }], aliases: [] });
    const version = await call('POST', '/model-versions/create', { name: 'delay-alert', source: `runs:/${id}/model`, run_id: id });
    expect(version.body.model_version).toMatchObject({ name: 'delay-alert', version: '1', source: `runs:/${id}/model`, run_id: id, status: 'READY', aliases: [] });
    expect((await call('POST', '/registered-models/alias', { name: 'delay-alert', alias: 'champion', version: '1' })).status).toBe(200);
    expect((await call('GET', '/registered-models/alias?name=delay-alert&alias=champion')).body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    expect((await call('GET', '/registered-models/get?name=delay-alert')).body.registered_model).toMatchObject({ aliases: [{ alias: 'champion', version: '1' }], latest_versions: [{ version: '1' }] });
    expect((await call('POST', '/model-versions/set-tag', { name: 'delay-alert', version: '1', key: 'validated', value: 'yes' })).status).toBe(200);
    expect((await call('PATCH', '/model-versions/update', { name: 'delay-alert', version: '1', description: 'first' })).body.model_version).toMatchObject({ description: 'first', tags: [{ key: 'validated', value: 'yes' }] });
    expect((await call('GET', "/registered-models/search?filter=name%20LIKE%20'delay%25'")).body.registered_models).toHaveLength(1);
    expect((await call('GET', "/model-versions/search?filter=name%3D'delay-alert'")).body.model_versions).toHaveLength(1);
    expect((await call('DELETE', '/registered-models/alias', { name: 'delay-alert', alias: 'champion' })).status).toBe(200);
    expect(await call('GET', '/registered-models/alias?name=delay-alert&alias=champion')).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await call('POST', '/registered-models/create', { name: 'delay-alert' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(await call('POST', '/model-versions/create', { name: 'delay-alert', source: 's3://bucket/model', run_id: id })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/source: expected runs:\//) } });
    expect(await call('POST', '/model-versions/create', { name: 'delay-alert', source: `runs:/${id}/../../x`, run_id: id })).toMatchObject({ status: 400 });
    expect((await workspace.registry.listEvents()).map((event) => event.type)).toEqual([
      'registered_model.created',
      'model_version.created',
      'model_version.alias_set',
      'model_version.tag_set',
      'model_version.updated',
      'model_version.alias_deleted',
    ]);
  });
});

describe('mlcycle REST API', () => {
  it('returns a metric history downsampled for charts, keeping the spike', async () => {
    const { call, app, workspace, context } = await server();
    const { experiment_id: experimentId } = (await call('POST', '/experiments/create', { name: 'e' })).body;
    const id = (await call('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info.run_id;
    const count = 20_000;
    const steps = Float64Array.from({ length: count }, (_, index) => index);
    const values = Float64Array.from({ length: count }, (_, index) => (index === 12_345 ? 99 : Math.sin(index)));
    await workspace.metrics.appendMetrics(id, [{ key: 'loss', steps, timestamps: steps, values }], context);
    const response = await app.inject({ method: 'GET', url: `/api/v1/runs/${id}/metrics/loss?maxPoints=200` });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ key: 'loss', totalPoints: count });
    expect(body.values.length).toBeLessThanOrEqual(200);
    expect(body.steps[body.values.indexOf(99)]).toBe(12_345);
    const bad = await app.inject({ method: 'GET', url: `/api/v1/runs/${id}/metrics/loss?maxPoints=1` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(/maxPoints/) } });
    expect((await app.inject({ method: 'GET', url: `/api/v1/runs/${'0'.repeat(32)}/metrics/loss` })).json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('MLflow proxied artifacts', () => {
  it('uploads, lists and downloads files under a run, refusing paths that leave it', async () => {
    const { call, app, workspace } = await server();
    const { experiment_id: experimentId } = (await call('POST', '/experiments/create', { name: 'e' })).body;
    const info = (await call('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info;
    const base = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${info.run_id}/artifacts`;
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${info.run_id}/artifacts`);
    const put = (path: string, payload: string) => app.inject({ method: 'PUT', url: `${base}/${path}`, headers: { 'content-type': 'application/octet-stream' }, payload });
    expect((await put('model/MLmodel', 'flavors: {}')).statusCode).toBe(200);
    expect((await put('model/model.pkl', 'bytes')).statusCode).toBe(200);
    const listed = await app.inject({ method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${info.run_id}/artifacts/model` });
    expect(listed.json()).toEqual({ files: [{ path: 'MLmodel', is_dir: false, file_size: '11' }, { path: 'model.pkl', is_dir: false, file_size: '5' }] });
    const downloaded = await app.inject({ method: 'GET', url: `${base}/model/MLmodel` });
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.body).toBe('flavors: {}');
    for (const path of ['..%2F..%2Fescape', '%2e%2e/escape', '%252e%252e%252fescape', 'model/..%5c..%5cescape', '%2Fetc%2Fpasswd']) {
      const refused = await put(path, 'x');
      expect(refused.statusCode, path).toBe(400);
      expect(refused.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    expect((await app.inject({ method: 'GET', url: `${base}/..%2F..%2F..%2F.mlcycle%2Fmetadata.db` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/999/${info.run_id}/artifacts/x`, payload: 'x', headers: { 'content-type': 'application/octet-stream' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `${base}/model/missing` })).statusCode).toBe(404);
    expect((await workspace.runs.findArtifacts(info.run_id, '')).map((artifact) => artifact.path)).toEqual(['model/MLmodel', 'model/model.pkl']);
  });
});
