/**
 * L2-regularised logistic and linear regression, fitted by Newton's method (iteratively reweighted least
 * squares) with a backtracking line search. The objective is the sum of the losses plus lambda/2 times
 * the squared weights, the intercept unpenalised: scikit-learn's LogisticRegression(C) with lambda = 1/C,
 * and Ridge(alpha) with lambda = alpha (Ridge's objective is twice ours, with the same minimum).
 *
 * Features come as a dense block of numbers and, for one-hot categories, the index of the one active
 * feature per category, so a row's gradient and Hessian terms cost (dense + categories)^2, not the full
 * one-hot width squared. Hot loops run over typed arrays.
 */
import { solveCholesky } from './cholesky.js';

export interface FeatureMatrix {
  rows: number;
  /** Row-major numbers, `denseWidth` per row. */
  dense: Float64Array;
  denseWidth: number;
  /** Row-major indices of active one-hot features (each >= denseWidth), `activeWidth` per row. */
  active: Int32Array;
  activeWidth: number;
  /** All features: the dense ones, then every one-hot slot. */
  features: number;
}

export interface LinearFit {
  weights: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
}

/** Linear scores x * w + b for every row; `w` may carry the intercept at index `features`. */
function scoresOf(matrix: FeatureMatrix, weights: Float64Array, intercept: number, out: Float64Array): Float64Array {
  const { dense, denseWidth, active, activeWidth } = matrix;
  for (let row = 0; row < matrix.rows; row++) {
    let sum = intercept;
    const d = row * denseWidth;
    for (let feature = 0; feature < denseWidth; feature++) sum += (dense[d + feature] ?? 0) * (weights[feature] ?? 0);
    const a = row * activeWidth;
    for (let slot = 0; slot < activeWidth; slot++) sum += weights[active[a + slot] ?? 0] ?? 0;
    out[row] = sum;
  }
  return out;
}

/** Linear scores x * w + b for every row. */
export function linearScores(matrix: FeatureMatrix, fit: Pick<LinearFit, 'weights' | 'intercept'>): Float64Array {
  return scoresOf(matrix, fit.weights, fit.intercept, new Float64Array(matrix.rows));
}

interface Loss {
  /** Per row: the loss, its first and second derivative in the score. */
  value(score: number, target: number): number;
  derivatives(score: number, target: number, out: Float64Array): void;
}

function penalised(matrix: FeatureMatrix, w: Float64Array, y: Float64Array, lambda: number, loss: Loss, scores: Float64Array): number {
  const features = matrix.features;
  scoresOf(matrix, w, w[features] ?? 0, scores);
  let value = 0;
  for (let row = 0; row < matrix.rows; row++) value += loss.value(scores[row] ?? 0, y[row] ?? 0);
  for (let feature = 0; feature < features; feature++) value += 0.5 * lambda * (w[feature] ?? 0) ** 2;
  return value;
}

function fitNewton(matrix: FeatureMatrix, y: Float64Array, lambda: number, loss: Loss, start: number): LinearFit {
  const { rows, features, dense, denseWidth, active, activeWidth } = matrix;
  const size = features + 1;
  let w = new Float64Array(size);
  w[features] = start;
  const scores = new Float64Array(rows);
  const derivative = new Float64Array(2);
  const nonZero = new Int32Array(denseWidth + activeWidth + 1);
  const values = new Float64Array(denseWidth + activeWidth + 1);
  let value = penalised(matrix, w, y, lambda, loss, scores);
  for (let iteration = 0; iteration < 100; iteration++) {
    const gradient = new Float64Array(size);
    const hessian = new Float64Array(size * size);
    for (let row = 0; row < rows; row++) {
      loss.derivatives(scores[row] ?? 0, y[row] ?? 0, derivative);
      const first = derivative[0] ?? 0;
      const second = derivative[1] ?? 0;
      // The row's non-zero features: its numbers, its active one-hot slots, and the intercept.
      let count = 0;
      for (let feature = 0; feature < denseWidth; feature++) {
        nonZero[count] = feature;
        values[count++] = dense[row * denseWidth + feature] ?? 0;
      }
      for (let slot = 0; slot < activeWidth; slot++) {
        nonZero[count] = active[row * activeWidth + slot] ?? 0;
        values[count++] = 1;
      }
      nonZero[count] = features;
      values[count++] = 1;
      for (let i = 0; i < count; i++) {
        const fi = nonZero[i] ?? 0;
        const vi = values[i] ?? 0;
        gradient[fi] = (gradient[fi] ?? 0) + first * vi;
        const base = fi * size;
        for (let j = 0; j < count; j++) hessian[base + (nonZero[j] ?? 0)] = (hessian[base + (nonZero[j] ?? 0)] ?? 0) + second * vi * (values[j] ?? 0);
      }
    }
    for (let feature = 0; feature < features; feature++) {
      gradient[feature] = (gradient[feature] ?? 0) + lambda * (w[feature] ?? 0);
      hessian[feature * size + feature] = (hessian[feature * size + feature] ?? 0) + lambda;
    }
    let largest = 0;
    for (const component of gradient) largest = Math.max(largest, Math.abs(component));
    if (largest <= 1e-10 * Math.max(1, Math.abs(value))) return { weights: w.slice(0, features), intercept: w[features] ?? 0, iterations: iteration, converged: true };
    const step = Float64Array.from(gradient);
    if (!solveCholesky(hessian, step, size)) break;
    let slope = 0;
    for (let k = 0; k < size; k++) slope -= (gradient[k] ?? 0) * (step[k] ?? 0);
    let stepSize = 1;
    let candidate = w;
    let next = value;
    for (let tries = 0; tries < 40; tries++) {
      candidate = w.map((weight, k) => weight - stepSize * (step[k] ?? 0));
      next = penalised(matrix, candidate, y, lambda, loss, scores);
      if (next <= value + 1e-4 * stepSize * slope) break;
      stepSize /= 2;
    }
    if (!(next <= value)) break;
    const improvement = value - next;
    w = candidate;
    value = next;
    if (improvement <= 1e-14 * Math.max(1, Math.abs(value))) return { weights: w.slice(0, features), intercept: w[features] ?? 0, iterations: iteration + 1, converged: true };
  }
  return { weights: w.slice(0, features), intercept: w[features] ?? 0, iterations: 100, converged: false };
}

/** 1 / (1 + e^-score) without overflow. */
export function sigmoid(score: number): number {
  return score >= 0 ? 1 / (1 + Math.exp(-score)) : Math.exp(score) / (1 + Math.exp(score));
}

/** The logistic loss log(1 + e^score) - label score without overflow. */
export function logisticLoss(score: number, label: number): number {
  return (score > 0 ? score + Math.log1p(Math.exp(-score)) : Math.log1p(Math.exp(score))) - label * score;
}

const LOGISTIC: Loss = {
  value: logisticLoss,
  derivatives: (score, label, out) => {
    const probability = sigmoid(score);
    out[0] = probability - label;
    out[1] = probability * (1 - probability);
  },
};

const SQUARED: Loss = {
  value: (score, target) => 0.5 * (score - target) ** 2,
  derivatives: (score, target, out) => {
    out[0] = score - target;
    out[1] = 1;
  },
};

/** Logistic regression for labels in {0, 1}. */
export function fitLogistic(matrix: FeatureMatrix, y: Float64Array, lambda: number): LinearFit {
  let positives = 0;
  for (const label of y) positives += label;
  const prior = Math.min(Math.max(positives / Math.max(1, matrix.rows), 1e-6), 1 - 1e-6);
  return fitNewton(matrix, y, lambda, LOGISTIC, Math.log(prior / (1 - prior)));
}

/** Ridge regression. */
export function fitRidge(matrix: FeatureMatrix, y: Float64Array, lambda: number): LinearFit {
  let mean = 0;
  for (const value of y) mean += value;
  return fitNewton(matrix, y, lambda, SQUARED, mean / Math.max(1, matrix.rows));
}
