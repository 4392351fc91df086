/**
 * `npm run bench -- scale`: run ingestion (log-batch of 1,000 metric points) from 8 concurrent clients
 * into one run, through two workspaces on one PostgreSQL (two pools, as two server processes would hold),
 * against the same load on one workspace with SQLite. Store level, in one process: the HTTP layer of
 * `mlcycle server` is not in these figures. Needs PostgreSQL on 127.0.0.1:5432 (trust), or
 * MLCYCLE_BENCH_POSTGRES=postgresql://.../postgres.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createWorkspace, type Workspace } from '../src/store/workspace.js';

const CLIENTS = 8;
const BATCHES_PER_CLIENT = 25;
const POINTS = 1000;
const ADMIN = process.env.MLCYCLE_BENCH_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function ingest(workspaces: Workspace[]): Promise<{ pointsPerS: number; p99Ms: number }> {
  const context = { actor: 'bench', now: () => new Date() };
  const experiment = await workspaces[0]!.runs.ensureExperiment('bench', context);
  const run = await workspaces[0]!.runs.createRun({ experimentId: experiment.id, name: 'ingest', startTime: Date.now() }, context);
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const workspace = workspaces[client % workspaces.length]!;
      for (let batch = 0; batch < BATCHES_PER_CLIENT; batch++) {
        const first = (client * BATCHES_PER_CLIENT + batch) * POINTS;
        const steps = Float64Array.from({ length: POINTS }, (_, i) => first + i);
        const t0 = performance.now();
        await workspace.runs.logBatch(run.id, { metrics: [{ key: `loss-${client}`, steps, timestamps: steps, values: steps }] }, context);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { pointsPerS: (CLIENTS * BATCHES_PER_CLIENT * POINTS) / seconds, p99Ms: latencies[Math.ceil(latencies.length * 0.99) - 1] ?? 0 };
}

export async function benchScale(): Promise<void> {
  const context = { actor: 'bench', now: () => new Date() };
  const dirs: string[] = [];
  const dir = (): string => {
    const made = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-scale-'));
    dirs.push(made);
    return made;
  };
  const name = `mlcycle_bench_${randomBytes(4).toString('hex')}`;
  const previous = process.env.MLCYCLE_STORE;
  try {
    delete process.env.MLCYCLE_STORE;
    const { workspace: local } = await createWorkspace(dir(), 'bench', context);
    const sqlite = await ingest([local]);
    await local.close();
    await admin(`create database ${name}`);
    const url = new URL(ADMIN);
    url.pathname = `/${name}`;
    process.env.MLCYCLE_STORE = url.toString();
    const servers = [(await createWorkspace(dir(), 'bench', context)).workspace, (await createWorkspace(dir(), 'bench', context)).workspace];
    const postgres = await ingest(servers);
    for (const server of servers) await server.close();
    const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
    console.log(`BENCH scale.postgres-log-batch-points-per-s mlcycle=${postgres.pointsPerS.toFixed(0)} reference=${sqlite.pointsPerS.toFixed(0)} ratio=${(postgres.pointsPerS / sqlite.pointsPerS).toFixed(2)} (load ${load})`);
    console.log(`BENCH scale.postgres-p99-ms mlcycle=${postgres.p99Ms.toFixed(1)} reference=${sqlite.p99Ms.toFixed(1)} ratio=${(postgres.p99Ms / sqlite.p99Ms).toFixed(2)} (load ${load})`);
  } finally {
    if (previous === undefined) delete process.env.MLCYCLE_STORE;
    else process.env.MLCYCLE_STORE = previous;
    await admin(`drop database if exists ${name} with (force)`).catch(() => undefined);
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  }
}
