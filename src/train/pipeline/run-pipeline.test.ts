import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_CSV, openDataFixture, type DataFixture } from '../../../test/support/data-workspace.js';
import { addDataset } from '../../data/add-dataset.js';
import { rocAucScore } from '../../metrics/roc-auc.js';
import { predictModel } from '../../models/predict-model.js';
import { parseModel } from '../../models/model-format.js';
import { artifactBlobKey } from '../../tracking/run-artifacts.js';
import { runPipeline } from './run-pipeline.js';
import { StepCache, stepCacheKey } from './step-cache.js';
import { readFeatureColumns } from './steps/feature-file.js';

const PIPELINE = `name: bank-gbdt
data:
  dataset: bank
  split: { by: stratified, validation: 0.3, seed: 3 }
features:
  - { name: age, type: numeric }
  - { name: job, type: categorical }
  - { name: campaign, type: numeric }
  - { name: euribor3m, type: numeric }
  - { name: employed, type: numeric, sql: '"nr.employed"' }
train:
  learner: gbdt
  params: { rounds: 15, numLeaves: 7, minDataInLeaf: 10 }
`;

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** A workspace holding every 8th row of the bank data (about 5,000 rows) as `bank`, and the pipeline file. */
async function bankWorkspace(): Promise<DataFixture & { file: string }> {
  fixture = await openDataFixture();
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  const sample = path.join(fixture.root, 'bank-sample.csv');
  writeFileSync(sample, [lines[0], ...lines.slice(1).filter((_, index) => index % 8 === 0)].join('\n'));
  await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file: sample, name: 'bank', delimiter: ';' }, fixture.context);
  const file = path.join(fixture.root, 'pipeline.yaml');
  writeFileSync(file, PIPELINE);
  return { ...fixture, file };
}

describe('runPipeline', () => {
  it('caches each step, recomputes only what a change reaches, and records the run', async () => {
    const { workspace, context, file } = await bankWorkspace();
    const run = (overrides: Record<string, unknown> = {}) => runPipeline({ workspace, context, pipeline: { file }, overrides, command: false });
    const first = await run();
    expect(first.steps.map((step) => [step.step, step.cached])).toEqual([['split', false], ['features', false], ['train', false], ['evaluate', false]]);
    // The model as stored scores validation as the evaluation says, and as the last round did.
    const validation = await readFeatureColumns(await new StepCache(workspace).file({ sha256: first.steps[1]?.outputs.validation as string, size: 0 }));
    const auc = rocAucScore(validation.label, predictModel(parseModel(readFileSync(first.model.file, 'utf8')), validation.raw));
    expect(first.metrics.roc_auc).toBeCloseTo(auc, 12);
    expect(first.history).toHaveLength(15);
    expect(first.history.at(-1)?.value).toBeCloseTo(auc, 12);

    const second = await run();
    expect(second.cached).toBe(true);
    expect(second.runId).not.toBe(first.runId);
    expect(second.model.sha256).toBe(first.model.sha256);
    expect(second.metrics).toEqual(first.metrics);
    expect(second.history).toEqual(first.history);

    const leaves = await run({ 'train.params.numLeaves': 5 });
    expect(leaves.steps.map((step) => step.cached)).toEqual([true, true, false, false]);
    // Writing out the default label changes nothing the steps see.
    const label = await run({ label: '("y" = 1)' });
    expect(label.steps.map((step) => step.cached)).toEqual([true, true, true, true]);
    // A label SQL that gives the same bytes (every age is positive) recomputes the features only: the
    // steps below are keyed by their inputs' content.
    const same = await run({ label: '("y" = 1) AND age > 0' });
    expect(same.steps.map((step) => step.cached)).toEqual([true, false, true, true]);
    const features = await run({ label: '("y" = 1) AND age > 40' });
    expect(features.steps.map((step) => step.cached)).toEqual([true, false, false, false]);
    const seed = await run({ 'data.split.seed': 4 });
    expect(seed.steps.map((step) => step.cached)).toEqual([false, false, false, false]);

    const recorded = await workspace.runs.findRun(second.runId);
    expect(recorded?.tags['mlcycle.cached']).toBe('true');
    expect(recorded?.tags['step.train.computed_by']).toBe(first.runId);
    expect(recorded?.inputs.map((input) => [input.versionRef, input.context])).toEqual([
      ['bank@1', 'source'],
      ['bank-train@1', 'training'],
      ['bank-validation@1', 'validation'],
    ]);
    expect(await workspace.runs.findArtifacts(second.runId, 'model')).toEqual([{ path: 'model/model.json', size: expect.any(Number), sha256: first.model.sha256 }]);
  });

  it('stops where onRound prunes, keeps the pruned model out of the cache, and replays cached rounds', async () => {
    const { workspace, context, file } = await bankWorkspace();
    const heard: number[] = [];
    const pruned = await runPipeline({ workspace, context, pipeline: { file }, command: false, onRound: (round) => (heard.push(round), round === 4 ? 'prune' : 'continue') });
    expect(heard).toEqual([1, 2, 3, 4]);
    expect(pruned.pruned).toBe(true);
    expect(pruned.objective).toEqual({ metric: 'roc_auc', value: pruned.history[3]?.value, higherIsBetter: true });
    const full = await runPipeline({ workspace, context, pipeline: { file }, command: false });
    expect(full.steps.map((step) => step.cached)).toEqual([true, true, false, false]);
    const replayed: number[] = [];
    const again = await runPipeline({ workspace, context, pipeline: { file }, command: false, onRound: (round) => (replayed.push(round), round === 6 ? 'prune' : 'continue') });
    expect(replayed).toEqual([1, 2, 3, 4, 5, 6]);
    expect(again.pruned).toBe(true);
    expect(again.objective.value).toBe(full.history[5]?.value);
  });

  it('writes no cache entry when a step fails, and recomputes an entry whose file has gone', async () => {
    const { workspace, context, file } = await bankWorkspace();
    const cache = new StepCache(workspace);
    const key = stepCacheKey({ step: 'train', codeVersion: 't', params: {}, inputs: {} });
    const real = path.join(path.dirname(file), 'bank-sample.csv');
    await expect(cache.store({ cacheKey: key, step: 'train', codeVersion: 't', params: {}, inputs: {} }, { a: real, b: path.join(path.dirname(file), 'missing') }, {}, 1, undefined, context)).rejects.toThrow();
    expect(await cache.lookup(key)).toBeUndefined();
    const rows = await workspace.db.withTables<{ pipeline_steps: { cache_key: string } }>().selectFrom('pipeline_steps').select('cache_key').execute();
    expect(rows).toEqual([]);

    const first = await runPipeline({ workspace, context, pipeline: { file }, command: false });
    rmSync(workspace.artifacts.localPath(artifactBlobKey(first.model.sha256)));
    const second = await runPipeline({ workspace, context, pipeline: { file }, command: false });
    // Training again gives the same bytes, so the evaluation's key, and its cached result, still hold.
    expect(second.steps.map((step) => step.cached)).toEqual([true, true, false, true]);
    expect(second.model.sha256).toBe(first.model.sha256);
    expect(workspace.artifacts.exists(artifactBlobKey(first.model.sha256))).toBe(true);
  });
});
