import { describe, expect, it } from 'vitest';
import { thrownMlcycleError } from '../../../test/support/thrown.js';
import { seededRandom } from '../../stats/random.js';
import type { InputColumns } from '../input-signature.js';
import { parseModel, serializeModel } from '../model-format.js';
import { predictModel } from '../predict-model.js';
import { predictLinearModel, trainLinearModel, type LinearTrainingOptions } from './linear-model.js';

/** Rows with numbers (some missing), a one-hot category and a target-encoded one, and both labels. */
function trainingData(rows = 400) {
  const random = seededRandom(11);
  const hour = Array.from({ length: rows }, () => (random() < 0.05 ? null : Math.floor(random() * 24)));
  const distance = Array.from({ length: rows }, () => 100 + random() * 2000);
  const carrier = Array.from({ length: rows }, () => (random() < 0.03 ? null : ['AA', 'DL', 'UA', 'WN'][Math.floor(random() * 4)] ?? 'AA'));
  const origin = Array.from({ length: rows }, () => `A${Math.floor(random() * 30)}`);
  const signal = hour.map((value, row) => ((value ?? 12) - 12) / 6 + (carrier[row] === 'WN' ? 1 : 0) + (Number((origin[row] ?? 'A0').slice(1)) % 3 === 0 ? 0.8 : 0));
  const delay = signal.map((value) => 10 + 5 * value + 3 * (random() - 0.5));
  const late = signal.map((value) => (random() < 1 / (1 + Math.exp(-value)) ? 1 : 0));
  return { columns: { hour, distance, carrier, origin } as InputColumns, delay, late };
}

const FEATURES = [{ name: 'hour' }, { name: 'distance' }, { name: 'carrier' }, { name: 'origin' }];
const LOGISTIC: LinearTrainingOptions = { learner: 'logistic-regression', features: FEATURES, penalty: 'elasticnet', C: 0.5, l1Ratio: 0.5, pipeline: { encodings: { origin: 'target' } } };

describe('linear models', () => {
  it('save and load with bit-identical predictions, for both learners', () => {
    const { columns, delay, late } = trainingData();
    const probe = { hour: [3, null, 23, 12], distance: [150, 900, 2500, 10], carrier: ['WN', 'XX', null, 'AA'], origin: ['A3', 'A99', null, 'A4'], ignored: [1, 2, 3, 4] };
    const models = [trainLinearModel(columns, late, LOGISTIC), trainLinearModel(columns, delay, { ...LOGISTIC, learner: 'linear-regression', alpha: 0.05 })];
    for (const model of models) {
      expect(model.training.converged).toBe(true);
      const saved = serializeModel(model);
      const loaded = parseModel(saved);
      expect(loaded.kind).toBe('linear');
      expect(Array.from(predictModel(loaded, probe))).toEqual(Array.from(predictLinearModel(model, probe)));
      expect(Array.from(predictModel(loaded, columns))).toEqual(Array.from(predictLinearModel(model, columns)));
      expect(serializeModel(loaded)).toBe(saved);
    }
    const probabilities = predictLinearModel(models[0] as never, probe);
    expect(Array.from(probabilities).every((value) => value > 0 && value < 1)).toBe(true);
  });

  it('learns the signal: WN flights and late hours are later', () => {
    const { columns, late } = trainingData(2000);
    const model = trainLinearModel(columns, late, LOGISTIC);
    const [wn, aa] = predictLinearModel(model, { hour: [12, 12], distance: [500, 500], carrier: ['WN', 'AA'], origin: ['A1', 'A1'] });
    expect(wn).toBeGreaterThan(aa as number);
  });

  it('refuses bad training input with errors that name the problem', () => {
    const { columns, delay, late } = trainingData(50);
    const cases: [() => unknown, RegExp][] = [
      [() => trainLinearModel(columns, delay.map((value, row) => (row === 7 ? NaN : value)), { ...LOGISTIC, learner: 'linear-regression' }), /label\[7\]: the label of row 7 is missing or not a number/],
      [() => trainLinearModel(columns, late.map(() => 1), LOGISTIC), /logistic regression needs both classes, every label is 1/],
      [() => trainLinearModel(columns, late.map((value, row) => (row === 3 ? 2 : value)), LOGISTIC), /logistic regression takes labels 0 and 1, row 3 has 2/],
      [() => trainLinearModel({ hour: [], distance: [], carrier: [], origin: [] }, [], LOGISTIC), /no training rows/],
      [() => trainLinearModel(columns, late.slice(1), LOGISTIC), /49 labels for 50 input rows/],
      [() => trainLinearModel({ ...columns, hour: columns.hour as never }, late, { ...LOGISTIC, features: [...FEATURES, { name: 'gate' }] }), /the column "gate" is missing/],
      [() => trainLinearModel(columns, late, { ...LOGISTIC, features: [{ name: 'distance', type: 'numeric' }, { name: 'carrier', type: 'numeric' }] }), /column "carrier", row 0: expected a number, found the string/],
      [() => trainLinearModel(columns, late, { ...LOGISTIC, sampleWeight: late.map((_, row) => (row === 4 ? -1 : 1)) }), /sampleWeight\[4\]: expected a finite weight of at least 0/],
      [() => trainLinearModel(columns, late, { ...LOGISTIC, C: 0 }), /C: expected a finite number above 0/],
      [() => trainLinearModel(columns, late, { ...LOGISTIC, l1Ratio: 1.5 }), /l1Ratio: expected a number in \[0, 1\]/],
    ];
    for (const [action, message] of cases) {
      const error = thrownMlcycleError(action);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses prediction input with a missing column or a wrong type, naming the column', () => {
    const { columns, late } = trainingData(100);
    const model = parseModel(serializeModel(trainLinearModel(columns, late, LOGISTIC)));
    expect(() => predictModel(model, { hour: [1], distance: [1], carrier: ['AA'] })).toThrow(/the categorical column "origin" is missing from the input/);
    expect(() => predictModel(model, [{ hour: 1, distance: 'far', carrier: 'AA', origin: 'A1' }])).toThrow(/column "distance", row 0: expected a number, found the string "far"/);
  });

  it('handles a constant column and a column with no values without NaN', () => {
    const { columns, delay } = trainingData(100);
    const model = trainLinearModel({ ...columns, flat: delay.map(() => 3), empty: delay.map(() => null) }, delay, {
      learner: 'linear-regression',
      features: [{ name: 'hour' }, { name: 'flat' }, { name: 'empty', type: 'numeric' }],
      penalty: 'l1',
      alpha: 0.1,
    });
    expect(Array.from(model.weights.slice(1))).toEqual([0, 0]);
    expect(Array.from(predictLinearModel(model, { hour: [5], flat: [4], empty: [1] })).every(Number.isFinite)).toBe(true);
  });

  it('names what is wrong with a damaged linear model file', () => {
    const { columns, late } = trainingData(100);
    const saved = JSON.parse(serializeModel(trainLinearModel(columns, late, LOGISTIC)));
    expect(() => parseModel(JSON.stringify({ ...saved, weights: saved.weights.slice(1) }), 'm.json')).toThrow(/m.json: weights: expected \d+ numbers, one per pipeline feature/);
    expect(() => parseModel(JSON.stringify({ ...saved, learner: 'svm' }), 'm.json')).toThrow(/learner: expected linear-regression or logistic-regression, not svm/);
    saved.pipeline.steps[1].scale = 'wide';
    expect(() => parseModel(JSON.stringify(saved), 'm.json')).toThrow(/pipeline.steps\[1\].scale: expected a finite number/);
    saved.pipeline.steps[1] = { ...saved.pipeline.steps[2] };
    expect(() => parseModel(JSON.stringify(saved), 'm.json')).toThrow(/pipeline.steps\[1\].name: expected "distance"/);
  });
});
