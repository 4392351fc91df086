import { describe, expect, it } from 'vitest';
import { DEMO_PIPELINES, DEMO_SEARCH_SPACE } from '../../demo/flight-delay-pipelines.js';
import { FLIGHT_DELAY_SPEC } from '../../demo/flight-delay-spec.js';
import { DEMO_FEATURES, DEMO_GBDT } from '../../demo/train-demo-models.js';
import { DEFAULT_SMOOTHING } from '../../models/baselines.js';
import { checkSpecText } from '../../problem/load-spec.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import { checkSearchSpaceText } from '../tune/search-space-schema.js';
import { checkPipelineText } from './load-pipeline.js';

const spec = checkSpecText(FLIGHT_DELAY_SPEC, 'mlcycle.yaml').spec as ProblemSpec;
const example = (name: keyof typeof DEMO_PIPELINES) => checkPipelineText(DEMO_PIPELINES[name], `pipelines/${name}.yaml`, spec, {});

describe('the demo as pipelines (src/demo/flight-delay-pipelines.ts)', () => {
  it('expresses the demo\'s three models on its features, data and label', () => {
    const [rate, logistic, gbdt] = (['route-rate', 'logistic', 'gbdt'] as const).map(example);
    for (const pipeline of [rate, logistic, gbdt]) {
      expect(pipeline?.features).toEqual(DEMO_FEATURES);
      expect(pipeline?.data).toEqual({ training: 'flights-train', validation: 'flights-validation' });
      expect(pipeline?.label).toBe('(delay > 15)');
      expect(pipeline?.experiment).toBe('flight-delay-alerts');
      expect(pipeline?.metrics).toEqual(['roc_auc', 'log_loss']);
    }
    expect(rate?.train).toEqual({ learner: 'grouped-rate', params: { groups: ['origin', 'destination'], smoothing: DEFAULT_SMOOTHING }, sampleStride: 1 });
    expect(logistic?.train).toEqual({ learner: 'logistic-regression', params: { penalty: 'l2', C: 1 }, sampleStride: 100 });
    // The trees watch validation AUC each round, the pipeline's metric; training is the demo's.
    expect(gbdt?.train).toEqual({ learner: 'gbdt', params: { ...DEMO_GBDT, validationMetric: 'auc' }, sampleStride: 1 });
  });

  it('tunes the trees over parameters the gbdt pipeline takes, at both ends of each range', () => {
    const space = checkSearchSpaceText(DEMO_SEARCH_SPACE, 'pipelines/gbdt-space.yaml');
    expect(space.issues).toEqual([]);
    const parameters = Object.entries(space.value ?? {});
    expect(parameters.map(([name]) => name)).toEqual(['train.params.numLeaves', 'train.params.learningRate', 'train.params.minDataInLeaf', 'train.params.lambdaL2']);
    for (const end of ['low', 'high'] as const) {
      const overrides = Object.fromEntries(parameters.map(([name, parameter]) => [name, parameter.type === 'categorical' ? parameter.choices[0] : parameter[end]]));
      const gbdt = checkPipelineText(DEMO_PIPELINES.gbdt, 'pipelines/gbdt.yaml', spec, overrides);
      expect(gbdt?.train.params).toMatchObject({ numLeaves: overrides['train.params.numLeaves'], lambdaL2: overrides['train.params.lambdaL2'] });
    }
  });
});
