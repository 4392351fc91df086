/**
 * `npm run bench -- serve`: the prediction service under load, each process on its own (the service,
 * autocannon, the reference), on the flights GBDT (200 trees of 63 leaves on the bench's flight features,
 * origin and destination as airport codes; trained on every 10th January-April flight).
 * - single-row predictions at 50 connections for 20 s: durable logging (default), logging off, --fsync,
 *   and a bare Fastify JSON echo (bench/hello-server.mjs) as the reference;
 * - 10,000-row batches through the service, against predicting the same rows in-process;
 * - business events in batches of 1,000, against appending the same records to the log in-process;
 * - the SIGKILL count: predictions acknowledged, found after restart, lost.
 * MLCYCLE_BENCH_SERVE_SECONDS shortens the 20-second runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainGbdt } from '../src/models/gbdt/train-gbdt.js';
import { serializeModel, type TreeModel } from '../src/models/model-format.js';
import { predictModel } from '../src/models/predict-model.js';
import { DECISION_THRESHOLD_TAG } from '../src/serve/served-models.js';
import { quoteLiteral } from '../src/store/analytics.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import type { EventRecord } from '../src/store/event-store.js';
import { SegmentEventWriter } from '../src/store/local-events/segment-event-store.js';
import { createWorkspace, workspacePaths } from '../src/store/workspace.js';
import { registerModel, setModelAlias, setModelTag } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { vegaDataFile } from '../src/demo/flight-data.js';
import { report } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(HERE, '../dist/cli/main.js');
const AUTOCANNON = path.resolve(HERE, '../node_modules/autocannon/autocannon.js');
const SECONDS = Number(process.env.MLCYCLE_BENCH_SERVE_SECONDS ?? 20);
const NUMERIC = ['month', 'day', 'weekday', 'hour', 'minute', 'distance'] as const;

type Row = Record<string, number | string>;

/** Every 10th January-April flight to train on, and 20,000 May flights to send. */
async function flightData(): Promise<{ train: Row[]; label: Float64Array; send: Row[]; airports: string[] }> {
  const engine = await openDuckDb();
  try {
    const source = `read_parquet(${quoteLiteral(vegaDataFile('flights-3m.parquet'))})`;
    const airports = (await engine.query(`SELECT DISTINCT code FROM (SELECT origin AS code FROM ${source} UNION SELECT destination FROM ${source}) ORDER BY code`)).map((row) => String(row.code));
    const select = `SELECT (delay > 15)::INTEGER AS label, month(date)::DOUBLE AS month, day(date)::DOUBLE AS day, dayofweek(date)::DOUBLE AS weekday, hour(date)::DOUBLE AS hour, minute(date)::DOUBLE AS minute, distance::DOUBLE AS distance, origin, destination FROM ${source}`;
    const train = await engine.query(`SELECT * FROM (${select} WHERE month(date) <= 4) USING SAMPLE 10 PERCENT (reservoir, 7)`);
    const send = await engine.query(`${select} WHERE month(date) = 5 LIMIT 20000`);
    const strip = (rows: typeof train) => rows.map(({ label: _label, ...row }) => row as Row);
    return { train: strip(train), label: Float64Array.from(train, (row) => Number(row.label)), send: strip(send), airports };
  } finally {
    await engine.close();
  }
}

function trainFlightModel(rows: Row[], label: Float64Array, airports: string[]): TreeModel {
  const code = new Map(airports.map((airport, index) => [airport, index]));
  const columns = [...NUMERIC.map((name) => Float64Array.from(rows, (row) => Number(row[name]))), ...['origin', 'destination'].map((name) => Float64Array.from(rows, (row) => code.get(String(row[name])) ?? NaN))];
  const trained = trainGbdt({ columns, label, categorical: columns.map((_, index) => index >= NUMERIC.length) }, { objective: 'binary', rounds: 200, numLeaves: 63, learningRate: 0.1, threads: 2 });
  return {
    kind: 'tree-ensemble',
    learner: 'gbdt',
    params: { ...trained.params },
    features: [...NUMERIC.map((name) => ({ name, type: 'numeric' as const })), { name: 'origin', type: 'categorical', categories: airports }, { name: 'destination', type: 'categorical', categories: airports }],
    ensemble: trained.ensemble,
  };
}

/** Starts a process and resolves with the address it prints (`on http://...`). */
function startProcess(args: string[], cwd: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /on (http:\/\/[^\s]+) /.exec(output);
      if (match !== null) resolve({ url: match[1] as string, child });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** autocannon in its own process: requests per second and p99 latency in ms. */
async function autocannon(url: string, body: string, connections = 50, seconds = SECONDS): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const child = spawn(process.execPath, [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const result = JSON.parse(output) as { requests: { average: number }; latency: { p99: number }; errors: number; non2xx: number };
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function singleRow(root: string, row: Row, args: string[]): Promise<{ rps: number; p99: number }> {
  const nodeArgs = (process.env.MLCYCLE_BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const { url, child } = await startProcess([...nodeArgs, CLI, 'serve', '--port', '0', '--model', 'flights@champion', ...args], root);
  try {
    const result = await autocannon(`${url}/api/v1/predict/flights@champion`, JSON.stringify({ unit: 'passenger-1', row }));
    if (result.errors > 0 || result.non2xx > 0) throw new Error(`serve ${args.join(' ')}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
    return result;
  } finally {
    await stopProcess(child);
  }
}

/** 10,000-row batches from 2 clients for the run's time: rows per second. */
async function batchRowsPerSecond(url: string, rows: Row[]): Promise<number> {
  const body = JSON.stringify({ rows: rows.slice(0, 10_000) });
  const end = performance.now() + SECONDS * 500;
  let sent = 0;
  const start = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      while (performance.now() < end) {
        const response = await fetch(`${url}/api/v1/predict/flights@champion`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (response.status !== 200) throw new Error(`batch: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
        sent += 10_000;
      }
    }),
  );
  return sent / ((performance.now() - start) / 1000);
}

/** Single-row requests from 32 loops for 3 s, then SIGKILL; counts what the restarted log holds. */
async function sigkillCounts(root: string, row: Row): Promise<{ acknowledged: number; found: number; lost: number }> {
  const { url, child } = await startProcess([CLI, 'serve', '--port', '0'], root);
  const acknowledged: string[] = [];
  let stopped = false;
  const killed = new Promise((resolve) => setTimeout(resolve, 3000)).then(async () => {
    stopped = true;
    await stopProcess(child, 'SIGKILL');
  });
  await Promise.all(
    Array.from({ length: 32 }, async (_, loop) => {
      for (let index = 0; !stopped; index++) {
        const id = `kill-${loop}-${index}`;
        try {
          const response = await fetch(`${url}/api/v1/predict/flights@champion`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify(row) });
          if (response.status === 200) acknowledged.push(id);
        } catch {
          return;
        }
      }
    }),
  );
  await killed;
  const writer = await SegmentEventWriter.open(workspacePaths(root).eventsDir, { maintainIntervalMs: 0 });
  const engine = await openDuckDb();
  try {
    const relation = await writer.reader.relation();
    const ids = new Set((await engine.columns(`SELECT request_id FROM (${relation.sql}) WHERE request_id LIKE 'kill-%'`)).request_id as string[]);
    relation.release();
    return { acknowledged: acknowledged.length, found: ids.size, lost: acknowledged.filter((id) => !ids.has(id)).length };
  } finally {
    await engine.close();
    await writer.close();
  }
}

/** Runs the serve benchmark. */
export async function benchServe(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'mlcycle-bench-serve-'));
  try {
    const data = await flightData();
    let start = performance.now();
    const model = trainFlightModel(data.train, data.label, data.airports);
    console.log(`flights GBDT: 200 trees, 63 leaves, ${data.train.length} training rows, trained in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const context = { actor: 'bench', now: () => new Date() };
    const { workspace } = await createWorkspace(root, 'bench-serve', context);
    writeFileSync(path.join(root, 'model.json'), serializeModel(model));
    const run = await startRun({ experiment: 'flights', name: 'gbdt', workspace, context, gitCommit: false, command: false });
    await run.logArtifact(path.join(root, 'model.json'), 'model');
    await run.end();
    await registerModel(workspace, { name: 'flights', run: run.id, path: 'model/model.json' }, context);
    await setModelAlias(workspace, 'flights', 'champion', 1, context);
    await setModelTag(workspace, { model: 'flights', version: 1 }, DECISION_THRESHOLD_TAG, '0.3', context);
    await workspace.close();
    const row = data.send[0] as Row;

    if (process.env.MLCYCLE_BENCH_SERVE_ONLY === 'single') {
      console.log(await singleRow(root, row, []));
      return;
    }
    const hello = await startProcess([path.join(HERE, 'hello-server.mjs')], root);
    const reference = await autocannon(`${hello.url}/echo`, JSON.stringify({ unit: 'passenger-1', row, distance: row.distance }));
    await stopProcess(hello.child);
    console.log(`hello-world (bare Fastify JSON echo): ${reference.rps.toFixed(0)} requests/s, p99 ${reference.p99} ms`);
    const logged = await singleRow(root, row, []);
    console.log(`serve, durable logging: ${logged.rps.toFixed(0)} requests/s, p99 ${logged.p99} ms`);
    const unlogged = await singleRow(root, row, ['--no-log']);
    console.log(`serve, no logging: ${unlogged.rps.toFixed(0)} requests/s, p99 ${unlogged.p99} ms`);
    const synced = await singleRow(root, row, ['--fsync']);
    console.log(`serve, --fsync: ${synced.rps.toFixed(0)} requests/s, p99 ${synced.p99} ms`);
    report('serve.single-row-rps', logged.rps, reference.rps);
    report('serve.single-row-p99-ms', logged.p99, reference.p99);
    report('serve.no-log-rps', unlogged.rps, reference.rps);
    report('serve.fsync-rps', synced.rps, reference.rps);

    const service = await startProcess([CLI, 'serve', '--port', '0'], root);
    try {
      const batchRate = await batchRowsPerSecond(service.url, data.send);
      start = performance.now();
      let predicted = 0;
      while (performance.now() - start < 2000) predicted += predictModel(model, data.send.slice(0, 10_000)).length;
      const inProcess = predicted / ((performance.now() - start) / 1000);
      report('serve.batch-rows-per-s', batchRate, inProcess);
      const events = Array.from({ length: 1000 }, (_, index) => ({ unit: `p-${index}`, name: 'rebooked_before_gate', value: 1, time: '2026-06-01T08:30:00Z' }));
      const ingest = await autocannon(`${service.url}/api/v1/events`, JSON.stringify({ events }), 8);
      if (ingest.errors > 0 || ingest.non2xx > 0) throw new Error(`events: ${ingest.errors} errors, ${ingest.non2xx} non-2xx answers`);
      await stopProcess(service.child);
      const records: EventRecord[] = events.map((event) => ({ type: 'outcome', ...event }));
      const writer = await SegmentEventWriter.open(path.join(root, 'bench-log'), { maintainIntervalMs: 0 });
      start = performance.now();
      let appended = 0;
      while (performance.now() - start < 2000) appended += (await writer.append(records)).written;
      const appendRate = appended / ((performance.now() - start) / 1000);
      await writer.close();
      report('serve.events-per-s', ingest.rps * 1000, appendRate);
    } finally {
      await stopProcess(service.child);
    }
    const counts = await sigkillCounts(root, row);
    console.log(`SIGKILL under load: ${counts.acknowledged} acknowledged, ${counts.found} found after restart, ${counts.lost} lost`);
    report('serve.sigkill-lost', counts.lost, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
