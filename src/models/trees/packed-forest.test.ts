import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../../test/support/data-workspace.js';
import { readLabelledFile } from '../../../test/support/labelled-file.js';
import { LIGHTGBM_MODELS, lightgbmEnsemble, xgboostEnsemble } from '../../../test/support/tree-models.js';
import { DECISION_CATEGORICAL, DECISION_DEFAULT_LEFT, MISSING_NAN, MISSING_NONE, MISSING_ZERO, type FlatTree } from './flat-tree.js';
import { PACKED_BLOCK_ROWS, PACKED_LANES, packForest } from './packed-forest.js';
import { PARALLEL_PREDICT_MIN_ROWS, workerBatchCount } from './prediction-threads.js';
import { rawScores, type TreeEnsemble } from './tree-ensemble.js';

/**
 * The packed forest's scores, for the whole batch (rows as lanes, with the rows past the last full
 * group of lanes and of blocks) on one thread and on two, and row by row (trees as lanes), next to the
 * interpreter's: the same bits.
 */
function expectSameAsInterpreted(ensemble: TreeEnsemble, features: Float64Array, rows: number): void {
  const width = ensemble.featureCount;
  const outputs = ensemble.outputs;
  const batch = rawScores(ensemble, features, rows, 'packed');
  const threaded = rawScores(ensemble, features, rows, 'packed-threads');
  for (let row = 0; row < rows; row++) {
    const values = features.subarray(row * width, (row + 1) * width);
    const interpreted = rawScores(ensemble, values, 1, 'interpret');
    const single = rawScores(ensemble, values, 1, 'packed');
    for (let output = 0; output < outputs; output++) {
      const expected = interpreted[output];
      const index = row * outputs + output;
      if (!Object.is(batch[index], expected) || !Object.is(threaded[index], expected) || !Object.is(single[output], expected)) {
        throw new Error(`row ${row}, output ${output}: packed batch ${batch[index]}, on two threads ${threaded[index]}, packed row ${single[output]}, interpreted ${expected}`);
      }
    }
  }
}

/** A one-split tree on `feature`; `decision` and `threshold` as in flat-tree.ts. */
function stump(feature: number, decision: number, threshold: number, catBits: number[] = []): FlatTree {
  return {
    feature: Int32Array.of(feature),
    threshold: Float64Array.of(threshold),
    left: Int32Array.of(~0),
    right: Int32Array.of(~1),
    decision: Uint8Array.of(decision),
    catStart: Int32Array.of(0),
    catLength: Int32Array.of(catBits.length),
    catBits: Uint32Array.from(catBits),
    leafValue: Float64Array.of(-0.25, 0.5),
    nodeCount: Float64Array.of(2),
    leafCount: Float64Array.of(1, 1),
    splitGain: Float64Array.of(1),
  };
}

function ensembleOf(trees: FlatTree[], featureCount: number): TreeEnsemble {
  return { featureCount, outputs: 1, trees, baseScore: [0], link: 'identity', logisticSlope: 1, averageOutput: false };
}

describe('packed forest', () => {
  it('scores as the interpreter does on the LightGBM and XGBoost models and their data (numeric, categorical, multiclass, float32)', () => {
    const lightgbmCases = [
      [lightgbmEnsemble('binary.model.txt'), path.join(TEST_DATA, 'lightgbm-examples', 'binary.test'), '\t'],
      [lightgbmEnsemble('multiclass.model.txt'), path.join(TEST_DATA, 'lightgbm-examples', 'multiclass.test'), '\t'],
      [lightgbmEnsemble('flights.model.txt'), path.join(LIGHTGBM_MODELS, 'flights.test-sample.csv'), ','],
    ] as const;
    for (const [ensemble, data, separator] of lightgbmCases) {
      expect(packForest(ensemble.trees, ensemble.featureCount)).toBeDefined();
      const file = readLabelledFile(data, separator);
      expectSameAsInterpreted(ensemble, file.rowMajor, file.rows);
    }
    // XGBoost's test rows: features only, with missing values (nan).
    for (const name of ['binary', 'multiclass', 'regression']) {
      const ensemble = xgboostEnsemble(`${name}.json`);
      expect(packForest(ensemble.trees, ensemble.featureCount)).toBeDefined();
      const lines = readFileSync(new URL(`../../../test/fixtures/xgboost/${name}.test.csv`, import.meta.url), 'utf8').split('\n').filter((line) => line.trim() !== '');
      const features = Float64Array.from(lines.flatMap((line) => line.split(',').map(Number)));
      expect(features.some((feature) => Number.isNaN(feature))).toBe(true);
      expectSameAsInterpreted(ensemble, features, lines.length);
    }
  });

  it('scores as the interpreter does on any input: NaN, -0, negative, fractional, unseen codes, any row count (property)', () => {
    const models = [lightgbmEnsemble('flights.model.txt'), lightgbmEnsemble('multiclass.model.txt'), xgboostEnsemble('binary.json')];
    const value = fc.oneof(
      fc.constantFrom(NaN, -0, 0, -1, -0.5, 0.5, 1e-40, -1e-40, 3.7, 228.9, 229, 1e9, Infinity, -Infinity),
      fc.integer({ min: -3, max: 300 }),
      fc.double({ noNaN: false }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: PACKED_BLOCK_ROWS + 2 * PACKED_LANES + 3 }), fc.nat(), (values, rows, seed) => {
        for (const ensemble of models) {
          const features = new Float64Array(rows * ensemble.featureCount);
          for (let index = 0; index < features.length; index++) features[index] = values[(index * 7 + seed) % values.length] as number;
          expectSameAsInterpreted(ensemble, features, rows);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('scores a large batch on two threads as on one, from a typed array and from a plain array', () => {
    const ensemble = lightgbmEnsemble('flights.model.txt');
    const file = readLabelledFile(path.join(LIGHTGBM_MODELS, 'flights.test-sample.csv'), ',');
    // Past the size that goes to two threads by default, and not a whole number of blocks.
    const rows = PARALLEL_PREDICT_MIN_ROWS + 3 * PACKED_BLOCK_ROWS + 5;
    const width = ensemble.featureCount;
    const features = new Float64Array(rows * width);
    for (let row = 0; row < rows; row++) features.set(file.rowMajor.subarray((row % file.rows) * width, ((row % file.rows) + 1) * width), row * width);
    // A few rows with values no tree saw.
    features.fill(NaN, 0, width);
    features.fill(-0.5, (rows - 1) * width, rows * width);
    const one = rawScores(ensemble, features, rows, 'packed');
    const before = workerBatchCount();
    for (const scores of [rawScores(ensemble, features, rows), rawScores(ensemble, features, rows, 'packed-threads'), rawScores(ensemble, Array.from(features), rows, 'packed-threads')]) {
      expect(scores).toHaveLength(rows);
      let differing = 0;
      for (let row = 0; row < rows; row++) if (!Object.is(scores[row], one[row])) differing++;
      expect(differing).toBe(0);
    }
    // The worker scored its half of all three (its fallback on this thread would give the same scores).
    expect(workerBatchCount() - before).toBe(3);
    for (const row of [0, 1, rows >> 1, (rows >> 1) + 1, rows - 1]) {
      expect(Object.is(one[row], rawScores(ensemble, features.subarray(row * width, (row + 1) * width), 1, 'interpret')[0])).toBe(true);
    }
  });

  it('scores a forest of one tree (arrays of one element) on two threads as on one', () => {
    const ensemble = ensembleOf([stump(0, MISSING_NAN << 2, 0.5)], 1);
    const rows = PARALLEL_PREDICT_MIN_ROWS + 1;
    const features = Float64Array.from({ length: rows }, (_, row) => [0, 1, NaN, -0][row % 4] as number);
    const one = rawScores(ensemble, features, rows, 'packed');
    const two = rawScores(ensemble, features, rows, 'packed-threads');
    expect(Array.from(new Set(one))).toEqual([-0.25, 0.5]);
    expect(Array.from(two)).toEqual(Array.from(one));
  });

  it('routes NaN by each split: its default for missing type NaN, as 0 for type none, right at categories', () => {
    const trees = [
      stump(0, MISSING_NAN << 2, 1),
      stump(0, (MISSING_NAN << 2) | DECISION_DEFAULT_LEFT, 1),
      stump(0, MISSING_NONE << 2, -1),
      stump(0, MISSING_NONE << 2, 0),
      stump(1, DECISION_CATEGORICAL, 0, [0b101]),
      { ...stump(0, 0, 0), feature: new Int32Array(0), left: new Int32Array(0), right: new Int32Array(0), leafValue: Float64Array.of(2) },
    ];
    const ensemble = ensembleOf(trees, 2);
    // NaN: right, left, right (0 > -1), left (0 <= 0), right; the leaf-only tree adds 2.
    expect(Array.from(rawScores(ensemble, Float64Array.of(NaN, NaN), 1, 'packed'))).toEqual([0.5 - 0.25 + 0.5 - 0.25 + 0.5 + 2]);
    const features = Float64Array.of(NaN, NaN, 1, 0, -0, 2, -0.5, -0.5, 0.5, 1, 2, 3, -1, 31, 1e-40, 32, Infinity, -Infinity);
    expectSameAsInterpreted(ensemble, features, features.length / 2);
  });

  it('leaves to the compiled trees the forests it cannot hold exactly, which still score as the interpreter does', () => {
    const zeroAsMissing = ensembleOf([stump(0, (MISSING_ZERO << 2) | DECISION_DEFAULT_LEFT, 1)], 1);
    const categoryAndNumber = ensembleOf([stump(0, MISSING_NAN << 2, 1), stump(0, DECISION_CATEGORICAL, 0, [1])], 1);
    for (const ensemble of [zeroAsMissing, categoryAndNumber]) {
      expect(packForest(ensemble.trees, ensemble.featureCount)).toBeUndefined();
      expect(() => rawScores(ensemble, Float64Array.of(1), 1, 'packed')).toThrow(/cannot be packed/);
      const features = Float64Array.of(NaN, -0, 0, 1e-40, -1e-40, 0.5, 1, 2, -3);
      const auto = rawScores(ensemble, features, features.length);
      features.forEach((feature, row) => expect(Object.is(auto[row], rawScores(ensemble, Float64Array.of(feature), 1, 'interpret')[0])).toBe(true));
    }
  });
});
