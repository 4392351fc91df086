/**
 * Tree ensembles: the trees (flat-tree.ts) with their base score, link and output count, and batch
 * prediction over a row-major feature matrix, by the compiled trees (compiled-trees.ts) or the interpreter.
 */
import { MlcycleError } from '../../error.js';
import { compileTrees, isCompiled, type CompiledTree } from './compiled-trees.js';
import { leafIndex, type FlatTree } from './flat-tree.js';
import { addPackedScores, PACKED_BLOCK_ROWS, packForest } from './packed-forest.js';
import { addPackedScoresInParallel, predictsInParallel } from './prediction-threads.js';

export { DECISION_CATEGORICAL, DECISION_DEFAULT_LEFT, goesLeft, leafIndex, MISSING_NAN, MISSING_NONE, MISSING_ZERO, type FlatTree } from './flat-tree.js';

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

/**
 * How a batch walks the trees: the packed forest (packed-forest.ts) whenever it can hold the forest, on
 * two threads from PARALLEL_PREDICT_MIN_ROWS rows (prediction-threads.ts; `packed-threads` forces them,
 * `packed` keeps one); otherwise, from COMPILE_MIN_ROWS rows, the trees compiled to JavaScript
 * (compiled-trees.ts), which fewer rows use too once they exist (a served model is compiled by its first
 * batch or by `compileTrees`); otherwise the interpreter over the flattened arrays. All give the same bits.
 */
export type TreeWalk = 'auto' | 'packed' | 'packed-threads' | 'compiled' | 'interpret';

export const COMPILE_MIN_ROWS = 2_000;
const PREDICT_BLOCK_ROWS = 256;

/** Builds now what prediction will walk (the packed forest, else the compiled trees), so that the first batch does not pay for it. */
export function preparePrediction(ensemble: Pick<TreeEnsemble, 'trees' | 'featureCount'>): void {
  if (packForest(ensemble.trees, ensemble.featureCount) === undefined) compileTrees(ensemble.trees);
}

/** Raw scores (before the link), rows x outputs, for a row-major feature matrix. */
export function rawScores(ensemble: TreeEnsemble, input: ArrayLike<number>, rows: number, walk: TreeWalk = 'auto'): Float64Array {
  const { outputs, featureCount, trees } = ensemble;
  if (input.length !== rows * featureCount) {
    throw new MlcycleError('invalid_input', `the model takes ${featureCount} features per row: ${rows} rows need ${rows * featureCount} values, not ${input.length}`);
  }
  const features = ensemble.float32Inputs === true ? Float32Array.from(input) : input;
  const scores = new Float64Array(rows * outputs);
  const packed = walk === 'auto' || walk === 'packed' || walk === 'packed-threads' ? packForest(trees, featureCount) : undefined;
  if ((walk === 'packed' || walk === 'packed-threads') && packed === undefined) throw new MlcycleError('invalid_input', 'these trees cannot be packed: they split on zero as missing, on a NaN threshold or on a feature both as a category and as a number');
  if (packed !== undefined) {
    if (walk === 'packed-threads' || (walk === 'auto' && predictsInParallel(rows))) addPackedScoresInParallel(packed, features, rows, outputs, scores, PACKED_BLOCK_ROWS);
    else addPackedScores(packed, features, rows, outputs, scores);
  } else if (walk === 'compiled' || (walk === 'auto' && (rows >= COMPILE_MIN_ROWS || isCompiled(trees)))) {
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
