import { describe, expect, it } from 'vitest';
import { rocAucScore } from '../../metrics/roc-auc.js';
import { seededRandom } from '../../stats/random.js';
import { predictEnsemble } from '../trees/tree-ensemble.js';
import { trainGbdt, type TrainingSet } from './train-gbdt.js';
import { PARALLEL_MIN_ROWS } from './training-threads.js';

const FEATURES = 5;

/** Rows sorted by x0, as data sorted by date is, with a categorical x4 and missing values in x1. */
function synthetic(rows: number, seed: number, classes = 2): TrainingSet & { rowMajor: Float64Array } {
  const random = seededRandom(seed);
  const columns = Array.from({ length: FEATURES }, () => new Float64Array(rows));
  const label = new Float64Array(rows);
  const rowMajor = new Float64Array(rows * FEATURES);
  for (let row = 0; row < rows; row++) {
    const x = [row / rows, random() < 0.1 ? NaN : random(), random(), random() * 3, Math.floor(random() * 40)];
    const score = 2 * (x[0] as number) + (Number.isNaN(x[1]) ? 1 : (x[1] as number)) - (x[2] as number) + ((x[4] as number) % 7 === 0 ? 1.5 : 0);
    label[row] = classes === 2 ? (random() < 1 / (1 + Math.exp(-(score - 1.5) * 2)) ? 1 : 0) : Math.max(0, Math.min(classes - 1, Math.floor((score + random()) / 1.2)));
    x.forEach((value, f) => {
      (columns[f] as Float64Array)[row] = value;
      rowMajor[row * FEATURES + f] = value;
    });
  }
  return { columns, label, categorical: [false, false, false, false, true], rowMajor };
}

describe('training on worker threads', () => {
  const rows = 4 * PARALLEL_MIN_ROWS;
  const train = synthetic(rows, 1);
  const test = synthetic(20_000, 2);
  const auc = (model: ReturnType<typeof trainGbdt>) => rocAucScore(test.label, predictEnsemble(model.ensemble, test.rowMajor, test.label.length));

  it('gives the same model for the same seed and thread count, as good as one thread', () => {
    const options = { objective: 'binary' as const, rounds: 15, numLeaves: 15, baggingFraction: 0.8, featureFraction: 0.8, seed: 3 };
    const one = trainGbdt(train, options);
    const two = trainGbdt(train, { ...options, threads: 2 });
    const again = trainGbdt(train, { ...options, threads: 2 });
    const three = trainGbdt(train, { ...options, threads: 3 });
    expect(predictEnsemble(again.ensemble, test.rowMajor, test.label.length)).toEqual(predictEnsemble(two.ensemble, test.rowMajor, test.label.length));
    for (const model of [two, three]) {
      expect(model.ensemble.trees).toHaveLength(15);
      expect(Math.abs(auc(model) - auc(one))).toBeLessThan(0.003);
    }
    // The first tree has the same root split whatever the thread count: the histograms are equal sums.
    expect(two.ensemble.trees[0]?.feature[0]).toBe(one.ensemble.trees[0]?.feature[0]);
    expect(two.ensemble.trees[0]?.threshold[0]).toBe(one.ensemble.trees[0]?.threshold[0]);
  });

  it('trains every objective, including leaf renewal for L1 and softmax over outputs', () => {
    const multiclass = synthetic(rows, 4, 3);
    const softmax = trainGbdt(multiclass, { objective: 'multiclass', rounds: 5, threads: 2 });
    expect(softmax.ensemble.trees).toHaveLength(15);
    const single = trainGbdt(multiclass, { objective: 'multiclass', rounds: 5 });
    const logLoss = (model: typeof softmax) => {
      const p = predictEnsemble(model.ensemble, multiclass.rowMajor, rows);
      let sum = 0;
      for (let row = 0; row < rows; row++) sum -= Math.log(p[row * 3 + (multiclass.label[row] as number)] as number);
      return sum / rows;
    };
    expect(Math.abs(logLoss(softmax) - logLoss(single))).toBeLessThan(1e-3);
    const regression = { ...train, label: Float64Array.from(train.columns[0] as Float64Array, (value, row) => 3 * value + (train.label[row] as number)) };
    for (const objective of ['regression', 'regression_l1', 'huber'] as const) {
      const parallel = trainGbdt(regression, { objective, rounds: 10, threads: 2 });
      const serial = trainGbdt(regression, { objective, rounds: 10 });
      const mean = (model: typeof parallel) => predictEnsemble(model.ensemble, train.rowMajor, rows).reduce((sum, value) => sum + value, 0) / rows;
      expect(mean(parallel)).toBeCloseTo(mean(serial), 3);
    }
  });

  it('refuses a thread count that is not a whole number from 1 to 64', () => {
    for (const threads of [0, 1.5, 65]) {
      expect(() => trainGbdt(train, { objective: 'binary', rounds: 1, threads })).toThrow(/threads: expected a whole number from 1 to 64/);
    }
  });
});
