/**
 * mlcycle's REST API (/api/v1) through the typed client, against a server listening on a real port:
 * experiments, runs (create, atomic logging, search with OR/IN/parentheses and paging, end, delete),
 * histories, artifacts, the registry (versions, aliases, tags, lineage, cards, deletes), webhooks.
 */
import { describe, expect, it } from 'vitest';
import { createClient, type MlcycleClient } from '../src/client/client.js';
import { apiServer } from './support/api-server.js';

async function connected(options: Parameters<typeof apiServer>[1] = {}) {
  const backend = await apiServer('/api/v1', options);
  const url = await backend.listen();
  return { ...backend, url, client: createClient({ url }) };
}

async function sweep(client: MlcycleClient) {
  const ids: string[] = [];
  for (const [index, lr] of ['0.1', '0.05', '0.01', '0.3'].entries()) {
    const run = await client.createRun({ experiment: 'delays', name: `gbdt-${index}`, tags: { team: index % 2 === 0 ? 'growth' : 'core' }, startTime: 1000 + index });
    await client.logBatch(run.id, { params: { lr, leaves: String(31 + index) }, metrics: [{ key: 'auc', value: 0.7 + index / 100, step: 0 }, { key: 'loss', value: 'NaN', step: 0 }] });
    ids.push(run.id);
  }
  return ids;
}

describe('the typed client against a real server', () => {
  it('creates experiments and runs, logs atomically and searches with OR, IN, parentheses and pages', async () => {
    const { client } = await connected();
    const experiment = await client.createExperiment('churn', { team: 'growth' });
    expect(experiment).toMatchObject({ name: 'churn', tags: { team: 'growth' }, lifecycleStage: 'active' });
    expect((await client.listExperiments()).map((one) => one.name)).toEqual(['Default', 'churn']);
    expect(await client.renameExperiment(experiment.id, 'churn-2026')).toMatchObject({ name: 'churn-2026' });
    expect(await client.setExperimentTag(experiment.id, 'owner', 'ana')).toMatchObject({ tags: { team: 'growth', owner: 'ana' } });
    expect((await client.deleteExperiment(experiment.id)).lifecycleStage).toBe('deleted');
    expect((await client.restoreExperiment(experiment.id)).lifecycleStage).toBe('active');

    const ids = await sweep(client);
    const run = await client.getRun(ids[0]!);
    expect(run).toMatchObject({ name: 'gbdt-0', params: { lr: '0.1', leaves: '31' }, tags: { team: 'growth' }, metrics: { auc: { value: 0.7, step: 0 }, loss: { value: 'NaN' } }, status: 'RUNNING' });
    await expect(client.logBatch(ids[0]!, { params: { depth: '6' }, metrics: [{ key: 'auc', value: 0.9, step: 1 }, { key: 'auc', value: 0.8, step: 1.5 }] })).rejects.toMatchObject({
      code: 'invalid_input',
      status: 400,
      field: 'metrics[1].step',
      message: expect.stringMatching(/metrics\[1\]\.step: expected a whole number/),
    });
    expect((await client.getRun(ids[0]!)).params).toEqual({ lr: '0.1', leaves: '31' });
    await expect(client.logParams(ids[0]!, { lr: 0.2 })).rejects.toMatchObject({ code: 'conflict', status: 409, field: 'params.lr' });

    const found = await client.searchRuns({ experiments: ['delays'], filter: "(params.lr IN ('0.1', '0.01') OR tags.team = 'core') AND metrics.auc >= 0.71", orderBy: ['metrics.auc DESC'] });
    expect(found.runs.map((one) => one.name)).toEqual(['gbdt-3', 'gbdt-2', 'gbdt-1']);
    const first = await client.searchRuns({ filter: "attributes.run_name LIKE 'gbdt-%'", orderBy: ['params.lr ASC'], maxResults: 3 });
    expect(first.runs).toHaveLength(3);
    expect(first.nextPageToken).not.toBeNull();
    const second = await client.searchRuns({ filter: "attributes.run_name LIKE 'gbdt-%'", orderBy: ['params.lr ASC'], maxResults: 3, pageToken: first.nextPageToken! });
    expect([...first.runs, ...second.runs].map((one) => one.params.lr)).toEqual(['0.01', '0.05', '0.1', '0.3']);
    expect(second.nextPageToken).toBeNull();
    await expect(client.searchRuns({ filter: 'metrics.auc >' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/filter: column 14/) });

    expect(await client.endRun(ids[1]!, 'FAILED', 5000)).toMatchObject({ status: 'FAILED', endTime: 5000 });
    await client.deleteRun(ids[3]!);
    expect((await client.searchRuns({ experiments: ['delays'] })).runs).toHaveLength(3);
    expect((await client.searchRuns({ experiments: ['delays'], lifecycle: 'deleted' })).runs.map((one) => one.id)).toEqual([ids[3]]);
    await client.restoreRun(ids[3]!);
    await client.setTags(ids[2]!, { stage: 'dev' });
    await client.deleteTag(ids[2]!, 'stage');
    expect((await client.getRun(ids[2]!)).tags).toEqual({ team: 'growth' });
    await expect(client.getRun('f'.repeat(32))).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('returns downsampled histories, and stores, lists and downloads artifacts', async () => {
    const { client } = await connected();
    const run = await client.createRun({ experiment: 'e' });
    const points = Array.from({ length: 5000 }, (_, step) => ({ key: 'loss', value: step === 4321 ? 50 : 1 / (step + 1), step, timestamp: 1 }));
    for (let start = 0; start < points.length; start += 2500) await client.logBatch(run.id, { metrics: points.slice(start, start + 2500) });
    const history = await client.metricHistory(run.id, 'loss', { maxPoints: 100 });
    expect(history.totalPoints).toBe(5000);
    expect(history.values.length).toBeLessThanOrEqual(100);
    expect(history.steps[history.values.indexOf(50)]).toBe(4321);

    const bytes = new TextEncoder().encode('{"trees": []}');
    expect(await client.uploadArtifact(run.id, 'model/model.json', bytes)).toMatchObject({ path: 'model/model.json', size: bytes.length });
    expect(await client.listArtifacts(run.id)).toEqual([{ path: 'model', isDir: true }]);
    expect(await client.listArtifacts(run.id, 'model')).toEqual([{ path: 'model/model.json', isDir: false, size: bytes.length }]);
    expect(new TextDecoder().decode(await client.downloadArtifact(run.id, 'model/model.json'))).toBe('{"trees": []}');
    await expect(client.uploadArtifact(run.id, '../escape', bytes)).rejects.toMatchObject({ code: 'invalid_input', field: 'path' });
    await expect(client.downloadArtifact(run.id, 'model/..%2F..%2Fmetadata.db')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(client.downloadArtifact(run.id, 'model/missing.json')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('registers versions, moves aliases, reads lineage and cards, deletes, and manages webhooks', async () => {
    const { client, workspace, context } = await connected({ allowPrivateWebhooks: true });
    const hash = '12'.repeat(32);
    await workspace.datasets.registerVersions([{ dataset: 'flights', hash, artifactKey: 'k', rowCount: 5, byteSize: 5, columns: [], lineage: { source: { path: '/data/flights.csv', size: 5, modifiedAt: '2026-01-01T00:00:00.000Z', format: 'csv', options: {} } } }], context);
    const run = await client.createRun({ experiment: 'delays', name: 'gbdt' });
    expect(await client.logInputs(run.id, [{ ref: 'flights@1', context: 'training' }, { name: 'weather', digest: 'abc', context: 'validation' }])).toHaveLength(2);
    await client.uploadArtifact(run.id, 'model/model.json', new TextEncoder().encode('{}'));
    const webhook = await client.addWebhook({ url: 'http://127.0.0.1:1/unused', events: ['model_version.alias_set'] });
    expect(webhook.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await client.listWebhooks()).toEqual([webhook.webhook]);

    expect(await client.createModel('delay-alert', { description: 'alerts', tags: { owner: 'ana' } })).toMatchObject({ name: 'delay-alert', tags: { owner: 'ana' } });
    expect(await client.registerModel({ name: 'delay-alert', runId: run.id, description: 'first' })).toMatchObject({ version: 1, runId: run.id, source: 'model' });
    await client.registerModel({ name: 'delay-alert', runId: run.id });
    expect(await client.setModelAlias('delay-alert', 'champion', 1)).toMatchObject({ version: 1, aliases: ['champion'] });
    expect((await client.resolveModelUri('models:/delay-alert@champion')).version).toBe(1);
    expect((await client.resolveModelUri('models:/delay-alert/latest')).version).toBe(2);
    expect(await client.setVersionTag('delay-alert', 2, 'validated', 'yes')).toMatchObject({ tags: { validated: 'yes' } });
    const detail = await client.getModel('delay-alert');
    expect(detail.model).toMatchObject({ latestVersion: 2, aliases: { champion: 1 } });
    expect(detail.versions.map((version) => version.version)).toEqual([2, 1]);
    const lineage = await client.modelLineage('models:/delay-alert@champion');
    expect(lineage.inputs.map((one) => [one.input.context, one.datasetVersion?.ref ?? null])).toEqual([['training', 'flights@1'], ['validation', null]]);
    expect(await client.modelCard('models:/delay-alert@champion')).toMatchObject({ uri: 'models:/delay-alert/1', trainingData: [{ ref: 'flights@1', sourcePath: '/data/flights.csv' }, { dataset: 'weather' }] });
    expect(await client.modelCardMarkdown('models:/delay-alert/1')).toMatch(/^# Model card: delay-alert version 1\n/);

    await client.deleteModelAlias('delay-alert', 'champion');
    await client.deleteModelVersion('delay-alert', 1);
    await expect(client.resolveModelUri('models:/delay-alert/1')).rejects.toMatchObject({ code: 'not_found' });
    const events = await client.listRegistryEvents();
    expect(events.map((event) => event.type)).toEqual(['registered_model.created', 'model_version.created', 'model_version.created', 'model_version.alias_set', 'model_version.tag_set', 'model_version.alias_deleted', 'model_version.deleted']);
    expect((await client.listWebhookDeliveries({ webhookId: webhook.webhook.id })).map((delivery) => [delivery.eventId, delivery.state])).toEqual([[events[3]!.id, 'pending']]);
    await client.deleteModel('delay-alert');
    expect(await client.listModels()).toEqual([]);
    await client.removeWebhook(webhook.webhook.id);
    expect(await client.listWebhooks()).toEqual([]);
    await expect(client.addWebhook({ url: 'ftp://x' })).rejects.toMatchObject({ code: 'invalid_input', field: 'url' });
  });
});

describe('/api/v1 errors', () => {
  it('answer 4xx with {error: {code, message, field}} and keep internal text out of 500s', async () => {
    const { url, workspace, errors } = await connected();
    const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${url}/api/v1${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body }) });
      return { status: response.status, body: (await response.json()) as any };
    };
    expect(await send('POST', '/experiments', '{"name": ""}')).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: expect.stringMatching(/name/), field: 'name', issues: [{ path: 'name', message: expect.any(String) }] } } });
    expect(await send('POST', '/runs', '{"experiment": "e", "tags": {"k": 1}}')).toMatchObject({ status: 400, body: { error: { field: 'tags.k' } } });
    expect(await send('POST', '/runs', '{"experiment": ')).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', field: 'body' } } });
    expect(await send('GET', '/nothing')).toMatchObject({ status: 404, body: { error: { code: 'endpoint_not_found', field: null } } });
    expect(await send('GET', '/models/nothing')).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'no registered model named "nothing"' } } });
    expect(await send('POST', '/experiments', '{"name": "x"}')).toMatchObject({ status: 201 });
    expect(await send('POST', '/experiments', '{"name": "x"}')).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await send('POST', '/runs', `{"experiment": "${'x'.repeat(5 * 1024 * 1024)}"}`)).toMatchObject({ status: 413, body: { error: { code: 'request_too_large' } } });
    await workspace.close();
    const broken = await send('GET', '/experiments');
    expect(broken).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal server error; see the server log', field: null, issues: [] } } });
    expect(JSON.stringify(broken.body)).not.toMatch(/database|sqlite|destroy|driver/i);
    expect(errors).toHaveLength(1);
  });

  it('need a token when the server has tokens, and refuse writes to read tokens', async () => {
    const { parseTokens } = await import('../src/server/auth.js');
    const tokens = parseTokens('ci:write:write-token-1234567\nviewer:read:read-token-4567890', 'test');
    const { url } = await connected({ tokens });
    await expect(createClient({ url }).listModels()).rejects.toMatchObject({ status: 401, apiCode: 'unauthenticated' });
    const reader = createClient({ url, token: 'read-token-4567890' });
    expect(await reader.searchRuns({})).toEqual({ runs: [], nextPageToken: null });
    await expect(reader.createExperiment('x')).rejects.toMatchObject({ status: 403, apiCode: 'permission_denied', message: 'token viewer may only read' });
    const writer = createClient({ url, token: 'write-token-1234567' });
    const run = await writer.createRun({ experiment: 'e' });
    expect(run.userId).toBe('ci');
  });
});
