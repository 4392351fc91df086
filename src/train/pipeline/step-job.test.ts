import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_CSV, openDataFixture, type DataFixture } from '../../../test/support/data-workspace.js';
import { addDataset } from '../../data/add-dataset.js';
import { MlcycleError } from '../../error.js';
import { loadPipeline } from './load-pipeline.js';
import { planPipeline, STEP_CODE_VERSIONS } from './plan-pipeline.js';
import { runPipeline } from './run-pipeline.js';
import { StepCache } from './step-cache.js';
import { StepRunner, stepJob, type StepJob } from './step-job.js';
import { stepFailureError } from './step-queue.js';

const PIPELINE = `name: bank-logistic
data:
  dataset: bank
  split: { by: random, validation: 0.3, seed: 5 }
features:
  - { name: age, type: numeric }
  - { name: euribor3m, type: numeric }
train:
  learner: logistic-regression
`;

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function runLocally() {
  fixture = await openDataFixture();
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  const sample = path.join(fixture.root, 'bank-sample.csv');
  writeFileSync(sample, [lines[0], ...lines.slice(1).filter((_, index) => index % 16 === 0)].join('\n'));
  await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file: sample, name: 'bank', delimiter: ';' }, fixture.context);
  const file = path.join(fixture.root, 'pipeline.yaml');
  writeFileSync(file, PIPELINE);
  const { workspace, context } = fixture;
  const result = await runPipeline({ workspace, context, pipeline: { file }, command: false });
  return { workspace, context, file, result };
}

/** The evaluate step of the local run as a worker would get it from the queue. */
async function evaluateJob(): Promise<{ job: StepJob; cache: StepCache; runner: StepRunner }> {
  const { workspace, context, file, result } = await runLocally();
  const { spec, pipeline } = await loadPipeline(workspace.root, { file });
  const cache = new StepCache(workspace);
  const outputsOf = async (index: number) => (await cache.lookup(result.steps[index]?.cacheKey ?? ''))?.outputs ?? {};
  const evaluate = result.steps[3];
  if (evaluate === undefined) throw new Error('no evaluate step');
  const job = stepJob({
    workspaceRoot: workspace.root,
    runId: result.runId,
    actor: context.actor,
    spec,
    pipeline,
    step: planPipeline(pipeline)[3] as StepJob['step'],
    cacheKey: evaluate.cacheKey,
    inputs: evaluate.inputs,
    data: {},
    upstream: { features: await outputsOf(1), train: await outputsOf(2) },
    noCache: false,
  });
  return { job, cache, runner: new StepRunner('test-host:1') };
}

describe('StepRunner (what a worker does with a step job)', () => {
  it('answers a cached step from the cache and recomputes it with --no-cache into the same entry', async () => {
    const { job, cache, runner } = await evaluateJob();
    try {
      const before = await cache.lookup(job.cacheKey);
      expect(await runner.run(job)).toEqual({ worker: 'test-host:1', seconds: expect.any(Number), reused: true });
      expect(await runner.run({ ...job, noCache: true })).toEqual({ worker: 'test-host:1', seconds: expect.any(Number), reused: false });
      const after = await cache.lookup(job.cacheKey);
      expect(after?.summary).toEqual(before?.summary);
      expect(after?.outputs).toEqual(before?.outputs);
      expect(after?.runId).toBe(job.runId);
    } finally {
      await runner.close();
    }
  });

  it('refuses a job planned with other step code or whose key does not match its parts', async () => {
    const { job, runner } = await evaluateJob();
    try {
      const older = await runner.run({ ...job, step: { ...job.step, codeVersion: 'evaluate-0' } }).catch((error: unknown) => error);
      expect(older).toBeInstanceOf(MlcycleError);
      expect((older as MlcycleError).message).toBe(`the coordinator planned step evaluate as code evaluate-0, this worker runs ${STEP_CODE_VERSIONS.evaluate}: run the same mlcycle version on both`);
      const tampered = await runner.run({ ...job, inputs: { ...job.inputs, model: '0'.repeat(64) } }).catch((error: unknown) => error);
      expect((tampered as MlcycleError).code).toBe('conflict');
      expect((tampered as MlcycleError).message).toMatch(/^step evaluate: the job's cache key \w{12} does not match its parts \(\w{12}\)$/);
    } finally {
      await runner.close();
    }
  });
});

describe('stepFailureError', () => {
  it("keeps a worker's error code and names the step and worker; anything else is internal", () => {
    const reported = stepFailureError('features', JSON.stringify({ code: 'invalid_input', message: 'no column x', worker: 'h:2' }));
    expect([reported.code, reported.exitCode, reported.message]).toEqual(['invalid_input', 2, 'step features failed on worker h:2: no column x']);
    const stalled = stepFailureError('train', 'job stalled more than allowable limit');
    expect([stalled.code, stalled.message]).toEqual(['internal', 'step train failed in the queue: job stalled more than allowable limit']);
    expect(stepFailureError('train', JSON.stringify({ code: 'nonsense', message: 'x' })).code).toBe('internal');
  });
});
