/**
 * Two real `mlcycle server` processes (dist/cli/main.js), each with its own folder and port, on one
 * PostgreSQL database and one S3 API server (s3rver), under parallel HTTP clients: no lost writes, no
 * duplicate version numbers, atomic alias moves, every webhook delivered once, artifacts uploaded
 * through one server read through the other; then the leaseholder of the background loops is SIGKILLed
 * and the other server takes its loops over once the lease expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { startObjectStore, type TestObjectStore } from './support/object-store.js';
import { runMlcycle, startServerProcess, type ServerProcess } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';
import { startReceiver } from './support/webhook-receiver.js';

const LEASE_TTL_S = 2;
let database: TestDatabase;
let objects: TestObjectStore;
let servers: [ServerProcess, ServerProcess];
let environment: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  objects = await startObjectStore();
  environment = { ...objects.environment, MLCYCLE_STORE: database.uri, MLCYCLE_ARTIFACTS: `s3://${objects.bucket}/team` };
  const started: ServerProcess[] = [];
  for (const user of ['ana', 'ben']) {
    const dir = tempDir();
    const init = runMlcycle(['init'], { cwd: dir, env: { ...environment, MLCYCLE_USER: user } });
    expect(init.code, init.stderr).toBe(0);
    started.push(await startServerProcess(dir, { ...environment, MLCYCLE_USER: user }, ['--allow-private-webhooks', '--rollout-interval', '1', '--lease-ttl', String(LEASE_TTL_S)]));
  }
  servers = started as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  for (const server of servers ?? []) await server.stop();
  await objects?.close();
  await database?.drop();
}, 30_000);

async function call<T = Record<string, unknown>>(server: ServerProcess, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} on ${server.url}: HTTP ${response.status} ${text}${response.status >= 500 ? `\nserver log:\n${server.stderr().slice(-3000)}` : ''}`);
  return JSON.parse(text) as T;
}

/** Runs `count` calls, 8 at a time (eight parallel clients), alternating between the two servers. */
async function eightClients<T>(count: number, request: (server: ServerProcess, index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let index = next++; index < count; index = next++) results[index] = await request(servers[index % 2] as ServerProcess, index);
    }),
  );
  return results;
}

interface LeaseRow {
  name: string;
  holder: string;
  expires_at: string;
}

async function leases(): Promise<Map<string, { holder: string; expiresAt: number }>> {
  const client = new pg.Client({ connectionString: database.uri });
  await client.connect();
  try {
    const { rows } = await client.query<LeaseRow>('select name, holder, expires_at from leases');
    return new Map(rows.map((row) => [row.name, { holder: row.holder, expiresAt: Number(row.expires_at) }]));
  } finally {
    await client.end();
  }
}

const pidOf = (holder: string | undefined) => Number(holder?.split(':')[1]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Delivered {
  deliveryId: number;
  event: { id: number; type: string; version: number | null; details: Record<string, unknown> };
}

describe('two mlcycle server processes on one PostgreSQL and one object store', () => {
  it('lose no write, number versions once, move aliases atomically and deliver each webhook once under parallel clients', async () => {
    const [a, b] = servers;
    const receiver = await startReceiver();
    await call(a, 'POST', '/api/v1/webhooks', { url: receiver.url });
    const { experiment_id: experimentId } = await call<{ experiment_id: string }>(b, 'POST', '/api/2.0/mlflow/experiments/create', { name: 'delays' });

    // 32 log-batch requests on one run, 100 points each, half through each server.
    const { run } = await call<{ run: { info: { run_id: string } } }>(a, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: 'gbdt' });
    const runId = run.info.run_id;
    await eightClients(32, (server, batch) =>
      call(server, 'POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id: runId,
        params: [{ key: `p${batch}`, value: String(batch) }],
        tags: [{ key: `t${batch}`, value: 'x' }],
        metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'loss', value: batch * 100 + i, step: batch * 100 + i, timestamp: 1 })),
      }),
    );
    for (const server of servers) {
      const history = await call<{ steps: number[] }>(server, 'GET', `/api/v1/runs/${runId}/metrics/loss?maxPoints=10000`);
      expect([...history.steps].sort((x, y) => x - y)).toEqual(Array.from({ length: 3200 }, (_, i) => i));
      const { run: found } = await call<{ run: { data: { params: unknown[]; tags: { key: string }[] } } }>(server, 'GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`);
      expect(found.data.params).toHaveLength(32);
      expect(found.data.tags.filter((tag) => /^t\d+$/.test(tag.key))).toHaveLength(32);
    }

    // The model file goes to the object store through one server and is read back through the other.
    const model = '{"kind":"route-rate","rates":{"ORD":0.31}}';
    const uploaded = await fetch(`${a.url}/api/v1/runs/${runId}/artifacts/content?path=model/model.json`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: model });
    expect(uploaded.status).toBe(200);
    const downloaded = await fetch(`${b.url}/api/v1/runs/${runId}/artifacts/content?path=model/model.json`);
    expect(downloaded.status).toBe(200);
    expect(await downloaded.text()).toBe(model);

    // 24 parallel registrations of one new model: versions 1 to 24, each once.
    const versions = await eightClients(24, (server) => call<{ version: { version: number } }>(server, 'POST', '/api/v1/models/delay-alert/versions', { runId, path: 'model' }));
    expect(versions.map((one) => one.version.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));

    // 16 parallel moves of one alias: each move's event names the version it really replaced, so the
    // previous versions chain from null through every move to the alias's final version.
    await eightClients(16, (server, index) => call(server, 'POST', '/api/2.0/mlflow/registered-models/alias', { name: 'delay-alert', alias: 'champion', version: String(index + 1) }));
    const { events } = await call<{ events: Delivered['event'][] }>(b, 'GET', '/api/v1/registry/events?limit=10000');
    const moves = events.filter((event) => event.type === 'model_version.alias_set');
    expect(moves).toHaveLength(16);
    expect(moves[0]?.details.previousVersion).toBeNull();
    for (let index = 1; index < moves.length; index++) expect(moves[index]?.details.previousVersion).toBe(moves[index - 1]?.version);
    for (const server of servers) {
      const { model: registered } = await call<{ model: { aliases: Record<string, number> } }>(server, 'GET', '/api/v1/models/delay-alert');
      expect(registered.aliases).toEqual({ champion: moves.at(-1)?.version });
    }

    // Every registry event reaches the receiver once, although both servers run a deliverer.
    await receiver.waitFor(events.length);
    await sleep(2500);
    const delivered = receiver.received.map((request) => JSON.parse(request.body) as Delivered);
    expect(delivered.map((one) => one.event.id).sort((x, y) => x - y)).toEqual(events.map((event) => event.id).sort((x, y) => x - y));
    expect(new Set(delivered.map((one) => one.deliveryId)).size).toBe(delivered.length);
    const { deliveries } = await call<{ deliveries: { state: string }[] }>(a, 'GET', '/api/v1/webhook-deliveries?limit=1000');
    expect(deliveries.filter((one) => one.state !== 'delivered')).toEqual([]);
    // Both servers delivered through the lease: one of them took it, the other never held it.
    const takers = servers.filter((server) => server.stderr().includes('lease webhook-delivery: taken'));
    expect(takers).toHaveLength(1);
  }, 120_000);

  it('hands the background loops to the other server once their SIGKILLed holder’s lease expires', async () => {
    const receiver = await startReceiver();
    const [a] = servers;
    await call(a, 'POST', '/api/v1/webhooks', { url: receiver.url });
    // Both loops are held, and by one live server each; while the holders live, no lease changes hands.
    const first = await leases();
    const holders = new Map(['webhook-delivery', 'rollout-controller'].map((name) => [name, first.get(name)?.holder]));
    for (const holder of holders.values()) expect(servers.map((server) => server.pid)).toContain(pidOf(holder));
    for (let check = 0; check < 6; check++) {
      await sleep(500);
      const now = await leases();
      for (const [name, holder] of holders) expect(now.get(name)?.holder).toBe(holder);
    }

    const victim = servers.find((server) => server.pid === pidOf(holders.get('webhook-delivery'))) as ServerProcess;
    const survivor = servers.find((server) => server !== victim) as ServerProcess;
    const { expiresAt } = (await leases()).get('webhook-delivery') as { expiresAt: number };
    await victim.kill();
    const killedAt = Date.now();
    // A change made through the survivor right after the kill is delivered once the survivor holds the lease.
    await call(survivor, 'POST', '/api/v1/models', { name: 'lease-check' });
    let takenAt = 0;
    while (takenAt === 0 && Date.now() - killedAt < 10_000) {
      const now = await leases();
      if (pidOf(now.get('webhook-delivery')?.holder) === survivor.pid && pidOf(now.get('rollout-controller')?.holder) === survivor.pid) takenAt = Date.now();
      else await sleep(50);
    }
    expect(takenAt).toBeGreaterThanOrEqual(expiresAt);
    // Expiry, plus at most one heartbeat (a third of the lease) and the polling above.
    expect(takenAt - killedAt).toBeLessThan(LEASE_TTL_S * 1000 + 1500);
    expect(survivor.stderr()).toMatch(/lease webhook-delivery: taken by this server/);
    await receiver.waitFor(1);
    await sleep(1500);
    const delivered = receiver.received.map((request) => JSON.parse(request.body) as Delivered);
    expect(delivered.map((one) => one.event.type)).toEqual(['registered_model.created']);
  }, 60_000);
});
