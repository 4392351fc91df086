import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shapContributions } from '../trees/tree-shap.js';
import { predictEnsemble, rawScores } from '../trees/tree-ensemble.js';
import { parseXgboostJson } from './xgboost-json.js';

/** Models and predictions made by XGBoost itself: test/fixtures/xgboost/make-models.py. */
const fixture = (name: string) => new URL(`../../../test/fixtures/xgboost/${name}`, import.meta.url);

function readRows(name: string): { features: Float64Array; rows: number } {
  const lines = readFileSync(fixture(name), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const values = lines.flatMap((line) => line.split(',').map((value) => (value === 'nan' ? NaN : Number(value))));
  return { features: Float64Array.from(values), rows: lines.length };
}

describe('XGBoost JSON models', () => {
  for (const [name, outputs] of [['binary', 1], ['regression', 1], ['multiclass', 5]] as const) {
    it(`predict as XGBoost does: ${name} (1e-6, with missing values)`, () => {
      const model = parseXgboostJson(readFileSync(fixture(`${name}.json`), 'utf8'), `${name}.json`);
      expect(model.ensemble.outputs).toBe(outputs);
      const { features, rows } = readRows(`${name}.test.csv`);
      const predicted = predictEnsemble(model.ensemble, features, rows);
      const expected = readFileSync(fixture(`${name}.pred`), 'utf8').split('\n').filter((line) => line.trim() !== '').flatMap((line) => line.split('\t').map(Number));
      expect(predicted.length).toBe(expected.length);
      expected.forEach((value, index) => expect(Math.abs((predicted[index] ?? NaN) - value)).toBeLessThan(1e-6 * Math.max(1, Math.abs(value))));
    });
  }

  it('gives SHAP contributions that sum to the raw score', () => {
    const model = parseXgboostJson(readFileSync(fixture('binary.json'), 'utf8'));
    const { features } = readRows('binary.test.csv');
    const row = features.slice(0, model.ensemble.featureCount);
    const sum = shapContributions(model.ensemble, row).reduce((total, value) => total + value, 0);
    expect(Math.abs(sum - (rawScores(model.ensemble, row, 1)[0] ?? NaN))).toBeLessThan(1e-9);
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(() => parseXgboostJson('tree\nversion=v4', 'm')).toThrow(/m: not JSON/);
    expect(() => parseXgboostJson('{"learner": {}}', 'm.json')).toThrow(/m.json: learner.gradient_booster: required/);
    const raw = JSON.parse(readFileSync(fixture('binary.json'), 'utf8'));
    raw.learner.objective.name = 'survival:cox';
    expect(() => parseXgboostJson(JSON.stringify(raw), 'm.json')).toThrow(/objective "survival:cox" is not supported/);
  });
});
