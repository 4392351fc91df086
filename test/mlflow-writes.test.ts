/**
 * MLflow writes that must be all or nothing: log-batch, experiment and model creation with tags; and the
 * registry's deletes. Through the server, with the request bodies MLflow's client sends.
 */
import { describe, expect, it } from 'vitest';
import { mlflowServer as server } from './support/api-server.js';

async function runIn(call: Awaited<ReturnType<typeof server>>['call']) {
  const { experiment_id: experimentId } = (await call('POST', '/experiments/create', { name: 'e' })).body;
  return (await call('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info.run_id as string;
}

describe('MLflow writes are all or nothing', () => {
  it('stores nothing of a log-batch with one bad entry, and names the entry', async () => {
    const { call, workspace } = await server();
    const id = await runIn(call);
    const good = { key: 'loss', value: 0.5, timestamp: 1, step: 0 };
    const cases: [unknown, RegExp][] = [
      [{ metrics: [good, { key: 'loss', value: 0.4, timestamp: 1, step: 1.5 }] }, /metrics\[1\]\.step: expected a whole number, got 1\.5/],
      [{ metrics: [good, { key: 'bad/../key', value: 1, timestamp: 1 }] }, /metrics\[1\]\.key: names are used as paths/],
      [{ metrics: [good], params: [{ key: 'lr', value: '0.1' }, { key: 'depth', value: 'x'.repeat(6001) }] }, /params\[1\]\.value: has 6001 characters/],
      [{ metrics: [good], tags: [{ key: 'team', value: 7 }] }, /tags\[0\]\.value: expected a string/],
    ];
    for (const [batch, message] of cases) {
      const answer = await call('POST', '/runs/log-batch', { run_id: id, ...(batch as object) });
      expect(answer, String(message)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(message) } });
    }
    // A param that conflicts with a stored one fails in the store, inside the transaction: nothing else lands.
    expect((await call('POST', '/runs/log-batch', { run_id: id, params: [{ key: 'lr', value: '0.1' }] })).status).toBe(200);
    const conflicting = await call('POST', '/runs/log-batch', { run_id: id, metrics: [good], tags: [{ key: 'team', value: 'growth' }], params: [{ key: 'depth', value: '6' }, { key: 'lr', value: '0.2' }] });
    expect(conflicting).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/params\.lr logged as "0\.1", cannot become "0\.2"/) } });
    const run = await workspace.runs.findRun(id);
    expect(run).toMatchObject({ params: { lr: '0.1' }, tags: {}, metrics: {} });
    expect((await workspace.metrics.metricHistory(id, 'loss')).values.length).toBe(0);
    // A whole good batch lands whole, with one audit entry.
    expect((await call('POST', '/runs/log-batch', { run_id: id, metrics: [good, { ...good, step: 1, value: 0.25 }], params: [{ key: 'depth', value: '6' }], tags: [{ key: 'team', value: 'growth' }] })).status).toBe(200);
    expect(await workspace.runs.findRun(id)).toMatchObject({ params: { lr: '0.1', depth: '6' }, tags: { team: 'growth' }, metrics: { loss: { value: 0.25, step: 1 } } });
    expect((await workspace.audit.list({ actionPrefix: 'run.batch-logged' }))[0]?.details).toMatchObject({ params: ['depth'], tags: ['team'], points: 2 });
  });

  it('rolls a batch back when the run is deleted, and logs nothing to it', async () => {
    const { call, workspace } = await server();
    const id = await runIn(call);
    await call('POST', '/runs/delete', { run_id: id });
    expect(await call('POST', '/runs/log-batch', { run_id: id, params: [{ key: 'lr', value: '1' }], metrics: [{ key: 'm', value: 1, timestamp: 1 }] })).toMatchObject({ status: 400 });
    expect(await workspace.runs.findRun(id)).toMatchObject({ params: {}, metrics: {} });
  });

  it('creates experiments and registered models with their tags in one step, or not at all', async () => {
    const { call, workspace } = await server();
    const created = await call('POST', '/experiments/create', { name: 'churn', artifact_location: '', tags: [{ key: 'team', value: 'growth' }, { key: 'owner', value: 'ana' }] });
    expect((await call('GET', `/experiments/get?experiment_id=${created.body.experiment_id}`)).body.experiment.tags).toEqual([{ key: 'owner', value: 'ana' }, { key: 'team', value: 'growth' }]);
    const badTag = await call('POST', '/experiments/create', { name: 'half', tags: [{ key: 'ok', value: '1' }, { key: '../x', value: '2' }] });
    expect(badTag).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/tags\.\.\.\/x/) } });
    expect(await call('GET', '/experiments/get-by-name?experiment_name=half')).toMatchObject({ status: 404 });
    const badModelTag = await call('POST', '/registered-models/create', { name: 'm', tags: [{ key: 'ok', value: '1' }, { key: '', value: '2' }] });
    expect(badModelTag.status).toBe(400);
    expect(await workspace.registry.findModel('m')).toBeUndefined();
    expect(await workspace.registry.listEvents()).toEqual([]);
  });

  it('keeps experiment 0 "Default" first and new experiments numbered from 1', async () => {
    const { call } = await server();
    expect((await call('POST', '/experiments/create', { name: 'churn' })).body.experiment_id).toBe('1');
    const listed = (await call('POST', '/experiments/search', { max_results: 100 })).body.experiments;
    expect(listed.map((experiment: { experiment_id: string; name: string }) => [experiment.experiment_id, experiment.name])).toEqual([['0', 'Default'], ['1', 'churn']]);
  });
});

describe('MLflow registry deletes', () => {
  async function registered() {
    const backend = await server();
    const { call, workspace, context } = backend;
    const id = await runIn(call);
    await workspace.runs.recordArtifacts(id, [{ path: 'model/MLmodel', size: 1, sha256: 'a'.repeat(64) }], context);
    for (let index = 0; index < 3; index++) await call('POST', '/model-versions/create', { name: 'delay-alert', source: `runs:/${id}/model`, run_id: id });
    return { ...backend, id };
  }

  it('deletes a version with its aliases, and never gives its number again', async () => {
    const { call, workspace, id } = await registered();
    await call('POST', '/registered-models/alias', { name: 'delay-alert', alias: 'champion', version: '3' });
    await call('POST', '/model-versions/set-tag', { name: 'delay-alert', version: '3', key: 'k', value: 'v' });
    expect(await call('DELETE', '/model-versions/delete', { name: 'delay-alert', version: '3' })).toEqual({ status: 200, body: {} });
    expect(await call('GET', '/model-versions/get?name=delay-alert&version=3')).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await call('GET', '/registered-models/get?name=delay-alert')).body.registered_model).toMatchObject({ aliases: [], latest_versions: [{ version: '2' }] });
    expect((await call('POST', '/model-versions/create', { name: 'delay-alert', source: `runs:/${id}/model`, run_id: id })).body.model_version.version).toBe('4');
    expect(await call('DELETE', '/model-versions/delete', { name: 'delay-alert', version: '3' })).toMatchObject({ status: 404 });
    const deleted = (await workspace.registry.listEvents()).find((event) => event.type === 'model_version.deleted');
    expect(deleted).toMatchObject({ model: 'delay-alert', version: 3, details: { runId: id, aliases: ['champion'] } });
  });

  it('deletes a registered model with every version; the name can then start again at 1', async () => {
    const { call, workspace, id } = await registered();
    await call('POST', '/registered-models/alias', { name: 'delay-alert', alias: 'champion', version: '1' });
    await call('POST', '/registered-models/set-tag', { name: 'delay-alert', key: 'owner', value: 'ana' });
    expect(await call('DELETE', '/registered-models/delete', { name: 'delay-alert' })).toEqual({ status: 200, body: {} });
    expect(await call('GET', '/registered-models/get?name=delay-alert')).toMatchObject({ status: 404 });
    expect(await workspace.registry.versionsOfRun(id)).toEqual([]);
    expect(await call('DELETE', '/registered-models/delete', { name: 'delay-alert' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await call('POST', '/model-versions/create', { name: 'delay-alert', source: `runs:/${id}/model`, run_id: id })).body.model_version.version).toBe('1');
    expect((await workspace.registry.listEvents()).filter((event) => event.type === 'registered_model.deleted')).toMatchObject([{ model: 'delay-alert', details: { versions: 3 } }]);
  });
});
