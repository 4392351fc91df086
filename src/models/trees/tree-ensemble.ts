/**
 * Tree ensembles in a flattened layout (structure of arrays, one typed array per field), shared by the
 * trees mlcycle trains and the ones it imports. The split semantics are LightGBM's (include/LightGBM/
 * tree.h): a node's decision byte holds bit 0 categorical, bit 1 default-left, bits 2-3 the missing type
 * (0 none, 1 zero, 2 NaN); a child index below zero is the leaf ~index.
 */
import { MlcycleError } from '../../error.js';
import { compileTrees, isCompiled, type CompiledTree } from './compiled-trees.js';

export const DECISION_CATEGORICAL = 1;
export const DECISION_DEFAULT_LEFT = 2;
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;
/** LightGBM's kZeroThreshold: values this close to 0 count as zero. */
const ZERO_THRESHOLD = 1e-35;

export interface FlatTree {
  feature: Int32Array;
  /** Numeric nodes: go left when value <= threshold. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  decision: Uint8Array;
  /** Categorical nodes: their categories going left, as a bitset slice catBits[catStart, catStart + catLength). */
  catStart: Int32Array;
  catLength: Int32Array;
  catBits: Uint32Array;
  leafValue: Float64Array;
  /** Training rows through each internal node and each leaf: TreeSHAP's cover. */
  nodeCount: Float64Array;
  leafCount: Float64Array;
  /** Each internal node's split gain, for gain importance. */
  splitGain: Float64Array;
}

/** How raw scores become predictions: as they are, a logistic or softmax probability, or exp (Poisson, gamma, Tweedie). */
export type Link = 'identity' | 'logistic' | 'softmax' | 'exponential';

export interface TreeEnsemble {
  featureCount: number;
  /** Scores per row: the number of classes for softmax, else 1. Tree t adds to output t mod outputs. */
  outputs: number;
  trees: FlatTree[];
  /** Added to each output's raw score before the link. */
  baseScore: number[];
  link: Link;
  /** The logistic link's slope: p = 1 / (1 + exp(-slope * raw)); LightGBM's `sigmoid` parameter. */
  logisticSlope: number;
  /** Random forests average their trees instead of summing them. */
  averageOutput: boolean;
  /** Feature values are rounded to float32 before the splits compare them (XGBoost's models). */
  float32Inputs?: boolean;
}

/** Whether a node sends a feature value left. The hot path of prediction: typed arrays, no allocation. */
export function goesLeft(tree: FlatTree, node: number, featureValue: number): boolean {
  const decision = tree.decision[node] as number;
  if ((decision & DECISION_CATEGORICAL) !== 0) {
    // NaN, negative categories and categories past the bitset go right (values in (-1, 0) truncate to
    // category 0, as in C++); otherwise left when the category's bit is set.
    if (featureValue !== featureValue) return false;
    const category = Math.trunc(featureValue);
    if (category < 0 || category >= (tree.catLength[node] as number) * 32) return false;
    return (((tree.catBits[(tree.catStart[node] as number) + (category >>> 5)] as number) >>> (category & 31)) & 1) === 1;
  }
  const missing = (decision >> 2) & 3;
  let value = featureValue;
  if (value !== value) {
    // NaN: the default direction when NaN is the node's missing value, else treated as 0.
    if (missing === MISSING_NAN) return (decision & DECISION_DEFAULT_LEFT) !== 0;
    value = 0;
  }
  if (missing === MISSING_ZERO && Math.abs(value) <= ZERO_THRESHOLD) return (decision & DECISION_DEFAULT_LEFT) !== 0;
  return value <= (tree.threshold[node] as number);
}

/** The leaf a row reaches in a tree; `row` holds the features from `offset`. */
export function leafIndex(tree: FlatTree, row: ArrayLike<number>, offset = 0): number {
  if (tree.feature.length === 0) return 0;
  const { feature, left, right } = tree;
  let node = 0;
  for (;;) {
    const next = goesLeft(tree, node, row[offset + (feature[node] as number)] as number) ? (left[node] as number) : (right[node] as number);
    if (next < 0) return ~next;
    node = next;
  }
}

/**
 * From this many rows a batch is predicted with the trees compiled to JavaScript (compiled-trees.ts);
 * fewer rows use the compiled trees once they exist (a served model is compiled by its first batch or by
 * `compileTrees`), and otherwise walk the flattened arrays.
 */
export const COMPILE_MIN_ROWS = 2_000;
const PREDICT_BLOCK_ROWS = 256;

/** Raw scores (before the link), rows x outputs, for a row-major feature matrix. */
export function rawScores(ensemble: TreeEnsemble, input: ArrayLike<number>, rows: number, walk: 'auto' | 'interpret' = 'auto'): Float64Array {
  const { outputs, featureCount, trees } = ensemble;
  if (input.length !== rows * featureCount) {
    throw new MlcycleError('invalid_input', `the model takes ${featureCount} features per row: ${rows} rows need ${rows * featureCount} values, not ${input.length}`);
  }
  const features = ensemble.float32Inputs === true ? Float32Array.from(input) : input;
  const scores = new Float64Array(rows * outputs);
  if (walk === 'auto' && (rows >= COMPILE_MIN_ROWS || isCompiled(trees))) {
    // Blocks of rows, tree by tree: a block's features stay in the cache while every tree reads them.
    const compiled = compileTrees(trees);
    for (let first = 0; first < rows; first += PREDICT_BLOCK_ROWS) {
      const last = Math.min(rows, first + PREDICT_BLOCK_ROWS);
      for (let t = 0; t < trees.length; t++) {
        const tree = compiled.trees[t] as CompiledTree;
        const output = t % outputs;
        for (let row = first; row < last; row++) {
          const index = row * outputs + output;
          scores[index] = (scores[index] as number) + tree(features, row * featureCount, compiled.bits, trees);
        }
      }
    }
  } else {
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t] as FlatTree;
      const output = t % outputs;
      for (let row = 0; row < rows; row++) {
        const index = row * outputs + output;
        scores[index] = (scores[index] ?? 0) + (tree.leafValue[leafIndex(tree, features, row * featureCount)] ?? 0);
      }
    }
  }
  const perOutput = trees.length / outputs;
  for (let row = 0; row < rows; row++) {
    for (let output = 0; output < outputs; output++) {
      const index = row * outputs + output;
      const sum = ensemble.averageOutput && perOutput > 0 ? (scores[index] ?? 0) / perOutput : (scores[index] ?? 0);
      scores[index] = sum + (ensemble.baseScore[output] ?? 0);
    }
  }
  return scores;
}

/** Applies the link to raw scores in place: probabilities for logistic and softmax links. */
export function applyLink(ensemble: Pick<TreeEnsemble, 'link' | 'outputs' | 'logisticSlope'>, scores: Float64Array): Float64Array {
  if (ensemble.link === 'logistic') {
    for (let index = 0; index < scores.length; index++) scores[index] = 1 / (1 + Math.exp(-ensemble.logisticSlope * (scores[index] ?? 0)));
  } else if (ensemble.link === 'exponential') {
    for (let index = 0; index < scores.length; index++) scores[index] = Math.exp(scores[index] ?? 0);
  } else if (ensemble.link === 'softmax') {
    const outputs = ensemble.outputs;
    for (let start = 0; start < scores.length; start += outputs) {
      let max = -Infinity;
      for (let k = 0; k < outputs; k++) max = Math.max(max, scores[start + k] ?? 0);
      let sum = 0;
      for (let k = 0; k < outputs; k++) {
        const value = Math.exp((scores[start + k] ?? 0) - max);
        scores[start + k] = value;
        sum += value;
      }
      for (let k = 0; k < outputs; k++) scores[start + k] = (scores[start + k] ?? 0) / sum;
    }
  }
  return scores;
}

/** Predictions (probabilities for classifiers), rows x outputs. */
export function predictEnsemble(ensemble: TreeEnsemble, features: ArrayLike<number>, rows: number): Float64Array {
  return applyLink(ensemble, rawScores(ensemble, features, rows));
}
