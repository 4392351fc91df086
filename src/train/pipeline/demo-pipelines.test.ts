import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLIGHT_DELAY_SPEC } from '../../demo/flight-delay-spec.js';
import { DEMO_FEATURES, DEMO_GBDT } from '../../demo/train-demo-models.js';
import { DEFAULT_SMOOTHING } from '../../models/baselines.js';
import { checkSpecText } from '../../problem/load-spec.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import { checkPipelineText } from './load-pipeline.js';

const spec = checkSpecText(FLIGHT_DELAY_SPEC, 'mlcycle.yaml').spec as ProblemSpec;
const example = (name: string) => checkPipelineText(readFileSync(new URL(`../../../examples/flight-delay/${name}`, import.meta.url), 'utf8'), name, spec, {});

describe('the demo as pipelines (examples/flight-delay)', () => {
  it('expresses the demo\'s three models on its features, data and label', () => {
    const [rate, logistic, gbdt] = ['route-rate.yaml', 'logistic.yaml', 'gbdt.yaml'].map(example);
    for (const pipeline of [rate, logistic, gbdt]) {
      expect(pipeline?.features).toEqual(DEMO_FEATURES);
      expect(pipeline?.data).toEqual({ training: 'flights-train', validation: 'flights-validation' });
      expect(pipeline?.label).toBe('(delay > 15)');
      expect(pipeline?.experiment).toBe('flight-delay-alerts');
      expect(pipeline?.metrics).toEqual(['roc_auc']);
    }
    expect(rate?.train).toEqual({ learner: 'grouped-rate', params: { groups: ['origin', 'destination'], smoothing: DEFAULT_SMOOTHING }, sampleStride: 1 });
    expect(logistic?.train).toEqual({ learner: 'logistic-regression', params: { penalty: 'l2', C: 1 }, sampleStride: 100 });
    // The trees watch validation AUC each round, the pipeline's metric; training is the demo's.
    expect(gbdt?.train).toEqual({ learner: 'gbdt', params: { ...DEMO_GBDT, validationMetric: 'auc' }, sampleStride: 1 });
  });
});
