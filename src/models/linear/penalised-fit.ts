/**
 * Elastic-net penalised linear and logistic regression, in scikit-learn's parameterisation so that fits
 * can be compared with it. With sample weights s (all 1 when absent) and the intercept b unpenalised:
 *
 *   linear (sklearn Lasso, ElasticNet):
 *     1/(2 sum(s)) sum_i s_i (y_i - b - x_i w)^2 + alpha l1Ratio |w|_1 + alpha (1 - l1Ratio)/2 |w|^2
 *   logistic (sklearn LogisticRegression, penalty 'l1' | 'l2' | 'elasticnet', solver 'saga'), y in {0, 1}:
 *     C sum_i s_i [log(1 + e^(b + x_i w)) - y_i (b + x_i w)] + l1Ratio |w|_1 + (1 - l1Ratio)/2 |w|^2
 *
 * l1Ratio 1 is the lasso (L1), 0 ridge (L2). Dividing the logistic objective by C n gives glmnet's
 * form with lambda = 1/(C n) and alpha = l1Ratio.
 *
 * Squared loss: one run of coordinate descent (coordinate-descent.ts) with row weights s_i / sum(s).
 * Logistic: proximal Newton (glmnet's outer IRLS loop, Friedman, Hastie, Tibshirani 2010, section 3):
 * each step minimises the penalised quadratic approximation of the loss at the current scores, with row
 * weights C s_i p_i (1 - p_i) (floored at C s_i 1e-5, as glmnet does, which keeps the model positive
 * definite and leaves the fixed point unchanged) by coordinate descent, then a backtracking line search
 * on the true objective with the sufficient-decrease test of Lee, Sun and Saunders (2014), "Proximal
 * Newton-type methods for minimizing composite functions", eq. (2.6). It stops when the predicted decrease
 * of a full step is below `tolerance` times the objective.
 */
import { columnView, descend, viewScores, type ColumnView } from './coordinate-descent.js';
import { logisticLoss, sigmoid, type FeatureMatrix, type LinearFit } from './linear-models.js';

export interface PenaltySettings {
  /** Mixing: 1 is L1 (lasso), 0 is L2 (ridge). */
  l1Ratio: number;
  /** Relative stopping tolerance; 1e-12 by default. */
  tolerance?: number;
  /** Coordinate passes (linear) or Newton steps (logistic) at most. */
  maxIterations?: number;
}

export interface PenalisedFit extends LinearFit {
  /** The objective stated above, at the weights returned. */
  objective: number;
  /** Coordinate passes over the features, summed over Newton steps for the logistic loss. */
  passes: number;
}

const DEFAULT_TOLERANCE = 1e-12;
/** glmnet's floor on the IRLS weights p (1 - p). */
const MIN_CURVATURE = 1e-5;

function penaltyOf(weights: Float64Array, l1: number, l2: number): number {
  let absolute = 0;
  let squares = 0;
  for (const weight of weights) {
    absolute += Math.abs(weight);
    squares += weight * weight;
  }
  return l1 * absolute + 0.5 * l2 * squares;
}

function unitWeights(rows: number, sampleWeight: ArrayLike<number> | undefined): Float64Array {
  return sampleWeight === undefined ? new Float64Array(rows).fill(1) : Float64Array.from(sampleWeight);
}

/** The linear objective above for given weights and intercept. */
export function linearObjective(matrix: FeatureMatrix | ColumnView, y: ArrayLike<number>, fit: { weights: Float64Array; intercept: number }, alpha: number, l1Ratio: number, sampleWeight?: ArrayLike<number>): number {
  const view = 'slotStart' in matrix ? matrix : columnView(matrix);
  const scores = viewScores(view, fit.weights, fit.intercept);
  const s = unitWeights(view.rows, sampleWeight);
  let loss = 0;
  let total = 0;
  for (let row = 0; row < view.rows; row++) {
    loss += (s[row] as number) * ((y[row] as number) - (scores[row] as number)) ** 2;
    total += s[row] as number;
  }
  return loss / (2 * total) + penaltyOf(fit.weights, alpha * l1Ratio, alpha * (1 - l1Ratio));
}

function logisticLossSum(scores: Float64Array, y: ArrayLike<number>, costs: Float64Array): number {
  let sum = 0;
  for (let row = 0; row < scores.length; row++) sum += (costs[row] as number) * logisticLoss(scores[row] as number, y[row] as number);
  return sum;
}

/** The logistic objective above for given weights and intercept. */
export function logisticObjective(matrix: FeatureMatrix | ColumnView, y: ArrayLike<number>, fit: { weights: Float64Array; intercept: number }, C: number, l1Ratio: number, sampleWeight?: ArrayLike<number>): number {
  const view = 'slotStart' in matrix ? matrix : columnView(matrix);
  const costs = unitWeights(view.rows, sampleWeight).map((weight) => C * weight);
  return logisticLossSum(viewScores(view, fit.weights, fit.intercept), y, costs) + penaltyOf(fit.weights, l1Ratio, 1 - l1Ratio);
}

/** Linear regression with the elastic-net penalty (lasso at l1Ratio 1), by coordinate descent. */
export function fitElasticNet(matrix: FeatureMatrix, y: ArrayLike<number>, alpha: number, settings: PenaltySettings, sampleWeight?: ArrayLike<number>): PenalisedFit {
  const view = columnView(matrix);
  const rowWeight = unitWeights(view.rows, sampleWeight);
  let total = 0;
  for (const weight of rowWeight) total += weight;
  let mean = 0;
  for (let row = 0; row < view.rows; row++) {
    rowWeight[row] = (rowWeight[row] as number) / total;
    mean += (rowWeight[row] as number) * (y[row] as number);
  }
  // The threshold is relative to the null model's loss, 1/2 the weighted variance of y.
  let spread = 0;
  for (let row = 0; row < view.rows; row++) spread += 0.5 * (rowWeight[row] as number) * ((y[row] as number) - mean) ** 2;
  const state = { weights: new Float64Array(view.features), intercept: 0, residual: Float64Array.from(y) };
  const tolerance = settings.tolerance ?? DEFAULT_TOLERANCE;
  const result = descend({ view, rowWeight, l1: alpha * settings.l1Ratio, l2: alpha * (1 - settings.l1Ratio) }, state, tolerance * Math.max(spread, Number.MIN_VALUE), settings.maxIterations ?? 100_000);
  const fit = { weights: state.weights, intercept: state.intercept };
  return { ...fit, iterations: result.passes, passes: result.passes, converged: result.converged, objective: linearObjective(view, y, fit, alpha, settings.l1Ratio, sampleWeight) };
}

/** Logistic regression for labels in {0, 1} with the elastic-net penalty, by proximal Newton. */
export function fitPenalisedLogistic(matrix: FeatureMatrix, y: ArrayLike<number>, C: number, settings: PenaltySettings, sampleWeight?: ArrayLike<number>): PenalisedFit {
  const view = columnView(matrix);
  const { rows, features } = view;
  const l1 = settings.l1Ratio;
  const l2 = 1 - settings.l1Ratio;
  const tolerance = settings.tolerance ?? DEFAULT_TOLERANCE;
  const costs = unitWeights(rows, sampleWeight).map((weight) => C * weight);
  // Start from the weighted prior log-odds.
  let positive = 0;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    positive += (costs[row] as number) * (y[row] as number);
    total += costs[row] as number;
  }
  const prior = Math.min(Math.max(positive / total, 1e-6), 1 - 1e-6);
  let weights = new Float64Array(features);
  let intercept = Math.log(prior / (1 - prior));
  let scores = viewScores(view, weights, intercept);
  let objective = logisticLossSum(scores, y, costs) + penaltyOf(weights, l1, l2);
  const rowWeight = new Float64Array(rows);
  const residual = new Float64Array(rows);
  let passes = 0;
  let lastDecrease = objective;
  const maxSteps = settings.maxIterations ?? 100;
  for (let step = 0; step < maxSteps; step++) {
    // The quadratic model: weights v_i and working residuals (z_i - score_i) = C s_i (y_i - p_i) / v_i.
    let slopeDotScores = 0;
    for (let row = 0; row < rows; row++) {
      const score = scores[row] as number;
      const probability = sigmoid(score);
      const cost = costs[row] as number;
      rowWeight[row] = cost * Math.max(probability * (1 - probability), MIN_CURVATURE);
      residual[row] = rowWeight[row] === 0 ? 0 : (cost * ((y[row] as number) - probability)) / (rowWeight[row] as number);
    }
    const state = { weights: Float64Array.from(weights), intercept, residual };
    // Inexact Newton steps: early steps need the quadratic model solved only to a fraction of the last
    // predicted decrease (Lee, Sun, Saunders 2014, section 3.1); the last ones to the final tolerance.
    const finalThreshold = 1e-2 * tolerance * Math.max(1, objective);
    const threshold = Math.max(finalThreshold, 1e-4 * lastDecrease);
    const inner = descend({ view, rowWeight, l1, l2 }, state, threshold, 100_000);
    passes += inner.passes;
    const candidateScores = viewScores(view, state.weights, state.intercept);
    // Predicted decrease of the full step: gradient . direction + change of the penalty (negative).
    for (let row = 0; row < rows; row++) {
      const score = scores[row] as number;
      const probability = sigmoid(score);
      slopeDotScores += (costs[row] as number) * (probability - (y[row] as number)) * ((candidateScores[row] as number) - score);
    }
    const penalty = penaltyOf(weights, l1, l2);
    const decrease = slopeDotScores + penaltyOf(state.weights, l1, l2) - penalty;
    if (!(decrease < -tolerance * Math.max(1, Math.abs(objective)))) {
      if (threshold <= finalThreshold) return { weights, intercept, objective, iterations: step, passes, converged: inner.converged || decrease === 0 };
      // A loosely solved model predicts no progress: solve it again to the final tolerance.
      lastDecrease = 0;
      continue;
    }
    lastDecrease = -decrease;
    let size = 1;
    let accepted = false;
    for (let tries = 0; tries < 50 && !accepted; tries++) {
      const trialWeights = weights.map((weight, feature) => weight + size * ((state.weights[feature] as number) - weight));
      const trialIntercept = intercept + size * (state.intercept - intercept);
      const trialScores = size === 1 ? candidateScores : scores.map((score, row) => score + size * ((candidateScores[row] as number) - score));
      const trialObjective = logisticLossSum(trialScores, y, costs) + penaltyOf(trialWeights, l1, l2);
      if (trialObjective <= objective + 1e-4 * size * decrease) {
        weights = trialWeights;
        intercept = trialIntercept;
        scores = trialScores;
        objective = trialObjective;
        accepted = true;
      } else {
        size /= 2;
      }
    }
    if (!accepted) return { weights, intercept, objective, iterations: step + 1, passes, converged: false };
  }
  return { weights, intercept, objective, iterations: maxSteps, passes, converged: false };
}
