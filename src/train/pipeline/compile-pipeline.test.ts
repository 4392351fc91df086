import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BANK_SPEC } from '../../../test/support/data-workspace.js';
import { thrownMlcycleError } from '../../../test/support/thrown.js';
import { formatIssue } from '../../error.js';
import { checkSpecText } from '../../problem/load-spec.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import { checkPipelineText } from './load-pipeline.js';
import { applyOverrides, parseOverrides } from './overrides.js';
import { planPipeline } from './plan-pipeline.js';
import { stableJson, stepCacheKey } from './step-cache.js';
import { scorePredictions } from './steps/score-predictions.js';
import { encodeFeatureColumns } from './steps/feature-file.js';

const check = checkSpecText(BANK_SPEC, 'mlcycle.yaml');
const SPEC = check.spec as ProblemSpec;

const PIPELINE = `name: bank-gbdt
data:
  dataset: bank@1
  split: { by: stratified, validation: 0.25, seed: 7 }
features:
  - { name: age, type: numeric }
  - { name: job, type: categorical }
train:
  learner: gbdt
  params: { rounds: 20, numLeaves: 15 }
`;

function problems(text: string, overrides: Record<string, unknown> = {}): string[] {
  const error = thrownMlcycleError(() => checkPipelineText(text, 'pipeline.yaml', SPEC, overrides));
  expect(error.code).toBe('invalid_input');
  return error.issues.map(formatIssue);
}

describe('compiling a pipeline', () => {
  it('fills defaults from the problem spec: label, metrics, objective, experiment', () => {
    const pipeline = checkPipelineText(PIPELINE, 'pipeline.yaml', SPEC, {});
    expect(pipeline).toMatchObject({
      name: 'bank-gbdt',
      experiment: 'term-deposits',
      task: 'binary',
      label: '("y" = 1)',
      metrics: ['roc_auc', 'log_loss'],
      train: { learner: 'gbdt', params: { rounds: 20, numLeaves: 15, objective: 'binary' }, sampleStride: 1 },
      data: { dataset: 'bank@1', split: { by: 'stratified', validation: 0.25, seed: 7 } },
    });
  });

  it('reports every problem with its file, line and field path', () => {
    const text = PIPELINE.replace('numLeaves: 15', 'numLeave: 15').replace('type: categorical', 'type: text').replace('learner: gbdt', 'learner: gbdt\n  sampleStride: 0');
    expect(problems(text)).toEqual([
      'pipeline.yaml:7: features[1].type: expected one of numeric, categorical',
      'pipeline.yaml:10: train.sampleStride: must be at least 1',
    ]);
    // Learner parameters are checked once the shape is right, against the learner's own schema.
    expect(problems(PIPELINE.replace('numLeaves: 15', 'numLeave: 15'))).toEqual(['pipeline.yaml:10: train.params.numLeave: unknown field (did you mean numLeaves?) (learner gbdt)']);
  });

  it('reports a bad shape and the problems of the well-formed parts in one pass', () => {
    // A bad feature type (the shape) and an unknown learner parameter (checked against the learner) together.
    expect(problems(PIPELINE.replace('type: categorical', 'type: text').replace('numLeaves: 15', 'numLeave: 15'))).toEqual([
      'pipeline.yaml:7: features[1].type: expected one of numeric, categorical',
      'pipeline.yaml:10: train.params.numLeave: unknown field (did you mean numLeaves?) (learner gbdt)',
    ]);
    // The same with a metric the task cannot compute and a malformed data section: each part is checked on its own.
    const text = PIPELINE.replace('type: categorical', 'type: text').replace('seed: 7', 'seed: -1').concat('evaluate: { metrics: [rmse] }\n');
    expect(problems(text)).toEqual([
      'pipeline.yaml:4: data.split.seed: must be at least 0',
      'pipeline.yaml:7: features[1].type: expected one of numeric, categorical',
      'pipeline.yaml:11: evaluate.metrics[0]: rmse does not apply to a binary task',
    ]);
  });

  it('points YAML syntax errors at their line', () => {
    expect(problems(PIPELINE.replace('  - { name: job, type: categorical }', '  - { name: job, type: categorical'))[0]).toMatch(/^pipeline\.yaml:8: YAML: Flow map/);
  });

  it('checks the data, metrics and learner against the task and the features', () => {
    const text = PIPELINE.replace('  dataset: bank@1\n', '  dataset: bank@1\n  training: bank-train\n')
      .replace("learner: gbdt\n  params: { rounds: 20, numLeaves: 15 }", 'learner: grouped-rate\n  params: { groups: [job, city] }')
      .concat('evaluate: { metrics: [roc_auc, rmse, brierr] }\n');
    expect(problems(text)).toEqual([
      'pipeline.yaml:3: data: give either training and validation, or dataset and split, not both',
      'pipeline.yaml:11: train.params.groups[1]: "city" is not one of the features',
      'pipeline.yaml:12: evaluate.metrics[1]: rmse does not apply to a binary task',
      'pipeline.yaml:12: evaluate.metrics[2]: unknown ML metric "brierr"',
    ]);
  });

  it('applies --set overrides before validation and blames --set for their problems', () => {
    const overrides = parseOverrides(['train.params.numLeaves=31', 'train.params.learningRate=0.05', 'evaluate.metrics=[log_loss]']);
    expect(overrides).toEqual({ 'train.params.numLeaves': 31, 'train.params.learningRate': 0.05, 'evaluate.metrics': ['log_loss'] });
    const pipeline = checkPipelineText(PIPELINE, 'pipeline.yaml', SPEC, overrides);
    expect(pipeline.train.params).toMatchObject({ numLeaves: 31, learningRate: 0.05, rounds: 20 });
    expect(pipeline.metrics).toEqual(['log_loss']);
    expect(problems(PIPELINE, parseOverrides(['train.params.numLeavs=31']))).toEqual(['--set: train.params.numLeavs: unknown field (did you mean numLeaves?) (learner gbdt)']);
    expect(problems(PIPELINE, parseOverrides(['train.params.rounds=many']))).toEqual(['--set: train.params.rounds: expected a number, got string "many" (learner gbdt)']);
    expect(thrownMlcycleError(() => parseOverrides(['rounds'])).code).toBe('usage');
    expect(applyOverrides({ a: { b: 1 } }, { 'a.c.d': true })).toEqual({ a: { b: 1, c: { d: true } } });
  });

  it('reads an inline pipeline: section of mlcycle.yaml with its lines', () => {
    const inline = `${BANK_SPEC}pipeline:\n${PIPELINE.split('\n').map((line) => (line === '' ? line : `  ${line}`)).join('\n')}`;
    const spec = checkSpecText(inline, 'mlcycle.yaml');
    expect(spec.issues).toEqual([]);
    expect(checkPipelineText(inline, 'mlcycle.yaml', spec.spec as ProblemSpec, {}, 'pipeline').name).toBe('bank-gbdt');
    const bad = inline.replace('numLeaves: 15', 'numLeaves: 1');
    const error = thrownMlcycleError(() => checkPipelineText(bad, 'mlcycle.yaml', checkSpecText(bad, 'mlcycle.yaml').spec as ProblemSpec, {}, 'pipeline'));
    const line = bad.split('\n').findIndex((text) => text.includes('numLeaves: 1')) + 1;
    expect(error.issues.map(formatIssue)).toEqual([`mlcycle.yaml:${line}: pipeline.train.params.numLeaves: must be at least 2 (learner gbdt)`]);
  });
});

describe('planning and cache keys', () => {
  const pipeline = checkPipelineText(PIPELINE, 'pipeline.yaml', SPEC, {});

  it('plans split, features, train and evaluate with their inputs', () => {
    const plan = planPipeline(pipeline);
    expect(plan.map((step) => [step.name, Object.keys(step.inputs)])).toEqual([
      ['split', ['dataset']],
      ['features', ['training', 'validation']],
      ['train', ['training', 'validation']],
      ['evaluate', ['model', 'validation']],
    ]);
    const pair = checkPipelineText(PIPELINE.replace(/ {2}dataset: bank@1\n.*\n/, '  training: bank-train@1\n  validation: bank-validation@1\n'), 'p.yaml', SPEC, {});
    expect(planPipeline(pair).map((step) => step.name)).toEqual(['features', 'train', 'evaluate']);
    expect(planPipeline(pair)[0]?.inputs).toEqual({ training: { dataset: 'training' }, validation: { dataset: 'validation' } });
  });

  it('changes only the keys of the steps whose parameters changed', () => {
    const keys = (overrides: Record<string, unknown>) => {
      const steps = planPipeline(checkPipelineText(PIPELINE, 'pipeline.yaml', SPEC, overrides));
      return Object.fromEntries(steps.map((step) => [step.name, stepCacheKey({ step: step.name, codeVersion: step.codeVersion, params: step.params, inputs: { upstream: 'same' } })]));
    };
    const base = keys({});
    const leaves = keys({ 'train.params.numLeaves': 31 });
    expect([base.split === leaves.split, base.features === leaves.features, base.train === leaves.train, base.evaluate === leaves.evaluate]).toEqual([true, true, false, true]);
    const seed = keys({ 'data.split.seed': 8 });
    expect([base.split === seed.split, base.features === seed.features]).toEqual([false, true]);
    // Key order in the file does not matter.
    expect(stableJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
  });
});

describe('scorePredictions', () => {
  const reference = JSON.parse(readFileSync(new URL('../../../test/fixtures/pipeline/score-reference.json', import.meta.url), 'utf8')) as Record<string, Record<string, number | number[]>>;
  const arrays = (part: string) => [Float64Array.from(reference[part]?.predictions as number[]), Float64Array.from(reference[part]?.label as number[])] as const;

  it('equals scikit-learn on binary, regression and multiclass scores', () => {
    const binary = scorePredictions(['roc_auc', 'log_loss'], ...arrays('binary'));
    expect(binary.roc_auc).toBeCloseTo(reference.binary?.roc_auc as number, 12);
    expect(binary.log_loss).toBeCloseTo(reference.binary?.log_loss as number, 12);
    const regression = scorePredictions(['rmse', 'mae', 'r2'], ...arrays('regression'));
    for (const metric of ['rmse', 'mae', 'r2']) expect(regression[metric]).toBeCloseTo(reference.regression?.[metric] as number, 12);
    expect(scorePredictions(['log_loss'], ...arrays('multiclass')).log_loss).toBeCloseTo(reference.multiclass?.log_loss as number, 12);
  });
});

describe('feature files', () => {
  it('round-trips numbers, NaN, categories and missing values', async () => {
    const { readFeatureColumns } = await import('./steps/feature-file.js');
    const { tempDir } = await import('../../../test/support/temp-dir.js');
    const { writeFileSync } = await import('node:fs');
    const file = `${tempDir()}/t.features`;
    const table = {
      rows: 3,
      signature: [{ name: 'x', type: 'numeric' as const }, { name: 'c', type: 'categorical' as const, categories: ['a', 'b'] }],
      raw: { x: Float64Array.of(1.5, NaN, -2), c: ['b', null, 'zz'] },
      label: Float64Array.of(1, 0, 1),
    };
    writeFileSync(file, encodeFeatureColumns(table));
    const read = await readFeatureColumns(file);
    expect(read.rows).toBe(3);
    expect(read.signature).toEqual(table.signature);
    expect(Array.from(read.raw.x as Float64Array)).toEqual([1.5, NaN, -2]);
    expect(read.raw.c).toEqual(['b', null, 'zz']);
    expect(Array.from(read.label)).toEqual([1, 0, 1]);
  });
});
