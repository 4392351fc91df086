/**
 * Keys that name Object.prototype members (`__proto__`, `constructor`, `toString`...) are ordinary keys
 * on every path: logged through the library, MLflow's log-batch, log-parameter/set-tag/log-metric and
 * /api/v1's log call, they read back identically through the library, MLflow's runs/get and runs/search,
 * /api/v1's run, experiment tags and model tags, and `mlcycle runs show`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyRecord } from '../src/key-record.js';
import { apiServer } from './support/api-server.js';
import { runMlcycle } from './support/run-cli.js';

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
const keyArbitrary = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.stringMatching(/^[A-Za-z_][\w-]{0,12}$/));
const LOG_PATHS = ['library', 'mlflow log-batch', 'mlflow single', 'api v1 log'] as const;

type Entries = [string, string][];
const sorted = (entries: Entries) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const listEntries = (list: { key: string; value: string }[]): Entries => sorted(list.map(({ key, value }) => [key, value]));
/** Own entries of a parsed JSON object; JSON.parse keeps `__proto__` as an own key. */
const ownEntries = (record: Record<string, unknown>): Entries => sorted(Object.entries(record).map(([key, value]) => [key, String(value)]));
const withoutSystemTags = (entries: Entries) => entries.filter(([key]) => !key.startsWith('mlflow.'));

describe('prototype-named keys', () => {
  it('log and read back identically through the library, both APIs and the CLI', async () => {
    const { workspace, app, context, root } = await apiServer('');
    const inject = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
      const response = await app.inject({ method, url, ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
      return JSON.parse(response.body) as Record<string, any>;
    };
    const experiment = await workspace.runs.ensureExperiment('keys', context);
    let lastRun = '';
    let lastKeys: string[] = [];
    let caseNumber = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(keyArbitrary, { minLength: 1, maxLength: 4 }), fc.constantFrom(...LOG_PATHS), async (keys, path) => {
        caseNumber++;
        const params: Entries = sorted(keys.map((key, index) => [key, `p${index}`]));
        const tags: Entries = sorted(keys.map((key, index) => [key, `t${index}`]));
        const run = await workspace.runs.createRun({ experimentId: experiment.id, name: `r${caseNumber}`, startTime: caseNumber }, context);
        if (path === 'library') {
          await workspace.runs.logBatch(run.id, { params: keyRecord(params), tags: keyRecord(tags), metrics: keys.map((key) => ({ key, steps: Float64Array.of(0), timestamps: Float64Array.of(1), values: Float64Array.of(0.5) })) }, context);
        } else if (path === 'mlflow log-batch') {
          const pairs = (entries: Entries) => entries.map(([key, value]) => ({ key, value }));
          await inject('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run.id, params: pairs(params), tags: pairs(tags), metrics: keys.map((key) => ({ key, value: 0.5, timestamp: 1, step: 0 })) });
        } else if (path === 'mlflow single') {
          for (const [key, value] of params) await inject('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: run.id, key, value });
          for (const [key, value] of tags) await inject('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: run.id, key, value });
          for (const key of keys) await inject('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: run.id, key, value: 0.5, timestamp: 1, step: 0 });
        } else {
          await inject('POST', `/api/v1/runs/${run.id}/log`, { params: keyRecord(params), tags: keyRecord(tags), metrics: keys.map((key) => ({ key, value: 0.5 })) });
        }
        const stored = (await workspace.runs.findRun(run.id)) as NonNullable<Awaited<ReturnType<typeof workspace.runs.findRun>>>;
        expect(ownEntries(stored.params)).toEqual(params);
        expect(withoutSystemTags(ownEntries(stored.tags))).toEqual(tags);
        expect(Object.keys(stored.metrics).sort()).toEqual([...keys].sort());

        const mlflowRun = (await inject('GET', `/api/2.0/mlflow/runs/get?run_id=${run.id}`)).run;
        expect(listEntries(mlflowRun.data.params)).toEqual(params);
        expect(withoutSystemTags(listEntries(mlflowRun.data.tags))).toEqual(tags);
        expect(mlflowRun.data.metrics.map((metric: { key: string }) => metric.key).sort()).toEqual([...keys].sort());

        const [firstKey, firstValue] = params[0] as [string, string];
        const found = await inject('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [experiment.id], filter: `params.\`${firstKey}\` = '${firstValue}' AND tags.\`${firstKey}\` = 't${keys.indexOf(firstKey)}'` });
        expect(found.runs.map((one: { info: { run_id: string } }) => one.info.run_id)).toContain(run.id);

        const apiRun = (await inject('GET', `/api/v1/runs/${run.id}`)).run;
        expect(ownEntries(apiRun.params)).toEqual(params);
        expect(withoutSystemTags(ownEntries(apiRun.tags))).toEqual(tags);
        expect(Object.keys(apiRun.metrics).sort()).toEqual([...keys].sort());

        const experimentTags = { name: `e${caseNumber}`, tags: tags.map(([key, value]) => ({ key, value })) };
        const experimentId = (await inject('POST', '/api/2.0/mlflow/experiments/create', experimentTags)).experiment_id as string;
        expect(listEntries((await inject('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)).experiment.tags)).toEqual(tags);
        expect(ownEntries((await inject('GET', `/api/v1/experiments/${experimentId}`)).experiment.tags)).toEqual(tags);
        await inject('POST', '/api/2.0/mlflow/registered-models/create', { name: `m${caseNumber}`, tags: tags.map(([key, value]) => ({ key, value })) });
        expect(listEntries((await inject('GET', `/api/2.0/mlflow/registered-models/get?name=m${caseNumber}`)).registered_model.tags)).toEqual(tags);
        lastRun = run.id;
        lastKeys = keys;
      }),
      { numRuns: 25, seed: 16 },
    );
    await app.close();
    await workspace.close();
    const shown = runMlcycle(['runs', 'show', lastRun, '--json'], { cwd: root });
    expect(shown.code, shown.stderr).toBe(0);
    const run = JSON.parse(shown.stdout) as { params: Record<string, string>; tags: Record<string, string> };
    expect(Object.keys(run.params).sort()).toEqual([...lastKeys].sort());
    const text = runMlcycle(['runs', 'show', lastRun], { cwd: root }).stdout;
    for (const key of lastKeys) expect(text).toContain(key);
  });
});
