/**
 * TreeSHAP: exact Shapley values of a tree ensemble's raw score for one row, by the path-dependent
 * algorithm of Lundberg, Erion and Lee, "Consistent Individualized Feature Attribution for Tree Ensembles"
 * (2018), Algorithm 2, with the training row counts of each node as its cover. The contributions and the
 * expected value sum to the row's raw score, per output.
 */
import { goesLeft, type FlatTree, type TreeEnsemble } from './tree-ensemble.js';

interface PathElement {
  feature: number;
  zeroFraction: number;
  oneFraction: number;
  weight: number;
}

function extend(path: PathElement[], zeroFraction: number, oneFraction: number, feature: number): PathElement[] {
  const length = path.length;
  const next = path.map((element) => ({ ...element }));
  next.push({ feature, zeroFraction, oneFraction, weight: length === 0 ? 1 : 0 });
  for (let i = length - 1; i >= 0; i--) {
    const current = next[i] as PathElement;
    const after = next[i + 1] as PathElement;
    after.weight += (oneFraction * current.weight * (i + 1)) / (length + 1);
    current.weight = (zeroFraction * current.weight * (length - i)) / (length + 1);
  }
  return next;
}

function unwind(path: PathElement[], index: number): PathElement[] {
  const last = path.length - 1;
  const { oneFraction, zeroFraction } = path[index] as PathElement;
  const next = path.map((element) => ({ ...element }));
  let carry = (next[last] as PathElement).weight;
  for (let j = last - 1; j >= 0; j--) {
    const element = next[j] as PathElement;
    if (oneFraction !== 0) {
      const previous = element.weight;
      element.weight = (carry * (last + 1)) / ((j + 1) * oneFraction);
      carry = previous - (element.weight * zeroFraction * (last - j)) / (last + 1);
    } else {
      element.weight = (element.weight * (last + 1)) / (zeroFraction * (last - j));
    }
  }
  for (let j = index; j < last; j++) {
    const element = next[j] as PathElement;
    const source = next[j + 1] as PathElement;
    element.feature = source.feature;
    element.zeroFraction = source.zeroFraction;
    element.oneFraction = source.oneFraction;
  }
  next.pop();
  return next;
}

function cover(tree: FlatTree, child: number): number {
  return child < 0 ? (tree.leafCount[~child] ?? 0) : (tree.nodeCount[child] ?? 0);
}

/** Adds one tree's contributions for a row to `phi` (one slot per feature). */
function treeShap(tree: FlatTree, row: ArrayLike<number>, offset: number, phi: Float64Array): void {
  const recurse = (node: number, path: PathElement[], zeroFraction: number, oneFraction: number, feature: number): void => {
    const extended = extend(path, zeroFraction, oneFraction, feature);
    if (node < 0) {
      const value = tree.leafValue[~node] ?? 0;
      for (let i = 1; i < extended.length; i++) {
        const element = extended[i] as PathElement;
        const weight = unwind(extended, i).reduce((sum, item) => sum + item.weight, 0);
        phi[element.feature] = (phi[element.feature] ?? 0) + weight * (element.oneFraction - element.zeroFraction) * value;
      }
      return;
    }
    const split = tree.feature[node] ?? 0;
    const left = tree.left[node] ?? 0;
    const right = tree.right[node] ?? 0;
    const [hot, cold] = goesLeft(tree, node, row[offset + split] ?? NaN) ? [left, right] : [right, left];
    const total = tree.nodeCount[node] ?? 0;
    let incomingZero = 1;
    let incomingOne = 1;
    let current = extended;
    const seen = current.findIndex((element, index) => index > 0 && element.feature === split);
    if (seen >= 0) {
      incomingZero = (current[seen] as PathElement).zeroFraction;
      incomingOne = (current[seen] as PathElement).oneFraction;
      current = unwind(current, seen);
    }
    recurse(hot, current, (incomingZero * cover(tree, hot)) / total, incomingOne, split);
    recurse(cold, current, (incomingZero * cover(tree, cold)) / total, 0, split);
  };
  if (tree.feature.length === 0) return;
  recurse(0, [], 1, 1, -1);
}

/** The tree's expected raw output over its training rows: the cover-weighted mean of its leaves. */
function expectedValue(tree: FlatTree): number {
  let total = 0;
  let sum = 0;
  tree.leafValue.forEach((value, leaf) => {
    const count = tree.leafCount[leaf] ?? 0;
    total += count;
    sum += count * value;
  });
  return total === 0 ? (tree.leafValue[0] ?? 0) : sum / total;
}

/**
 * SHAP contributions of one row: outputs x (features + 1), the last slot of each output the expected
 * value (bias). Each output's slots sum to its raw score. Averaged ensembles are not supported.
 */
export function shapContributions(ensemble: TreeEnsemble, input: ArrayLike<number>, offset = 0): Float64Array {
  const width = ensemble.featureCount + 1;
  const row = ensemble.float32Inputs === true ? Float32Array.from(input) : input;
  const out = new Float64Array(ensemble.outputs * width);
  ensemble.trees.forEach((tree, index) => {
    const output = index % ensemble.outputs;
    const phi = new Float64Array(ensemble.featureCount);
    treeShap(tree, row, offset, phi);
    for (let feature = 0; feature < ensemble.featureCount; feature++) out[output * width + feature] = (out[output * width + feature] ?? 0) + (phi[feature] ?? 0);
    out[output * width + ensemble.featureCount] = (out[output * width + ensemble.featureCount] ?? 0) + expectedValue(tree);
  });
  for (let output = 0; output < ensemble.outputs; output++) {
    out[output * width + ensemble.featureCount] = (out[output * width + ensemble.featureCount] ?? 0) + (ensemble.baseScore[output] ?? 0);
  }
  return out;
}
