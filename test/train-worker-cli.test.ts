import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_PIPELINE as PIPELINE, writeBankPipelineWorkspace } from './support/bank-pipeline.js';
import { exited, freePort, startRedis, startWorker, stopStarted, type StartedProcess } from './support/queue-processes.js';
import { runMlcycle, runMlcycleAsync } from './support/run-cli.js';

interface TrainJson {
  runId: string;
  cached: boolean;
  metrics: Record<string, number>;
  model: { sha256: string };
  steps: { step: string; cacheKey: string; cached: boolean; outputs: Record<string, string>; worker?: string }[];
}

let dir = '';
let queue = '';
let redis: StartedProcess;
let workers: (StartedProcess & { id: string })[] = [];
const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
const query = <T>(text: string): T[] => {
  const db = new Sqlite(path.join(dir, '.mlcycle', 'metadata.db'), { readonly: true });
  try {
    return db.prepare(text).all() as T[];
  } finally {
    db.close();
  }
};
const trainJson = (result: { code: number; stdout: string; stderr: string }): TrainJson => {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as TrainJson;
};
const tagsOf = (runId: string): Record<string, string> => (JSON.parse(run('runs', 'show', runId, '--json').stdout) as { tags: Record<string, string> }).tags;

/** A workspace with every 8th bank row as `bank`, a redis-server, and two workers that give up on a dead worker's job after 2 s. */
beforeAll(async () => {
  // Shared by the tests below (tempDir's folders go after each test).
  dir = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-test-'));
  writeBankPipelineWorkspace(dir);
  ({ url: queue, server: redis } = await startRedis(dir));
  workers = await Promise.all([1, 2].map(() => startWorker(dir, queue, ['--stall-seconds', '2'])));
}, 60_000);
afterAll(() => {
  stopStarted();
  rmSync(dir, { recursive: true, force: true });
});

describe('mlcycle train --queue with two mlcycle worker processes', () => {
  it('computes each step on a worker, with the cache keys, outputs and metrics of a local run', () => {
    const remote = trainJson(run('train', '--queue', queue, '--json'));
    const ids = workers.map((worker) => worker.id);
    expect(remote.steps.map((step) => step.cached)).toEqual([false, false, false, false]);
    for (const step of remote.steps) expect(ids).toContain(step.worker);
    const tags = tagsOf(remote.runId);
    for (const step of remote.steps) expect(tags[`step.${step.step}.worker`]).toBe(step.worker);

    // Recomputed here, in the same stores: the same keys, the same bytes, the same metrics.
    const local = trainJson(run('train', '--no-cache', '--json'));
    expect(local.steps.map((step) => step.worker)).toEqual([undefined, undefined, undefined, undefined]);
    expect(local.steps.map((step) => [step.step, step.cacheKey, step.outputs])).toEqual(remote.steps.map((step) => [step.step, step.cacheKey, step.outputs]));
    expect(local.model.sha256).toBe(remote.model.sha256);
    expect(local.metrics).toEqual(remote.metrics);
    expect(local.metrics.roc_auc).toBeGreaterThan(0.6);
  });
});

describe('failures of mlcycle train --queue', () => {
  it("fails the run with the worker's error and the step, as a local run fails, and caches nothing", () => {
    writeFileSync(path.join(dir, 'bad.yaml'), PIPELINE.replace('  - { name: euribor3m, type: numeric }', "  - { name: euribor3m, type: numeric }\n  - { name: bogus, type: numeric, sql: 'no_such_column + 1' }"));
    const entries = (): unknown => query('SELECT cache_key FROM pipeline_steps ORDER BY cache_key');
    const before = entries();
    const local = run('train', 'bad.yaml');
    const remote = run('train', 'bad.yaml', '--queue', queue);
    expect(local.code).toBe(70);
    expect(remote.code).toBe(local.code);
    const reason = /^error: (.*)$/m.exec(local.stderr)?.[1];
    expect(reason).toMatch(/Referenced column "no_such_column" not found/);
    const failed = /^error: step features failed on worker (\S+): (.*)$/m.exec(remote.stderr);
    expect(workers.map((worker) => worker.id)).toContain(failed?.[1]);
    expect(failed?.[2]).toBe(reason);
    expect(entries()).toEqual(before);
    expect(query("SELECT status FROM runs WHERE status <> 'FINISHED'")).toEqual([{ status: 'FAILED' }, { status: 'FAILED' }]);
  });

  it('refuses a queue URL that is not redis:// or where no Redis answers, with exit code 2', async () => {
    const runs = (): unknown => query('SELECT count(*) AS n FROM runs');
    const before = runs();
    const scheme = run('train', '--queue', 'http://127.0.0.1:6379');
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/--queue: expected a redis:\/\/ URL, got "http:\/\/127\.0\.0\.1:6379"/);
    expect(run('train', '--queue', 'redis://127.0.0.1:6379/x').stderr).toMatch(/--queue: the database number after the port must be a whole number, got "x"/);
    expect(runs()).toEqual(before);
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    // Reached on the first cache miss only: the run opened and ends FAILED, the cache keeps nothing new.
    const unreachable = run('train', '--set', 'train.params.numLeaves=3', '--queue', nobody);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(`--queue: no Redis answers at ${nobody} (`);
    expect(query("SELECT count(*) AS n FROM pipeline_steps WHERE params LIKE '%\"numLeaves\":3%'")).toEqual([{ n: 0 }]);
    const worker = run('worker', '--queue', nobody);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain(`no Redis answers at ${nobody}`);
  });

  it('gives the step of a worker killed mid-step to the other worker', async () => {
    // 800 rounds take about a second, so the kill lands mid-step; the other worker takes the stalled job.
    const changed = ['--set', 'train.params.numLeaves=5', '--set', 'train.params.rounds=800'];
    // Earlier runs' steps are in the logs (or still in the pipes): only a train step of a new run counts.
    const earlier = query<{ id: string }>('SELECT id FROM runs').map((row) => row.id);
    const newTrain = new RegExp(`step train \\(run (?!${earlier.join('|')})\\w+\\) started`);
    const training = runMlcycleAsync(['train', ...changed, '--queue', queue, '--json'], { cwd: dir });
    const taker = await Promise.race(workers.map((worker) => worker.waitFor(newTrain).then(() => worker)));
    taker.child.kill('SIGKILL');
    const result = trainJson(await training);
    const other = workers.find((worker) => worker !== taker);
    expect(taker.output()).toContain(`step train (run ${result.runId}) started`);
    expect(taker.output()).not.toContain(`step train (run ${result.runId}) computed`);
    expect(other?.output()).toContain(`step train (run ${result.runId}) computed`);
    expect(result.steps.map((step) => [step.step, step.cached, step.worker])).toEqual([
      ['split', true, undefined],
      ['features', true, undefined],
      ['train', false, other?.id],
      ['evaluate', false, other?.id],
    ]);
    // The killed worker left no entry of its own: the one row is the other worker's whole result.
    const trainKey = result.steps[2]?.cacheKey;
    const rows = query<{ outputs: string }>(`SELECT outputs FROM pipeline_steps WHERE cache_key = '${trainKey}'`);
    expect(rows).toHaveLength(1);
    const model = (JSON.parse(rows[0]?.outputs ?? '{}') as Record<string, { sha256: string; size: number }>).model;
    expect(model?.sha256).toBe(result.model.sha256);
    expect(readFileSync(path.join(dir, '.mlcycle', 'artifacts', 'blobs', model?.sha256.slice(0, 2) ?? '', model?.sha256 ?? '')).length).toBe(model?.size);
  });

  it('refuses a queue no worker serves, and serves a rerun wholly from the cache without touching the queue (Redis stopped)', async () => {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => exited(worker.child)));
    const unserved = run('train', '--set', 'train.params.numLeaves=4', '--queue', queue);
    expect(unserved.code).toBe(2);
    expect(unserved.stderr).toContain(`no mlcycle worker serves the queue at ${queue}: start one with \`mlcycle worker --queue ${queue}\``);
    redis.child.kill('SIGTERM');
    await exited(redis.child);
    const again = trainJson(run('train', '--queue', queue, '--json'));
    expect(again.cached).toBe(true);
    expect(again.steps.map((step) => step.worker)).toEqual([undefined, undefined, undefined, undefined]);
    const changed = trainJson(run('train', '--set', 'train.params.numLeaves=5', '--set', 'train.params.rounds=800', '--queue', queue, '--json'));
    expect(changed.cached).toBe(true);
  });
});
