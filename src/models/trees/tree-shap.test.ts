import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../../test/support/data-workspace.js';
import { seededRandom } from '../../stats/random.js';
import { trainGbdt } from '../gbdt/train-gbdt.js';
import { parseLightgbmText } from '../import/lightgbm-text.js';
import { goesLeft, rawScores, type FlatTree, type TreeEnsemble } from './tree-ensemble.js';
import { shapContributions } from './tree-shap.js';

/** E[tree(x) | the features in `known` fixed to x]: unknown splits average their children by cover. */
function conditionalExpectation(tree: FlatTree, row: ArrayLike<number>, known: Set<number>): number {
  const visit = (node: number): number => {
    if (node < 0) return tree.leafValue[~node] ?? 0;
    const left = tree.left[node] ?? 0;
    const right = tree.right[node] ?? 0;
    const feature = tree.feature[node] ?? 0;
    if (known.has(feature)) return visit(goesLeft(tree, node, row[feature] ?? NaN) ? left : right);
    const coverOf = (child: number) => (child < 0 ? (tree.leafCount[~child] ?? 0) : (tree.nodeCount[child] ?? 0));
    return (coverOf(left) * visit(left) + coverOf(right) * visit(right)) / (tree.nodeCount[node] ?? 1);
  };
  return tree.feature.length === 0 ? (tree.leafValue[0] ?? 0) : visit(0);
}

/** Shapley values by enumerating every subset of the features: exponential, for small trees only. */
function bruteForceShap(ensemble: TreeEnsemble, row: ArrayLike<number>): number[] {
  const features = ensemble.featureCount;
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Array<number>(features).fill(0);
  for (const tree of ensemble.trees) {
    for (let feature = 0; feature < features; feature++) {
      for (let mask = 0; mask < 1 << features; mask++) {
        if ((mask >> feature) & 1) continue;
        const subset = new Set(Array.from({ length: features }, (_, f) => f).filter((f) => (mask >> f) & 1));
        const weight = (factorial(subset.size) * factorial(features - subset.size - 1)) / factorial(features);
        const withFeature = new Set([...subset, feature]);
        phi[feature] = (phi[feature] ?? 0) + weight * (conditionalExpectation(tree, row, withFeature) - conditionalExpectation(tree, row, subset));
      }
    }
  }
  return phi;
}

function smallModel(): TreeEnsemble {
  const random = seededRandom(9);
  const rows = 1500;
  const columns = Array.from({ length: 4 }, () => Float64Array.from({ length: rows }, () => (random() < 0.05 ? NaN : random())));
  const label = Float64Array.from({ length: rows }, (_, row) => ((columns[0]?.[row] ?? 0) + 2 * (columns[1]?.[row] ?? 0) * (columns[2]?.[row] ?? 0) > 0.8 ? 1 : 0));
  return trainGbdt({ columns, label }, { objective: 'binary', rounds: 8, numLeaves: 8 }).ensemble;
}

describe('shapContributions', () => {
  it('equals Shapley values computed by brute force over feature subsets (1e-9)', () => {
    const ensemble = smallModel();
    for (const row of [[0.2, 0.9, 0.7, 0.1], [0.9, NaN, 0.3, 0.5], [0.5, 0.5, 0.5, 0.5]]) {
      const contributions = shapContributions(ensemble, row);
      const expected = bruteForceShap(ensemble, row);
      expected.forEach((value, feature) => expect(Math.abs((contributions[feature] ?? NaN) - value)).toBeLessThan(1e-9));
    }
  });

  it('sums to the raw score for any row, on trained and on LightGBM models (property)', () => {
    const models: TreeEnsemble[] = [smallModel(), parseLightgbmText(readFileSync(path.join(TEST_DATA, 'lightgbm-models', 'flights.model.txt'), 'utf8')).ensemble];
    for (const ensemble of models) {
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.double({ min: -10, max: 5000, noNaN: true }), fc.integer({ min: 0, max: 228 }), fc.constant(NaN)), { minLength: ensemble.featureCount, maxLength: ensemble.featureCount }), (row) => {
          const contributions = shapContributions(ensemble, row);
          const sum = contributions.reduce((total, value) => total + value, 0);
          const raw = rawScores(ensemble, Float64Array.from(row), 1)[0] ?? NaN;
          expect(Math.abs(sum - raw)).toBeLessThan(1e-9 * Math.max(1, Math.abs(raw)));
        }),
        { numRuns: 40 },
      );
    }
  });

  it('sums per class for multiclass models', () => {
    const model = parseLightgbmText(readFileSync(path.join(TEST_DATA, 'lightgbm-models', 'multiclass.model.txt'), 'utf8')).ensemble;
    const row = Array.from({ length: model.featureCount }, (_, index) => (index % 3) - 0.5);
    const contributions = shapContributions(model, row);
    const raw = rawScores(model, Float64Array.from(row), 1);
    const width = model.featureCount + 1;
    for (let output = 0; output < model.outputs; output++) {
      const sum = contributions.slice(output * width, (output + 1) * width).reduce((total, value) => total + value, 0);
      expect(Math.abs(sum - (raw[output] ?? NaN))).toBeLessThan(1e-9);
    }
  });
});
