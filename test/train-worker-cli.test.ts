import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_CSV, BANK_SPEC } from './support/data-workspace.js';
import { exited, startRedis, startWorker, stopStarted, type StartedProcess } from './support/queue-processes.js';
import { runMlcycle, runMlcycleAsync } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

const PIPELINE = `name: bank-gbdt
data:
  dataset: bank
  split: { by: stratified, validation: 0.3, seed: 3 }
features:
  - { name: age, type: numeric }
  - { name: job, type: categorical }
  - { name: campaign, type: numeric }
  - { name: euribor3m, type: numeric }
train:
  learner: gbdt
  params: { rounds: 10, numLeaves: 7, minDataInLeaf: 10 }
`;

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
  dir = tempDir();
  expect(run('init', '.', '--name', 'bank').code).toBe(0);
  writeFileSync(path.join(dir, 'mlcycle.yaml'), BANK_SPEC);
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  writeFileSync(path.join(dir, 'bank.csv'), [lines[0], ...lines.slice(1).filter((_, index) => index % 8 === 0)].join('\n'));
  expect(run('data', 'add', 'bank.csv', '--name', 'bank', '--delimiter', ';').code).toBe(0);
  writeFileSync(path.join(dir, 'pipeline.yaml'), PIPELINE);
  ({ url: queue, server: redis } = await startRedis(dir));
  workers = await Promise.all([1, 2].map(() => startWorker(dir, queue, ['--stall-seconds', '2'])));
}, 60_000);
afterAll(stopStarted);

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
