/**
 * `npm run bench -- scale`, three figures, each beside its reference in the same run:
 * - run ingestion through real `mlcycle server` processes (dist/cli/main.js): MLflow log-batch requests
 *   of 1,000 metric points from 8 concurrent HTTP clients into one run, alternating between two servers
 *   on one PostgreSQL, against one server on SQLite (`scale.postgres-log-batch-points-per-s`,
 *   `scale.postgres-p99-ms`);
 * - the same load at the store level in one process (two workspaces, two pools), without HTTP
 *   (`scale.postgres-store-log-batch-points-per-s`), to separate the database from the HTTP layer;
 * - event ingestion through two `mlcycle server` replicas (their `POST /api/v1/events`, 100 events per
 *   request from 8 concurrent clients) into the shared log on PostgreSQL, against one server writing its
 *   embedded log (`scale.shared-events-per-s`, `scale.shared-events-p99-ms`), and the same at the writer
 *   level in one process (`scale.shared-events-store-per-s`).
 * Needs PostgreSQL on 127.0.0.1:5432 (trust), or MLCYCLE_BENCH_POSTGRES=postgresql://.../postgres, and
 * `npm run build` (the servers run from dist/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EventRecord } from '../src/store/event-store.js';
import { createWorkspace, type Workspace } from '../src/store/workspace.js';

const CLIENTS = 8;
const BATCHES_PER_CLIENT = 25;
const POINTS = 1000;
const EVENT_BATCHES_PER_CLIENT = 50;
const EVENTS_PER_BATCH = 100;
const ADMIN = process.env.MLCYCLE_BENCH_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CLI = path.resolve('dist/cli/main.js');

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

interface Rate {
  perS: number;
  p99Ms: number;
}

/** Runs `CLIENTS` clients, each `rounds` times, timing every call; `units` per call for the rate. */
async function load(rounds: number, units: number, call: (client: number, round: number) => Promise<void>): Promise<Rate> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let round = 0; round < rounds; round++) {
        const t0 = performance.now();
        await call(client, round);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perS: (CLIENTS * rounds * units) / seconds, p99Ms: latencies[Math.ceil(latencies.length * 0.99) - 1] ?? 0 };
}

async function ingestStore(workspaces: Workspace[]): Promise<Rate> {
  const context = { actor: 'bench', now: () => new Date() };
  const experiment = await workspaces[0]!.runs.ensureExperiment('bench', context);
  const run = await workspaces[0]!.runs.createRun({ experimentId: experiment.id, name: 'ingest', startTime: Date.now() }, context);
  return load(BATCHES_PER_CLIENT, POINTS, async (client, batch) => {
    const first = (client * BATCHES_PER_CLIENT + batch) * POINTS;
    const steps = Float64Array.from({ length: POINTS }, (_, i) => first + i);
    await workspaces[client % workspaces.length]!.runs.logBatch(run.id, { metrics: [{ key: `loss-${client}`, steps, timestamps: steps, values: steps }] }, context);
  });
}

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(cwd: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--rollout-interval', '0'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /on (http:\/\/[^\s]+) /.exec(output);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  return { url, child };
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Starts a server in each folder (initialised first), runs `body` on them, stops them. */
async function withServers<T>(dirs: string[], env: Record<string, string>, body: (urls: string[]) => Promise<T>): Promise<T> {
  for (const dir of dirs) spawnSync(process.execPath, [CLI, 'init'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
  const servers: Server[] = [];
  try {
    for (const dir of dirs) servers.push(await startServer(dir, env));
    return await body(servers.map((server) => server.url));
  } finally {
    for (const server of servers) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
  }
}

/** The log-batch load over HTTP, alternating between the servers given. */
async function ingestHttp(dirs: string[], env: Record<string, string>): Promise<Rate> {
  return withServers(dirs, env, async (urls) => {
    const api = (index: number) => `${urls[index % urls.length]!}/api/2.0/mlflow`;
    const { experiment_id: experimentId } = await post(`${api(0)}/experiments/create`, { name: 'bench' });
    const { run } = (await post(`${api(0)}/runs/create`, { experiment_id: experimentId })) as { run: { info: { run_id: string } } };
    return load(BATCHES_PER_CLIENT, POINTS, async (client, batch) => {
      const first = (client * BATCHES_PER_CLIENT + batch) * POINTS;
      const metrics = Array.from({ length: POINTS }, (_, i) => ({ key: `loss-${client}`, value: first + i, step: first + i, timestamp: first + i }));
      await post(`${api(client + batch)}/runs/log-batch`, { run_id: run.info.run_id, metrics });
    });
  });
}

/** Business events over HTTP (`POST /api/v1/events`, 100 per request), alternating between the servers given. */
async function eventsHttp(dirs: string[], env: Record<string, string>): Promise<Rate> {
  return withServers(dirs, env, async (urls) => {
    const base = Date.now() - 3_600_000;
    return load(EVENT_BATCHES_PER_CLIENT, EVENTS_PER_BATCH, async (client, batch) => {
      const first = (client * EVENT_BATCHES_PER_CLIENT + batch) * EVENTS_PER_BATCH;
      const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({ unit: `u${first + i}`, name: 'rebooked', value: 1, time: new Date(base + first + i).toISOString(), idempotencyKey: `k${first + i}` }));
      await post(`${urls[(client + batch) % urls.length]!}/api/v1/events`, { events });
    });
  });
}

async function ingestEvents(workspaces: Workspace[]): Promise<Rate> {
  const writers = await Promise.all(workspaces.map((workspace) => workspace.openEventWriter()));
  try {
    const base = Date.UTC(2026, 5, 1);
    return await load(EVENT_BATCHES_PER_CLIENT, EVENTS_PER_BATCH, async (client, batch) => {
      const first = (client * EVENT_BATCHES_PER_CLIENT + batch) * EVENTS_PER_BATCH;
      const records: EventRecord[] = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
        type: 'prediction',
        time: new Date(base + first + i).toISOString(),
        unit: `u${first + i}`,
        requestId: `r${first + i}`,
        model: 'flight-delay',
        version: 1,
        score: (i % 100) / 100,
        decision: i % 2,
        latencyMs: 1.5,
        idempotencyKey: `k${first + i}`,
      }));
      await writers[client % writers.length]!.append(records);
    });
  } finally {
    for (const writer of writers) await writer.close();
  }
}

export async function benchScale(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const context = { actor: 'bench', now: () => new Date() };
  const dirs: string[] = [];
  const dir = (): string => {
    const made = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-scale-'));
    dirs.push(made);
    return made;
  };
  const names = [`mlcycle_bench_${randomBytes(4).toString('hex')}`, `mlcycle_bench_${randomBytes(4).toString('hex')}`];
  const uri = (name: string) => {
    const url = new URL(ADMIN);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const previous = process.env.MLCYCLE_STORE;
  try {
    delete process.env.MLCYCLE_STORE;
    for (const name of names) await admin(`create database ${name}`);
    // Over HTTP: one server on SQLite, then two on PostgreSQL.
    const httpSqlite = await ingestHttp([dir()], { MLCYCLE_STORE: '' });
    const httpPostgres = await ingestHttp([dir(), dir()], { MLCYCLE_STORE: uri(names[0]!) });
    const eventsEmbedded = await eventsHttp([dir()], { MLCYCLE_STORE: '' });
    const eventsShared = await eventsHttp([dir(), dir()], { MLCYCLE_STORE: uri(names[0]!) });
    // At the store level, and the event logs.
    const { workspace: local } = await createWorkspace(dir(), 'bench', context);
    const storeSqlite = await ingestStore([local]);
    const embedded = await ingestEvents([local]);
    await local.close();
    process.env.MLCYCLE_STORE = uri(names[1]!);
    const replicas = [(await createWorkspace(dir(), 'bench', context)).workspace, (await createWorkspace(dir(), 'bench', context)).workspace];
    const storePostgres = await ingestStore(replicas);
    const shared = await ingestEvents(replicas);
    for (const replica of replicas) await replica.close();
    const loadAverage = os.loadavg().map((value) => value.toFixed(2)).join(' ');
    const line = (name: string, mine: number, reference: number, digits = 0) =>
      console.log(`BENCH ${name} mlcycle=${mine.toFixed(digits)} reference=${reference.toFixed(digits)} ratio=${(mine / reference).toFixed(2)} (load ${loadAverage})`);
    line('scale.postgres-log-batch-points-per-s', httpPostgres.perS, httpSqlite.perS);
    line('scale.postgres-p99-ms', httpPostgres.p99Ms, httpSqlite.p99Ms, 1);
    line('scale.postgres-store-log-batch-points-per-s', storePostgres.perS, storeSqlite.perS);
    line('scale.shared-events-per-s', eventsShared.perS, eventsEmbedded.perS);
    line('scale.shared-events-p99-ms', eventsShared.p99Ms, eventsEmbedded.p99Ms, 1);
    line('scale.shared-events-store-per-s', shared.perS, embedded.perS);
  } finally {
    if (previous === undefined) delete process.env.MLCYCLE_STORE;
    else process.env.MLCYCLE_STORE = previous;
    for (const name of names) await admin(`drop database if exists ${name} with (force)`).catch(() => undefined);
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  }
}
