import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../../test/support/data-workspace.js';
import { readLabelledFile } from '../../../test/support/labelled-file.js';
import { LIGHTGBM_MODELS, lightgbmEnsemble, xgboostEnsemble } from '../../../test/support/tree-models.js';
import { COMPILE_MIN_ROWS, rawScores, type TreeEnsemble } from './tree-ensemble.js';

/** The batch scores of the compiled trees next to row-by-row interpreted ones: they must be the same bits. */
function expectSameAsInterpreted(ensemble: TreeEnsemble, features: Float64Array, rows: number): void {
  expect(rows).toBeGreaterThanOrEqual(COMPILE_MIN_ROWS);
  const batch = rawScores(ensemble, features, rows, 'compiled');
  const width = ensemble.featureCount;
  for (let row = 0; row < rows; row++) {
    const single = rawScores(ensemble, features.subarray(row * width, (row + 1) * width), 1, 'interpret');
    for (let output = 0; output < ensemble.outputs; output++) {
      if (!Object.is(batch[row * ensemble.outputs + output], single[output])) {
        throw new Error(`row ${row}, output ${output}: compiled ${batch[row * ensemble.outputs + output]}, interpreted ${single[output]}`);
      }
    }
  }
  expect(rawScores(ensemble, features.subarray(0, width), 1, 'compiled')).toEqual(batch.subarray(0, ensemble.outputs));
}

/** The rows of a data file, repeated until there are enough to compile. */
function tiled(features: Float64Array, rows: number, width: number): { features: Float64Array; rows: number } {
  const copies = Math.ceil(COMPILE_MIN_ROWS / rows);
  const out = new Float64Array(copies * rows * width);
  for (let copy = 0; copy < copies; copy++) out.set(features, copy * rows * width);
  return { features: out, rows: copies * rows };
}

describe('compiled trees', () => {
  it('score as the interpreter does, on LightGBM models with numeric and categorical splits', () => {
    for (const [model, data, separator] of [
      ['binary.model.txt', path.join(TEST_DATA, 'lightgbm-examples', 'binary.test'), '\t'],
      ['multiclass.model.txt', path.join(TEST_DATA, 'lightgbm-examples', 'multiclass.test'), '\t'],
      ['flights.model.txt', path.join(LIGHTGBM_MODELS, 'flights.test-sample.csv'), ','],
    ] as const) {
      const file = readLabelledFile(data, separator);
      const { features, rows } = tiled(file.rowMajor, file.rows, file.width);
      expectSameAsInterpreted(lightgbmEnsemble(model), features, rows);
    }
  });

  it('score as the interpreter does on any input: NaN, -0, negative, fractional and unseen codes (property)', () => {
    const flights = lightgbmEnsemble('flights.model.txt');
    const xgb = xgboostEnsemble('binary.json');
    const value = fc.oneof(
      fc.constantFrom(NaN, -0, 0, -1, -0.5, 0.5, 1e-40, -1e-40, 3.7, 228.9, 229, 1e9, Infinity, -Infinity),
      fc.integer({ min: -3, max: 300 }),
      fc.double({ noNaN: false }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 64, maxLength: 64 }), fc.nat(), (values, seed) => {
        for (const ensemble of [flights, xgb]) {
          const width = ensemble.featureCount;
          const features = new Float64Array(COMPILE_MIN_ROWS * width);
          for (let index = 0; index < features.length; index++) features[index] = values[(index * 7 + seed) % values.length] as number;
          expectSameAsInterpreted(ensemble, features, COMPILE_MIN_ROWS);
        }
      }),
      { numRuns: 15 },
    );
  });
});
