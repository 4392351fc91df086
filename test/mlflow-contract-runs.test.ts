/**
 * Contract: runs as MLflow's Python client drives them, request by request, over real HTTP. Replayed from
 * MLflow 2.22.0's mlflow/tracking/fluent.py (start_run, end_run, nested runs, resuming with run_id) and
 * mlflow/store/tracking/rest_store.py (update_run_info, get_metric_history), and MLflow 3.1's
 * mlflow/utils/server_info.py. Issue 25's problems 5 (run lifecycle), 6 (the probes and multipart routes),
 * 7 (parentRunId/runName in run search, get-history's max_results) and 8 (root_uri) are tests here.
 */
import { describe, expect, it } from 'vitest';
import { mlflowClient } from './support/mlflow-client.js';

type Client = Awaited<ReturnType<typeof mlflowClient>>;
const START = 1_767_225_600_000;

/** mlflow.start_run(run_name=..., nested=...): the tags fluent.py adds, the parent's id when nested. */
async function startRun(client: Client, name: string, parent?: string) {
  const tags = [
    { key: 'mlflow.user', value: 'ana' },
    { key: 'mlflow.source.name', value: 'train.py' },
    { key: 'mlflow.source.type', value: 'LOCAL' },
    ...(parent === undefined ? [] : [{ key: 'mlflow.parentRunId', value: parent }]),
  ];
  const created = await client.tracking('POST', '/runs/create', { experiment_id: '0', user_id: 'ana', start_time: START, tags, run_name: name });
  expect(created.status).toBe(200);
  return created.body.run.info.run_id as string;
}

/** mlflow.end_run(status) / MlflowClient.set_terminated: runs/update with run_uuid and run_id both set. */
const endRun = (client: Client, id: string, status: string, endTime: number) => client.tracking('POST', '/runs/update', { run_uuid: id, run_id: id, status, end_time: endTime });

describe('MLflow 2.22 client: the run lifecycle (problem 5)', () => {
  it('ends a run twice, then KILLED after FINISHED, as MLflow allows', async () => {
    const client = await mlflowClient();
    const id = await startRun(client, 'fit');
    expect(await endRun(client, id, 'FINISHED', START + 1000)).toMatchObject({ status: 200, body: { run_info: { run_id: id, status: 'FINISHED', end_time: START + 1000 } } });
    expect(await endRun(client, id, 'FINISHED', START + 2000)).toMatchObject({ status: 200, body: { run_info: { status: 'FINISHED', end_time: START + 2000 } } });
    expect(await endRun(client, id, 'KILLED', START + 3000)).toMatchObject({ status: 200, body: { run_info: { status: 'KILLED', end_time: START + 3000 } } });
    expect((await client.workspace.audit.list({ actionPrefix: 'run.updated' })).map((entry) => entry.details)).toContainEqual({ status: 'KILLED', was: 'FINISHED', endTime: START + 3000 });
    expect(await endRun(client, id, 'DONE', START)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await endRun(client, id, 'FINISHED', START - 1)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('before the run') } });
  });

  it('resumes with start_run(run_id=...) and ends again', async () => {
    const client = await mlflowClient();
    const id = await startRun(client, 'fit');
    await endRun(client, id, 'FINISHED', START + 1000);
    // start_run(run_id=id): get_run, then update_run_info(RUNNING, end_time=the previous end time).
    expect((await client.tracking('GET', '/runs/get', { run_uuid: id, run_id: id })).body.run.info.status).toBe('FINISHED');
    const resumed = await client.tracking('POST', '/runs/update', { run_uuid: id, run_id: id, status: 'RUNNING', end_time: START + 1000 });
    expect(resumed.body.run_info).toMatchObject({ status: 'RUNNING' });
    expect(resumed.body.run_info.end_time).toBeUndefined();
    expect(await client.tracking('POST', '/runs/log-metric', { run_uuid: id, run_id: id, key: 'auc', value: 0.9, timestamp: START + 1500, step: 1 })).toMatchObject({ status: 200 });
    expect(await endRun(client, id, 'FINISHED', START + 2000)).toMatchObject({ status: 200, body: { run_info: { status: 'FINISHED', end_time: START + 2000 } } });
  });

  it('renames through runs/update run_name and through set-tag / set_tags of mlflow.runName', async () => {
    const client = await mlflowClient();
    const id = await startRun(client, 'fit');
    // MlflowClient.update_run(id, name=...) sends the current status with the new name.
    expect((await client.tracking('POST', '/runs/update', { run_uuid: id, run_id: id, status: 'RUNNING', run_name: 'renamed' })).body.run_info.run_name).toBe('renamed');
    await client.tracking('POST', '/runs/set-tag', { run_uuid: id, run_id: id, key: 'mlflow.runName', value: 'by-tag' });
    let run = (await client.tracking('GET', '/runs/get', { run_id: id })).body.run;
    expect(run.info.run_name).toBe('by-tag');
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'by-tag' });
    await client.tracking('POST', '/runs/log-batch', { run_id: id, metrics: [], params: [], tags: [{ key: 'mlflow.runName', value: 'by-batch' }, { key: 'team', value: 'growth' }] });
    run = (await client.tracking('GET', '/runs/get', { run_id: id })).body.run;
    expect(run.info.run_name).toBe('by-batch');
    expect(run.data.tags).toContainEqual({ key: 'team', value: 'growth' });
    expect(run.data.tags.filter((tag: { key: string }) => tag.key === 'mlflow.runName')).toEqual([{ key: 'mlflow.runName', value: 'by-batch' }]);
  });
});

describe('MLflow 2.22 client: searches of runs and metric histories (problem 7)', () => {
  it('finds nested runs by tags.mlflow.parentRunId and runs by tags.mlflow.runName, page by page', async () => {
    const client = await mlflowClient();
    const parent = await startRun(client, 'sweep');
    const children = [];
    for (let index = 0; index < 5; index++) children.push(await startRun(client, `trial-${index}`, parent));
    await startRun(client, 'unrelated');
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      // search_runs / MlflowClient.search_runs: POST runs/search.
      const page = await client.tracking('POST', '/runs/search', { experiment_ids: ['0'], filter: `tags.mlflow.parentRunId = '${parent}'`, run_view_type: 'ACTIVE_ONLY', max_results: 2, order_by: ['tags.mlflow.runName ASC'], ...(pageToken === undefined ? {} : { page_token: pageToken }) });
      expect(page.status).toBe(200);
      expect(page.body.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.runs.map((run: { info: { run_name: string } }) => run.info.run_name));
      pageToken = page.body.next_page_token;
    } while (pageToken !== undefined);
    expect(seen).toEqual(['trial-0', 'trial-1', 'trial-2', 'trial-3', 'trial-4']);
    const byName = await client.tracking('POST', '/runs/search', { experiment_ids: ['0'], filter: "tags.mlflow.runName LIKE 'trial-%' AND tags.`mlflow.runName` != 'trial-0'" });
    expect(byName.body.runs.map((run: { info: { run_id: string } }) => run.info.run_id).sort()).toEqual(children.slice(1).sort());
  });

  it('pages a metric history by max_results', async () => {
    const client = await mlflowClient();
    const id = await startRun(client, 'fit');
    const metrics = Array.from({ length: 7 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: START + step, step }));
    await client.tracking('POST', '/runs/log-batch', { run_id: id, metrics });
    expect((await client.tracking('GET', '/metrics/get-history', { run_uuid: id, run_id: id, metric_key: 'loss' })).body.metrics).toHaveLength(7);
    const steps: number[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.tracking('GET', '/metrics/get-history', { run_uuid: id, run_id: id, metric_key: 'loss', max_results: 3, page_token: pageToken });
      expect(page.body.metrics.length).toBeLessThanOrEqual(3);
      steps.push(...page.body.metrics.map((metric: { step: number }) => metric.step));
      pageToken = page.body.next_page_token;
    } while (pageToken !== undefined);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await client.tracking('GET', '/metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 3, page_token: 'bogus' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

describe('MLflow 2.22 UI: metrics/get-history-bulk-interval (problem 6)', () => {
  it('samples the steps of several runs as MLflow\'s server does, keeping each run\'s first and last step', async () => {
    const client = await mlflowClient();
    const a = await startRun(client, 'a');
    const b = await startRun(client, 'b');
    await client.tracking('POST', '/runs/log-batch', { run_id: a, metrics: Array.from({ length: 10 }, (_, step) => ({ key: 'loss', value: step, timestamp: START + step, step })) });
    await client.tracking('POST', '/runs/log-batch', { run_id: b, metrics: Array.from({ length: 10 }, (_, index) => ({ key: 'loss', value: -index, timestamp: START + index, step: 2 * index })) });
    const stepsOf = (metrics: { run_id: string; step: number }[], id: string) => metrics.filter((metric) => metric.run_id === id).map((metric) => metric.step);
    // Steps 0-9, 10, 12, ..., 18 (15 in all), 4 wanted: every 3.75th (0, 3, 7, 12), the last (18), and
    // each run's first and last (0, 9, 18), worked by hand from _get_sampled_steps_from_steps.
    const whole = await client.tracking('GET', '/metrics/get-history-bulk-interval', { run_ids: [a, b], metric_key: 'loss', max_results: 4 });
    expect(whole.status).toBe(200);
    expect(stepsOf(whole.body.metrics, a)).toEqual([0, 3, 7, 9]);
    expect(stepsOf(whole.body.metrics, b)).toEqual([0, 12, 18]);
    expect(whole.body.metrics[1]).toEqual({ key: 'loss', value: 3, timestamp: START + 3, step: 3, run_id: a });
    // Steps 2-8 (7 of them), 2 wanted: indices 2 and 5 of the whole list, then the range's last step.
    const range = await client.tracking('GET', '/metrics/get-history-bulk-interval', { run_ids: [a, b], metric_key: 'loss', max_results: 2, start_step: 2, end_step: 8 });
    expect(stepsOf(range.body.metrics, a)).toEqual([2, 5, 8]);
    expect(stepsOf(range.body.metrics, b)).toEqual([2, 8]);
    expect(await client.tracking('GET', '/metrics/get-history-bulk-interval', { run_ids: [a], metric_key: 'loss', start_step: 2 })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'If either start step or end step are specified, both must be specified.' },
    });
    expect(await client.tracking('GET', '/metrics/get-history-bulk-interval', { run_ids: [a], metric_key: 'loss', max_results: 2501 })).toMatchObject({ status: 400, body: { message: 'max_results must be between 1 and 2500.' } });
  });
});

describe('MLflow server probes, artifact roots and single-request uploads (problems 6 and 8)', () => {
  it('answers /health, /version and MLflow 3\'s server-info', async () => {
    const client = await mlflowClient('v3');
    expect(await client.call('GET', '/health')).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/plain/), body: 'OK' });
    expect(await client.call('GET', '/version')).toMatchObject({ status: 200, body: '2.22.0' });
    expect(await client.call('GET', '/api/3.0/mlflow/server-info')).toMatchObject({ status: 200, body: { store_type: 'SqlStore', workspaces_enabled: false, multipart_uploads_enabled: true, multipart_downloads_enabled: false } });
  });

  it('still takes a large file in one PUT, as the client sends it without MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD', async () => {
    const client = await mlflowClient();
    const id = await startRun(client, 'fit');
    const run = (await client.tracking('GET', '/runs/get', { run_id: id })).body.run.info;
    // The multipart flow itself: test/mlflow-contract-multipart.test.ts.
    expect((await client.putArtifact(run.artifact_uri, 'big.bin', Buffer.alloc(1024, 7))).status).toBe(200);
    expect((await client.download(run.artifact_uri, 'big.bin')).bytes.equals(Buffer.alloc(1024, 7))).toBe(true);
  });

  it('keeps log_input\'s source_type, schema and profile (problem 8)', async () => {
    const client = await mlflowClient();
    const id = await startRun(client, 'fit');
    // mlflow.log_input(mlflow.data.from_pandas(df, source="/data/bank.csv"), context="training").
    const dataset = {
      name: 'bank',
      digest: '4f1c2a9e',
      source_type: 'local',
      source: '{"uri": "/data/bank.csv"}',
      schema: '{"mlflow_colspec": [{"type": "double", "name": "age", "required": true}]}',
      profile: '{"num_rows": 3, "num_elements": 3}',
    };
    expect(await client.tracking('POST', '/runs/log-inputs', { run_id: id, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] })).toMatchObject({ status: 200 });
    const inputs = (await client.tracking('GET', '/runs/get', { run_id: id })).body.run.inputs;
    expect(inputs.dataset_inputs).toEqual([{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }]);
    const tooLong = await client.tracking('POST', '/runs/log-inputs', { run_id: id, datasets: [{ dataset: { ...dataset, source_type: 'x'.repeat(37) } }] });
    expect(tooLong).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'datasets[0].dataset.source_type: has 37 characters, more than the limit of 36' } });
  });

  it('names the experiment in artifacts/list root_uri (problem 8)', async () => {
    const client = await mlflowClient();
    const experimentId = (await client.tracking('POST', '/experiments/create', { name: 'churn' })).body.experiment_id;
    const id = (await client.tracking('POST', '/runs/create', { experiment_id: experimentId, start_time: START })).body.run.info.run_id;
    expect(await client.tracking('GET', '/artifacts/list', { run_uuid: id, run_id: id })).toMatchObject({ status: 200, body: { root_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts` } });
  });
});
