import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../test/support/data-workspace.js';
import { seededRandom } from '../stats/random.js';
import { writeLightgbmText } from './export/lightgbm-text.js';
import { trainGbdt } from './gbdt/train-gbdt.js';
import { parseLightgbmText } from './import/lightgbm-text.js';
import { featureImportance, parseModel, parseTreeModel, serializeModel } from './model-format.js';
import { predictModel } from './predict-model.js';
import { predictEnsemble, rawScores } from './trees/tree-ensemble.js';

/** A model with numeric, missing and categorical features, and a non-zero base score. */
function trainedModel(objective: 'binary' | 'multiclass' = 'binary') {
  const random = seededRandom(17);
  const rows = 3000;
  const numeric = Float64Array.from({ length: rows }, () => (random() < 0.1 ? NaN : random() * 100));
  const category = Float64Array.from({ length: rows }, () => Math.floor(random() * 40));
  const label = Float64Array.from({ length: rows }, (_, row) => {
    const value = numeric[row] ?? NaN;
    const signal = (Number.isNaN(value) ? 50 : value) / 100 + ((category[row] ?? 0) % 3 === 0 ? 0.5 : 0);
    return objective === 'binary' ? (random() < signal / 1.5 ? 1 : 0) : Math.min(2, Math.floor(signal * 2 + random()));
  });
  return trainGbdt({ columns: [numeric, category], label, categorical: [false, true] }, { objective, rounds: 15, numLeaves: 7, minDataPerGroup: 20 });
}

function probeRows(): Float64Array {
  const random = seededRandom(2);
  return Float64Array.from({ length: 400 }, (_, index) => (index % 2 === 0 ? (random() < 0.1 ? NaN : random() * 120 - 10) : Math.floor(random() * 45) - 2));
}

describe('the JSON model format', () => {
  it('loads a model that predicts bit for bit as the one saved', () => {
    for (const objective of ['binary', 'multiclass'] as const) {
      const model = trainedModel(objective);
      const saved = serializeModel({ learner: 'gbdt', params: { ...model.params }, features: [{ name: 'x', type: 'numeric' }, { name: 'c', type: 'categorical' }], ensemble: model.ensemble });
      const loaded = parseTreeModel(saved);
      const rows = probeRows();
      expect(Array.from(predictEnsemble(loaded.ensemble, rows, 200))).toEqual(Array.from(predictEnsemble(model.ensemble, rows, 200)));
      expect(serializeModel(loaded)).toBe(saved);
    }
  });

  it('still reads version 1 files, which had no kind, as tree ensembles', () => {
    const model = trainedModel();
    const current = JSON.parse(serializeModel({ learner: 'gbdt', params: {}, features: [], ensemble: model.ensemble }));
    delete current.kind;
    const loaded = parseModel(JSON.stringify({ ...current, version: 1 }));
    expect(loaded.kind).toBe('tree-ensemble');
    const rows = probeRows();
    if (loaded.kind === 'linear') throw new Error('expected trees');
    expect(Array.from(predictEnsemble(loaded.ensemble, rows, 200))).toEqual(Array.from(predictEnsemble(model.ensemble, rows, 200)));
  });

  it('names what is wrong with a damaged file', () => {
    const saved = JSON.parse(serializeModel({ learner: 'gbdt', params: {}, features: [], ensemble: trainedModel().ensemble }));
    expect(() => parseModel('{', 'm.json')).toThrow(/m.json: not JSON/);
    expect(() => parseModel(JSON.stringify({ ...saved, version: 9 }), 'm.json')).toThrow(/version: this mlcycle reads versions 1 and 2, the file is 9/);
    expect(() => parseModel(JSON.stringify({ ...saved, kind: 'forest' }), 'm.json')).toThrow(/kind: expected "tree-ensemble" or "linear", not forest/);
    expect(() => parseModel(JSON.stringify({ ...saved, features: [{ name: 'x', type: 'text' }] }), 'm.json')).toThrow(/features\[0\].type: expected "numeric" or "categorical"/);
    saved.ensemble.trees[3].leafValue.pop();
    expect(() => parseModel(JSON.stringify(saved), 'm.json')).toThrow(/ensemble.trees\[3\]: \d+ splits need \d+ leaves/);
    saved.ensemble.trees[3].leafValue = 'x';
    expect(() => parseModel(JSON.stringify(saved), 'm.json')).toThrow(/ensemble.trees\[3\].leafValue: expected a list of numbers/);
  });
});

describe('predicting a tree model from named columns', () => {
  const categories = Array.from({ length: 40 }, (_, code) => `k${code}`);
  const saved = () => parseModel(serializeModel({ learner: 'gbdt', params: {}, features: [{ name: 'x', type: 'numeric' }, { name: 'c', type: 'categorical', categories }], ensemble: trainedModel().ensemble }));

  it('maps categories to their codes and routes unseen ones as missing', () => {
    const model = saved();
    const rows = probeRows();
    const x = Array.from({ length: 200 }, (_, row) => rows[2 * row] as number);
    const codes = Array.from({ length: 200 }, (_, row) => rows[2 * row + 1] as number);
    // Codes outside 0..39 have no name: as named input they are unseen categories, which the trees see as NaN.
    const names = codes.map((code) => (code >= 0 && code < 40 ? `k${code}` : `unseen-${code}`));
    const expected = Float64Array.from(rows, (value, index) => (index % 2 === 1 && !(value >= 0 && value < 40) ? NaN : value));
    if (model.kind === 'linear') throw new Error('expected trees');
    expect(Array.from(predictModel(model, { c: names, x, other: names }))).toEqual(Array.from(predictEnsemble(model.ensemble, expected, 200)));
  });

  it('names a missing column and a wrong type', () => {
    const model = saved();
    expect(() => predictModel(model, { x: [1] })).toThrow(/the categorical column "c" is missing from the input/);
    expect(() => predictModel(model, [{ x: 1, c: 'k1' }, { x: 'one', c: 'k2' }])).toThrow(/column "x", row 1: expected a number/);
    const unsigned = parseModel(serializeModel({ learner: 'gbdt', params: {}, features: [], ensemble: trainedModel().ensemble }));
    expect(() => predictModel(unsigned, { x: [1] })).toThrow(/the model's input signature names 0 columns, its trees read 2 features/);
  });
});

describe('LightGBM export', () => {
  it('round-trips through the LightGBM text format with the same predictions', () => {
    for (const objective of ['binary', 'multiclass'] as const) {
      const model = trainedModel(objective);
      const text = writeLightgbmText(model.ensemble, ['x', 'c']);
      const back = parseLightgbmText(text, 'exported.txt');
      expect(back.featureNames).toEqual(['x', 'c']);
      const rows = probeRows();
      const before = rawScores(model.ensemble, rows, 200);
      const after = rawScores(back.ensemble, rows, 200);
      before.forEach((value, index) => expect(Math.abs(value - (after[index] ?? NaN))).toBeLessThan(1e-12));
      expect(Array.from(predictEnsemble(back.ensemble, rows, 200)).every(Number.isFinite)).toBe(true);
    }
  });

  it('writes back a LightGBM model it read, predictions unchanged', () => {
    const original = parseLightgbmText(readFileSync(path.join(TEST_DATA, 'lightgbm-models', 'flights.model.txt'), 'utf8'));
    const again = parseLightgbmText(writeLightgbmText(original.ensemble, original.featureNames));
    const rows = Float64Array.from({ length: 8 * 50 }, (_, index) => (index % 8 === 5 ? 300 + index : index % 8 >= 6 ? index % 229 : index % 12));
    expect(Array.from(predictEnsemble(again.ensemble, rows, 50))).toEqual(Array.from(predictEnsemble(original.ensemble, rows, 50)));
  });
});

describe('featureImportance', () => {
  it('counts splits and sums gains per feature', () => {
    const model = trainedModel();
    const { gain, splits } = featureImportance(model.ensemble);
    const totalSplits = model.ensemble.trees.reduce((sum, tree) => sum + tree.feature.length, 0);
    expect((splits[0] ?? 0) + (splits[1] ?? 0)).toBe(totalSplits);
    expect(gain[0]).toBeGreaterThan(0);
    expect(gain[1]).toBeGreaterThan(0);
  });
});
