import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../../test/support/data-workspace.js';
import { readLabelledFile } from '../../../test/support/labelled-file.js';
import { rocAucScore } from '../../metrics/roc-auc.js';
import { seededRandom } from '../../stats/random.js';
import { predictEnsemble } from '../trees/tree-ensemble.js';
import { trainGbdt } from './train-gbdt.js';

/** scikit-learn's HistGradientBoosting on the same data and settings: test/fixtures/gbdt-reference.py. */
const REFERENCE = JSON.parse(readFileSync(new URL('../../../test/fixtures/gbdt-reference.json', import.meta.url), 'utf8')) as {
  binaryAuc: number;
  regressionRmse: number;
  multiclassLogLoss: number;
};

function load(name: string) {
  return readLabelledFile(path.join(TEST_DATA, 'lightgbm-examples', name));
}

describe('trainGbdt', () => {
  it('reaches scikit-learn\'s test AUC on the binary example', () => {
    const train = load('binary.train');
    const test = load('binary.test');
    const model = trainGbdt({ columns: train.columns, label: train.label }, { objective: 'binary', rounds: 100 });
    const auc = rocAucScore(test.label, predictEnsemble(model.ensemble, test.rowMajor, test.rows));
    expect(auc).toBeGreaterThanOrEqual(REFERENCE.binaryAuc - 0.002);
    expect(model.ensemble.trees).toHaveLength(100);
    expect(model.ensemble.trees.every((tree) => tree.leafValue.length <= 31)).toBe(true);
  });

  it('reaches scikit-learn\'s test RMSE on the regression example', () => {
    const train = load('regression.train');
    const test = load('regression.test');
    const model = trainGbdt({ columns: train.columns, label: train.label }, { objective: 'regression', rounds: 100 });
    const predictions = predictEnsemble(model.ensemble, test.rowMajor, test.rows);
    let squares = 0;
    predictions.forEach((value, row) => (squares += (value - (test.label[row] ?? 0)) ** 2));
    expect(Math.sqrt(squares / test.rows)).toBeLessThanOrEqual(REFERENCE.regressionRmse * 1.01);
  });

  it('is deterministic for a seed, with bagging and feature sampling', () => {
    const train = load('binary.train');
    const options = { objective: 'binary' as const, rounds: 20, baggingFraction: 0.7, featureFraction: 0.6, seed: 7 };
    const first = trainGbdt({ columns: train.columns, label: train.label }, options);
    const again = trainGbdt({ columns: train.columns, label: train.label }, options);
    const other = trainGbdt({ columns: train.columns, label: train.label }, { ...options, seed: 8 });
    const predict = (model: typeof first) => predictEnsemble(model.ensemble, train.rowMajor, train.rows);
    expect(predict(again)).toEqual(predict(first));
    expect(predict(other)).not.toEqual(predict(first));
  });

  it('learns where missing values go', () => {
    // The label is 1 exactly where x is missing: only a learned default direction can separate it.
    const random = seededRandom(3);
    const rows = 2000;
    const x = new Float64Array(rows);
    const label = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      const missing = random() < 0.3;
      x[row] = missing ? NaN : random() * 10;
      label[row] = missing ? 1 : 0;
    }
    const model = trainGbdt({ columns: [x], label }, { objective: 'binary', rounds: 30 });
    const predictions = predictEnsemble(model.ensemble, Float64Array.from([NaN, 5, 0.1]), 3);
    expect(predictions[0]).toBeGreaterThan(0.95);
    expect(predictions[1]).toBeLessThan(0.05);
    expect(predictions[2]).toBeLessThan(0.05);
  });

  it('refuses missing labels, a single class and ragged columns, naming the problem', () => {
    const column = Float64Array.from([1, 2, 3, 4]);
    expect(() => trainGbdt({ columns: [column], label: Float64Array.from([0, 1, NaN, 1]) }, { objective: 'binary' })).toThrow(/label of row 2 is missing/);
    expect(() => trainGbdt({ columns: [column], label: Float64Array.from([1, 1, 1, 1]) }, { objective: 'binary' })).toThrow(/needs both classes/);
    expect(() => trainGbdt({ columns: [column], label: Float64Array.from([0, 2, 0, 1]) }, { objective: 'binary' })).toThrow(/row 1 has 2/);
    expect(() => trainGbdt({ columns: [column, Float64Array.from([1])], label: Float64Array.from([0, 1, 0, 1]) }, { objective: 'binary' })).toThrow(/feature 1 has 1 values for 4 labels/);
  });

  it('keeps a constant feature out of the splits', () => {
    const rows = 500;
    const random = seededRandom(5);
    const signal = Float64Array.from({ length: rows }, () => random());
    const constant = new Float64Array(rows).fill(7);
    const label = Float64Array.from(signal, (value) => (value > 0.5 ? 1 : 0));
    const model = trainGbdt({ columns: [constant, signal], label }, { objective: 'binary', rounds: 5 });
    expect(model.ensemble.trees.every((tree) => Array.from(tree.feature).every((feature) => feature === 1))).toBe(true);
  });
});

describe('trainGbdt with categorical features', () => {
  it('splits categories natively and sends unseen codes where missing values go', () => {
    // 60 airport-like codes; the label depends on membership in a scattered set, which thresholds on the
    // codes could only approximate with many splits.
    const random = seededRandom(11);
    const rows = 6000;
    const delayed = new Set([3, 7, 8, 15, 22, 23, 31, 40, 41, 52, 58]);
    const code = new Float64Array(rows);
    const label = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      code[row] = Math.floor(random() * 60);
      const base = delayed.has(code[row] as number) ? 0.8 : 0.2;
      label[row] = random() < base ? 1 : 0;
    }
    const model = trainGbdt({ columns: [code], label, categorical: [true] }, { objective: 'binary', rounds: 20, numLeaves: 4, minDataPerGroup: 20 });
    expect(model.ensemble.trees[0]?.decision[0]).toBe(1 | (2 << 2));
    const probe = Float64Array.from([3, 4, 58, 59, 999, NaN]);
    const [inSet, outSet, inSet2, outSet2, unseen, missing] = Array.from(predictEnsemble(model.ensemble, probe, probe.length));
    expect(inSet).toBeGreaterThan(0.7);
    expect(inSet2).toBeGreaterThan(0.7);
    expect(outSet).toBeLessThan(0.3);
    expect(outSet2).toBeLessThan(0.3);
    expect(unseen).toBe(missing);
  });
});

describe('trainGbdt objectives', () => {
  it('multiclass softmax reaches scikit-learn\'s multi-class log-loss', () => {
    const train = load('multiclass.train');
    const test = load('multiclass.test');
    const model = trainGbdt({ columns: train.columns, label: train.label }, { objective: 'multiclass', rounds: 100 });
    expect(model.ensemble.outputs).toBe(5);
    expect(model.ensemble.trees).toHaveLength(500);
    const probabilities = predictEnsemble(model.ensemble, test.rowMajor, test.rows);
    let loss = 0;
    for (let row = 0; row < test.rows; row++) loss -= Math.log(Math.max(probabilities[row * 5 + (test.label[row] as number)] as number, 1e-15));
    expect(loss / test.rows).toBeLessThanOrEqual(REFERENCE.multiclassLogLoss + 0.002);
  });

  it('Huber and L1 shrug off outliers that pull L2 away', () => {
    const random = seededRandom(21);
    const rows = 3000;
    const x = Float64Array.from({ length: rows }, () => random() * 10);
    const label = Float64Array.from(x, (value) => 2 * value + (random() < 0.05 ? 400 : random() - 0.5));
    const probe = Float64Array.from([1, 5, 9]);
    const error = (objective: 'regression' | 'huber' | 'regression_l1') => {
      // Huber starts from the mean, which the outliers pull 20 up; each round may walk back up to delta.
      const model = trainGbdt({ columns: [x], label }, { objective, rounds: 100, huberDelta: 5 });
      return Array.from(predictEnsemble(model.ensemble, probe, 3)).reduce((sum, value, index) => sum + Math.abs(value - 2 * (probe[index] as number)), 0) / 3;
    };
    const [l2, huber, l1] = [error('regression'), error('huber'), error('regression_l1')];
    expect(l2).toBeGreaterThan(10);
    expect(huber).toBeLessThan(1);
    expect(l1).toBeLessThan(1);
  });

  it('treats a weight of 2 as the row given twice', () => {
    const random = seededRandom(4);
    const rows = 400;
    const x = Float64Array.from({ length: rows }, () => Math.floor(random() * 20));
    const label = Float64Array.from(x, (value) => (random() < value / 20 ? 1 : 0));
    const weight = Float64Array.from({ length: rows }, (_, row) => (row % 3 === 0 ? 2 : 1));
    const repeated = Array.from({ length: rows }, (_, row) => (row % 3 === 0 ? [row, row] : [row])).flat();
    const options = { objective: 'binary' as const, rounds: 10, minDataInLeaf: 1, minSumHessianInLeaf: 0 };
    const weighted = trainGbdt({ columns: [x], label, weight }, options);
    const copied = trainGbdt({ columns: [Float64Array.from(repeated, (row) => x[row] as number)], label: Float64Array.from(repeated, (row) => label[row] as number) }, options);
    const probe = Float64Array.from({ length: 20 }, (_, value) => value);
    const a = predictEnsemble(weighted.ensemble, probe, 20);
    const b = predictEnsemble(copied.ensemble, probe, 20);
    a.forEach((value, index) => expect(value).toBeCloseTo(b[index] as number, 12));
  });

  it('refuses labels an objective cannot take', () => {
    const column = Float64Array.from([1, 2, 3, 4]);
    expect(() => trainGbdt({ columns: [column], label: Float64Array.from([0, 1, 2.5, 1]) }, { objective: 'multiclass' })).toThrow(/row 2 has 2.5/);
    expect(() => trainGbdt({ columns: [column], label: Float64Array.from([0, 1, 0, 1]), weight: Float64Array.from([1, -1, 1, 1]) }, { objective: 'binary' })).toThrow(
      /weight of row 1/,
    );
    expect(() => trainGbdt({ columns: [column], label: Float64Array.from([0, 1, 0, 1]) }, { objective: 'poisson' as never })).toThrow(/objective: expected one of/);
  });
});

describe('trainGbdt with a validation set', () => {
  it('records the metric per round and stops early at the best round', () => {
    const random = seededRandom(13);
    const make = (rows: number) => {
      const columns = Array.from({ length: 5 }, () => Float64Array.from({ length: rows }, () => random()));
      const label = Float64Array.from({ length: rows }, (_, row) => (random() < 0.3 + 0.4 * ((columns[0] as Float64Array)[row] as number) ? 1 : 0));
      return { columns, label };
    };
    const train = make(600);
    const validation = make(600);
    const model = trainGbdt(train, { objective: 'binary', rounds: 300, learningRate: 0.5, numLeaves: 31, minDataInLeaf: 5 }, { ...validation, metric: 'logloss', patience: 10 });
    expect(model.history.length).toBeLessThan(300);
    expect(model.history.length).toBe(model.bestRound + 10);
    expect(model.ensemble.trees).toHaveLength(model.bestRound);
    const best = Math.min(...model.history.map((item) => item.value));
    expect(model.history[model.bestRound - 1]?.value).toBe(best);
    // The kept ensemble scores the validation set exactly as recorded for its round.
    const rowMajor = Float64Array.from({ length: 600 * 5 }, (_, index) => (validation.columns[index % 5] as Float64Array)[Math.floor(index / 5)] as number);
    const predictions = predictEnsemble(model.ensemble, rowMajor, 600);
    let loss = 0;
    predictions.forEach((p, row) => (loss -= (validation.label[row] as number) === 1 ? Math.log(p) : Math.log(1 - p)));
    expect(loss / 600).toBeCloseTo(best, 12);
  });

  it('watches without stopping when no patience is given', () => {
    const train = load('binary.train');
    const test = load('binary.test');
    const model = trainGbdt({ columns: train.columns, label: train.label }, { objective: 'binary', rounds: 20 }, { columns: test.columns, label: test.label });
    expect(model.history.map((item) => item.round)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(model.ensemble.trees).toHaveLength(20);
    expect(model.history.at(-1)?.value).toBeCloseTo(rocAucScore(test.label, predictEnsemble(model.ensemble, test.rowMajor, test.rows)), 12);
  });

  it('tells onRound each round\'s metric and stops when it says so, keeping the rounds trained', () => {
    const train = load('binary.train');
    const test = load('binary.test');
    const heard: { round: number; value: number }[] = [];
    const model = trainGbdt(
      { columns: train.columns, label: train.label },
      { objective: 'binary', rounds: 20 },
      { columns: test.columns, label: test.label, patience: 2, onRound: (round, value) => (heard.push({ round, value }), round === 7 ? 'stop' : 'continue') },
    );
    expect(heard).toEqual(model.history);
    expect(heard.map((item) => item.round)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Stopped by the caller, not by early stopping: all seven rounds stay, whichever was best.
    expect(model.bestRound).toBe(7);
    expect(model.ensemble.trees).toHaveLength(7);
    expect(heard.at(-1)?.value).toBeCloseTo(rocAucScore(test.label, predictEnsemble(model.ensemble, test.rowMajor, test.rows)), 12);
  });
});
