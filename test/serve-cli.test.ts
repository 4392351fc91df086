/**
 * `mlcycle serve` as a client meets it: predictions in every body shape, MLflow's scoring protocol with
 * the request bodies MLflow's documentation shows, business events, health and metrics, and bad input
 * answered with 4xx in the API's own shape with nothing recorded; then the event log from the CLI.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictModel } from '../src/models/predict-model.js';
import { flightRows, servedWorkspace, startServeProcess } from './support/served-workspace.js';
import { runMlcycle, startServerProcess } from './support/run-cli.js';
import type { TreeModel } from '../src/models/model-format.js';

const SPEC = `name: serve-test
customerProblem: late passengers
businessProblem: rebookings cost money
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger_id
successMetrics:
  - id: rebooked
    description: rebooked before the gate
    kind: proportion
    source: { event: rebooked_before_gate }
    direction: increase
    minimumDetectableEffect: { relative: 0.05 }
    role: primary
`;

let root = '';
let url = '';
let models: TreeModel[] = [];
let stop: () => Promise<void> = async () => undefined;
let remove = () => undefined as void;

const post = (route: string, body: unknown, type = 'application/json') =>
  fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** A POST announcing `bytes` of body and sending its first part: a 413 comes on the Content-Length alone. */
function postLarge(route: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': bytes } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: text });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    request.write('{"rows": [');
  });
}

async function recordCount(): Promise<number> {
  const result = await fetch(`${url}/metrics`).then((response) => response.text());
  const rows = [...result.matchAll(/^mlcycle_serve_predicted_rows_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  return rows;
}

beforeAll(async () => {
  const workspace = await servedWorkspace();
  ({ root, models, remove } = workspace);
  writeFileSync(path.join(root, 'mlcycle.yaml'), SPEC);
  ({ url, stop } = await startServeProcess(root, ['--model', 'delays@champion', '--max-batch-rows', '50']));
}, 60_000);

afterAll(async () => {
  await stop();
  remove();
});

describe('POST /api/v1/predict/:model', () => {
  const { rows } = flightRows(5, 7);
  const expected = (version: number) => predictModel(models[version - 1] as TreeModel, rows);

  it('answers one row with the score, the decision at the threshold, the version, the request id and the unit', async () => {
    const response = await post('/api/v1/predict/delays@champion', { unit: 'p-17', row: rows[0] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    const score = expected(1)[0] as number;
    expect(body).toMatchObject({ model: 'delays', version: 1, unit: 'p-17', score, decision: score >= 0.5 ? 1 : 0 });
    expect(typeof body.requestId).toBe('string');
    const bare = (await (await post('/api/v1/predict/delays/2', rows[0])).json()) as Record<string, unknown>;
    expect(bare).toMatchObject({ model: 'delays', version: 2, score: expected(2)[0] });
    expect(bare.decision).toBeUndefined();
    // NAME alone is the champion.
    expect(((await (await post('/api/v1/predict/delays', rows[0])).json()) as { version: number }).version).toBe(1);
  });

  it('answers batches of rows and of columns, one prediction per row in order', async () => {
    const batch = (await (await post('/api/v1/predict/delays@challenger', { rows, units: ['a', 'b', 'c', 'd', 'e'] })).json()) as { predictions: { score: number; unit: string }[] };
    expect(batch.predictions.map((prediction) => prediction.score)).toEqual(Array.from(expected(2)));
    expect(batch.predictions.map((prediction) => prediction.unit)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const columns = { distance: rows.map((row) => row.distance), hour: rows.map((row) => row.hour), origin: rows.map((row) => row.origin) };
    const columnar = (await (await post('/api/v1/predict/delays@challenger', { columns })).json()) as { predictions: { score: number }[] };
    expect(columnar.predictions.map((prediction) => prediction.score)).toEqual(Array.from(expected(2)));
  });

  it('refuses bad input with a 4xx that names the problem, and records nothing for it', async () => {
    const before = await recordCount();
    const cases: [string, unknown, number, RegExp, string | null][] = [
      ['/api/v1/predict/delays', '{"distance": 12', 400, /JSON/, 'body'],
      ['/api/v1/predict/delays', { distance: 'far', hour: 3, origin: 'ATL' }, 400, /distance.*row 0.*expected a number/, 'distance[0]'],
      ['/api/v1/predict/delays', { rows: [{ distance: 1, hour: 2, origin: 'ATL' }, { hour: 'x', origin: 'ATL', distance: 3 }] }, 400, /hour.*row 1/, 'hour[1]'],
      ['/api/v1/predict/delays', { hour: 3, origin: 'ATL' }, 400, /"distance" is missing/, 'distance'],
      ['/api/v1/predict/nope', rows[0], 404, /no registered model "nope"/, 'model'],
      ['/api/v1/predict/delays@gone', rows[0], 404, /no alias "gone"/, 'model'],
      ['/api/v1/predict/delays/9', rows[0], 404, /no version 9/, 'model'],
      ['/api/v1/predict/delays', { rows: Array.from({ length: 51 }, () => rows[0]) }, 413, /51 rows.*at most 50/, null],
      ['/api/v1/predict/delays', { row: rows[0], extra: 1 }, 400, /extra: unknown field/, 'extra'],
      ['/api/v1/predict/delays', [1, 2], 400, /expected a JSON object/, null],
    ];
    for (const [route, body, status, message, field] of cases) {
      const response = await post(route, body);
      const answer = (await response.json()) as { error: { code: string; message: string; field: string | null } };
      expect({ route, status: response.status }).toEqual({ route, status });
      expect(answer.error.message).toMatch(message);
      expect(answer.error.field).toBe(field);
    }
    const huge = await postLarge('/api/v1/predict/delays', 80 * 1024 * 1024);
    expect(huge.status).toBe(413);
    expect((JSON.parse(huge.body) as { error: { code: string } }).error.code).toBe('too_large');
    expect(await recordCount()).toBe(before);
    // The service keeps serving.
    expect((await post('/api/v1/predict/delays', rows[0])).status).toBe(200);
  });
});

describe("MLflow's scoring protocol on /invocations", () => {
  const { rows } = flightRows(3, 11);
  const scores = () => Array.from(predictModel(models[0] as TreeModel, rows));

  it('takes dataframe_split, dataframe_records, instances, inputs and CSV, answering {"predictions": [...]}', async () => {
    const bodies: unknown[] = [
      { dataframe_split: { columns: ['distance', 'hour', 'origin'], data: rows.map((row) => [row.distance, row.hour, row.origin]) } },
      { dataframe_split: { index: [0, 1, 2], columns: ['distance', 'hour', 'origin'], data: rows.map((row) => [row.distance, row.hour, row.origin]) }, params: {} },
      { dataframe_records: rows },
      { instances: rows },
      { inputs: { distance: rows.map((row) => row.distance), hour: rows.map((row) => row.hour), origin: rows.map((row) => row.origin) } },
    ];
    for (const body of bodies) {
      const response = await post('/invocations', body);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ predictions: scores() });
    }
    const csv = `distance,hour,origin\n${rows.map((row) => `${row.distance},${row.hour},"${row.origin}"`).join('\n')}\n`;
    const response = await post('/invocations', csv, 'text/csv');
    expect(await response.json()).toEqual({ predictions: scores() });
  });

  it("answers bad requests with MLflow's error shape", async () => {
    const response = await post('/invocations', { dataframe_records: rows, instances: rows });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error_code: 'BAD_REQUEST', message: expect.stringMatching(/exactly one of dataframe_split/) });
    const csv = await post('/invocations', 'distance,hour\n1,2,3\n', 'text/csv');
    expect(((await csv.json()) as { message: string }).message).toMatch(/line 2: has 3 fields/);
  });

  it('answers /ping, /health, /ready, /version and /metrics', async () => {
    expect((await fetch(`${url}/ping`)).status).toBe(200);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/ready`)).json()).toMatchObject({ ready: true });
    expect(await (await fetch(`${url}/version`)).json()).toEqual({ mlcycle: '0.1.0' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/mlcycle_serve_requests_total\{route="\/invocations",model="delays",version="1",status="200"\} \d+/);
    expect(metrics).toMatch(/mlcycle_serve_request_duration_seconds_bucket\{le="0.005",route="\/api\/v1\/predict",model="delays",version="1"\} \d+/);
    expect(metrics).toMatch(/mlcycle_serve_errors_total\{route="\/api\/v1\/predict",model="",version="",status="404"\} \d+/);
    expect(metrics).toMatch(/mlcycle_event_log_bytes \d+/);
  });
});

describe('POST /api/v1/events', () => {
  it('stores business events once per idempotency key and refuses unknown names and bad times whole', async () => {
    const event = { unit: 'p-17', name: 'rebooked_before_gate', value: 1, time: '2026-06-01T08:30:00Z', idempotencyKey: 'e-1' };
    expect(await (await post('/api/v1/events', event)).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await (await post('/api/v1/events', { events: [event, { ...event, idempotencyKey: 'e-2' }] })).json()).toEqual({ accepted: 1, duplicates: 1 });
    const bad = await post('/api/v1/events', { events: [{ ...event, idempotencyKey: 'e-3' }, { ...event, name: 'rebookd' }, { ...event, time: 'yesterday' }] });
    expect(bad.status).toBe(400);
    const answer = (await bad.json()) as { error: { message: string; issues: { path: string }[] } };
    expect(answer.error.message).toMatch(/events\[1\]\.name: unknown event "rebookd"; the spec knows delayed, rebooked_before_gate \(its success metrics' events and its label\) \(and 1 more problems\)/);
    expect(answer.error.issues.map((issue) => issue.path)).toEqual(['events[1].name', 'events[2].time']);
    // e-3 was in the refused batch: it is new now.
    expect(await (await post('/api/v1/events', { ...event, idempotencyKey: 'e-3' })).json()).toEqual({ accepted: 1, duplicates: 0 });
  });
});

describe('the event log from the CLI', () => {
  it('counts, tails and exports what the service recorded, and imports events files all or nothing', async () => {
    const counted = JSON.parse(runMlcycle(['events', 'count', '--json'], { cwd: root }).stdout) as { counts: { type: string; name: string | null; records: number }[] };
    const predictions = counted.counts.find((row) => row.type === 'prediction')?.records ?? 0;
    expect(predictions).toBe(await recordCount());
    expect(counted.counts.find((row) => row.name === 'rebooked_before_gate')?.records).toBe(3);
    const tail = runMlcycle(['events', 'tail', '-n', '2', '--json'], { cwd: root });
    expect((JSON.parse(tail.stdout) as { records: unknown[] }).records).toHaveLength(2);
    // The running service holds the writer: importing must wait for it, and says so.
    writeFileSync(path.join(root, 'events.csv'), 'unit,name,value,time\np-1,rebooked_before_gate,1,2026-06-02T10:00:00Z\n');
    const busy = runMlcycle(['events', 'import', 'events.csv'], { cwd: root });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/being written by process/);
    await stop();
    const imported = runMlcycle(['events', 'import', 'events.csv'], { cwd: root });
    expect(imported.stdout).toMatch(/imported 1 events/);
    writeFileSync(path.join(root, 'bad.csv'), 'unit,name,value,time\np-1,rebooked_before_gate,1,2026-06-02T10:00:00Z\np-2,nope,1,2026-06-02T10:00:00Z\n');
    const refused = runMlcycle(['events', 'import', 'bad.csv'], { cwd: root });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.csv: row 2\.name: unknown event "nope"/);
    expect(refused.stderr).not.toMatch(/at .*\.js/);
    const exported = runMlcycle(['events', 'export', '--out', 'all.parquet', '--json'], { cwd: root });
    expect((JSON.parse(exported.stdout) as { records: number }).records).toBe(predictions + 4);
  });
});

describe('mlcycle server', () => {
  it('mounts the prediction service and records its predictions in the same log', async () => {
    const before = (JSON.parse(runMlcycle(['events', 'count', '--json'], { cwd: root }).stdout) as { total: number }).total;
    const server = await startServerProcess(root);
    try {
      const response = await fetch(`${server.url}/api/v1/predict/delays@challenger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(flightRows(1, 3).rows[0]) });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ model: 'delays', version: 2 });
      expect((await fetch(`${server.url}/api/2.0/mlflow/registered-models/get?name=delays`)).status).toBe(200);
    } finally {
      await server.stop();
    }
    expect((JSON.parse(runMlcycle(['events', 'count', '--json'], { cwd: root }).stdout) as { total: number }).total).toBe(before + 1);
  }, 60_000);
});
