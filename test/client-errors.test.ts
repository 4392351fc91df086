/**
 * Client errors that used to reach a 500 or a framework-shaped body, each now a 400 in the API's own
 * error shape that names the limit or the field, with echoed values cut short.
 */
import { describe, expect, it } from 'vitest';
import { FILTER_LIMITS } from '../src/tracking/search/filter-limits.js';
import { JSON_LIMITS } from '../src/server/safe-json.js';
import { apiServer } from './support/api-server.js';

const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

async function setUp() {
  const server = await apiServer('');
  const { app, workspace, context } = server;
  const experiment = await workspace.runs.ensureExperiment('e', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'r', startTime: 1 }, context);
  const send = async (method: 'GET' | 'POST', url: string, body?: string) => {
    const response = await app.inject({ method, url, ...(body === undefined ? {} : { payload: body, headers: { 'content-type': 'application/json' } }) });
    return { status: response.statusCode, body: response.json() as Record<string, any>, length: response.body.length };
  };
  return { ...server, experiment, run, send };
}

describe('client errors on both APIs', () => {
  it('refuses deeply nested JSON by its limit, in each API shape', async () => {
    const { send, run, errors } = await setUp();
    const mlflow = await send('POST', '/api/2.0/mlflow/runs/log-metric', `{"run_id":"${run.id}","key":"m","value":${deep(100_000)},"timestamp":1}`);
    expect(mlflow).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: `body: nested deeper than ${JSON_LIMITS.depth} arrays and objects (the limit)` } });
    const v1 = await send('POST', `/api/v1/runs/${run.id}/log`, `{"metrics":[{"key":"m","value":1,"step":${deep(100_000)}}]}`);
    expect(v1).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', field: 'body' } } });
    expect(v1.body.error.message).toMatch(/nested deeper than 64/);
    expect(errors).toEqual([]);
  });

  it('refuses run filters over a limit by name, on both APIs', async () => {
    const { send, experiment } = await setUp();
    const or = Array.from({ length: 1000 }, (_, index) => `params.p${index} = 'x'`).join(' OR ');
    const inList = `params.p IN (${Array.from({ length: 100_000 }, (_, index) => `'${index}'`).join(',')})`;
    const nested = `${'('.repeat(5000)}metrics.m > 0${')'.repeat(5000)}`;
    const cases: [string, string][] = [
      [or, `more than ${FILTER_LIMITS.comparisons} comparisons`],
      [inList, `more than ${FILTER_LIMITS.length} characters`],
      [nested, `more than ${FILTER_LIMITS.nesting} nested parentheses`],
    ];
    for (const [filter, limit] of cases) {
      const mlflow = await send('POST', '/api/2.0/mlflow/runs/search', JSON.stringify({ experiment_ids: [experiment.id], filter }));
      expect(mlflow.status).toBe(400);
      expect(mlflow.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
      expect(mlflow.body.message).toContain(limit);
      const v1 = await send('POST', '/api/v1/runs/search', JSON.stringify({ filter }));
      expect(v1.status).toBe(400);
      expect(v1.body.error).toMatchObject({ code: 'invalid_input', field: 'filter' });
      expect(v1.body.error.message).toContain(limit);
    }
  });

  it('answers a bad URL escape in the API shape, not the framework one', async () => {
    const { send } = await setUp();
    expect(await send('GET', '/api/2.0/mlflow/runs/get?run_id=%zz')).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const v1 = await send('GET', '/api/v1/runs/%E0%A4%A');
    expect(v1).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', field: 'url' } } });
  });

  it('cuts echoed values short: a 3 MB bad value gives a small error body', async () => {
    const { send, run } = await setUp();
    const huge = 'x'.repeat(3_000_000);
    const mlflow = await send('POST', '/api/2.0/mlflow/runs/log-metric', JSON.stringify({ run_id: run.id, key: 'm', value: huge, timestamp: 1 }));
    expect(mlflow.status).toBe(400);
    expect(mlflow.length).toBeLessThan(2000);
    const v1 = await send('POST', `/api/v1/runs/${run.id}/log`, JSON.stringify({ params: { [huge]: 'v' } }));
    expect(v1.status).toBe(400);
    expect(v1.length).toBeLessThan(20_000);
  });

  it('refuses an unknown field in /api/v1 log calls and a non-positive max_results in get-history, storing nothing', async () => {
    const { send, run, workspace } = await setUp();
    const misspelt = await send('POST', `/api/v1/runs/${run.id}/log`, JSON.stringify({ parms: { lr: '0.1' } }));
    expect(misspelt).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', field: 'parms' } } });
    expect((await send('POST', `/api/v1/runs/${run.id}/inputs`, JSON.stringify({ input: [] }))).status).toBe(400);
    expect((await workspace.runs.findRun(run.id))?.params).toEqual({});
    const history = await send('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${run.id}&metric_key=m&max_results=-1`);
    expect(history).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(history.body.message).toMatch(/^max_results: expected a whole number of at least 1/);
  });
});
