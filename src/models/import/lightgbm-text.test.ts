import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../../test/support/data-workspace.js';
import { readLabelledFile } from '../../../test/support/labelled-file.js';
import { leafIndex, predictEnsemble, rawScores } from '../trees/tree-ensemble.js';
import { parseLightgbmText } from './lightgbm-text.js';

const MODELS = path.join(TEST_DATA, 'lightgbm-models');

function readFeatures(file: string, separator: string): { features: Float64Array; rows: number; width: number } {
  const data = readLabelledFile(file, separator);
  return { features: data.rowMajor, rows: data.rows, width: data.width };
}

function readPredictions(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => line.split('\t').map(Number));
}

const CASES = [
  { model: 'binary.model.txt', data: path.join(TEST_DATA, 'lightgbm-examples', 'binary.test'), separator: '\t', predictions: 'binary.test.pred', outputs: 1 },
  { model: 'regression.model.txt', data: path.join(TEST_DATA, 'lightgbm-examples', 'regression.test'), separator: '\t', predictions: 'regression.test.pred', outputs: 1 },
  { model: 'multiclass.model.txt', data: path.join(TEST_DATA, 'lightgbm-examples', 'multiclass.test'), separator: '\t', predictions: 'multiclass.test.pred', outputs: 5 },
  { model: 'flights.model.txt', data: path.join(MODELS, 'flights.test-sample.csv'), separator: ',', predictions: 'flights.test-sample.pred', outputs: 1 },
];

describe('LightGBM text models', () => {
  for (const testCase of CASES) {
    it(`predict as LightGBM does: ${testCase.model} (1e-6; categorical splits in flights)`, () => {
      const model = parseLightgbmText(readFileSync(path.join(MODELS, testCase.model), 'utf8'), testCase.model);
      const { features, rows, width } = readFeatures(testCase.data, testCase.separator);
      expect(model.ensemble.featureCount).toBe(width);
      expect(model.ensemble.outputs).toBe(testCase.outputs);
      const predicted = predictEnsemble(model.ensemble, features, rows);
      const expected = readPredictions(path.join(MODELS, testCase.predictions));
      expect(predicted.length).toBe(expected.length);
      let worst = 0;
      expected.forEach((value, index) => (worst = Math.max(worst, Math.abs((predicted[index] ?? NaN) - value))));
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('reads the flights model\'s categorical splits and its objective', () => {
    const model = parseLightgbmText(readFileSync(path.join(MODELS, 'flights.model.txt'), 'utf8'));
    expect(model.objective).toBe('binary sigmoid:1');
    expect(model.ensemble.trees).toHaveLength(50);
    expect(model.ensemble.trees.some((tree) => tree.catBits.length > 0)).toBe(true);
    expect(model.featureNames).toHaveLength(8);
  });

  it('routes missing and unseen values the way LightGBM does', () => {
    const model = parseLightgbmText(readFileSync(path.join(MODELS, 'flights.model.txt'), 'utf8'));
    const tree = model.ensemble.trees[0];
    if (tree === undefined) throw new Error('no tree');
    // Every row reaches a leaf whatever it holds: NaN, negative or never-seen categories, infinities.
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.integer({ min: -5, max: 400 }), fc.constant(NaN)), { minLength: 8, maxLength: 8 }), (row) => {
        const leaf = leafIndex(tree, row);
        expect(leaf).toBeGreaterThanOrEqual(0);
        expect(leaf).toBeLessThan(tree.leafValue.length);
      }),
    );
    const base = [5, 1, 2, 0, 0, 1452, 58, 102];
    const scores = (row: number[]) => rawScores(model.ensemble, Float64Array.from(row), 1)[0];
    // An origin code never seen in training goes where NaN goes: right at each categorical split.
    expect(scores([...base.slice(0, 6), 9999, 102])).toBe(scores([...base.slice(0, 6), NaN, 102]));
  });

  it('refuses rows of the wrong width, and truncates categories as C++ does', () => {
    const model = parseLightgbmText(readFileSync(path.join(MODELS, 'flights.model.txt'), 'utf8'));
    expect(() => predictEnsemble(model.ensemble, Float64Array.from([1, 2, 3]), 1)).toThrow(/takes 8 features per row: 1 rows need 8 values, not 3/);
    const row = (origin: number) => rawScores(model.ensemble, Float64Array.from([5, 1, 2, 0, 0, 1452, origin, 102]), 1)[0];
    // LightGBM casts -0.5 to the integer 0: category 0, not a negative (missing) one.
    expect(row(-0.5)).toBe(row(0));
    expect(row(-1)).toBe(row(NaN));
  });

  it('refuses what is not a LightGBM model, naming the line', () => {
    expect(() => parseLightgbmText('{"learner": {}}', 'model.json')).toThrow(/model.json:1: not a LightGBM text model/);
    const text = readFileSync(path.join(MODELS, 'binary.model.txt'), 'utf8');
    const broken = text.replace(/^leaf_value=.*$/m, 'leaf_value=1 2 three');
    expect(() => parseLightgbmText(broken, 'broken.txt')).toThrow(/broken.txt:\d+: leaf_value should hold \d+ numbers/);
    expect(() => parseLightgbmText(text.replace('objective=binary sigmoid:1', 'objective=lambdamart'), 'x')).toThrow(/objective "lambdamart" is not supported/);
  });
});
