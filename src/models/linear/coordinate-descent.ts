/**
 * Cyclic coordinate descent for the weighted, elastic-net-penalised least-squares problem
 *
 *   minimise over (b, w):  1/2 sum_i v_i (z_i - b - x_i w)^2 + l1 |w|_1 + l2/2 |w|^2
 *
 * with the naive updates of Friedman, Hastie and Tibshirani (2010), "Regularization Paths for Generalized
 * Linear Models via Coordinate Descent", J. Stat. Softw. 33(1), eq. (5) and section 2.6 with weights:
 *   w_j <- S(sum_i v_i x_ij r_i + h_j w_j, l1) / (h_j + l2),   h_j = sum_i v_i x_ij^2,  S the soft threshold,
 * keeping the residuals r_i = z_i - b - x_i w up to date. The intercept is unpenalised and updated exactly
 * after each pass. After a full pass the loop cycles over the active set (non-zero weights) until it
 * settles, then checks with another full pass (their section 2.6, "active set convergence"). It stops
 * when no coordinate moves by more than the threshold, measured as (h_j + l2) dw_j^2, the order of the
 * objective decrease that move achieves (glmnet's criterion).
 *
 * Squared loss uses it once; logistic regression once per proximal Newton step, on the quadratic
 * approximation (section 3). Features arrive column by column: dense columns in one typed array, one-hot
 * slots as lists of rows. Hot loops run over typed arrays.
 */
import type { FeatureMatrix } from './linear-models.js';

/** A feature matrix by columns. */
export interface ColumnView {
  rows: number;
  features: number;
  denseWidth: number;
  /** Column-major dense values, `rows` per column. */
  dense: Float64Array;
  /** One-hot slot s (feature denseWidth + s) is active in slotRows[slotStart[s], slotStart[s + 1]). */
  slotStart: Int32Array;
  slotRows: Int32Array;
}

/** Mutable solver state: weights, intercept, and the residuals z - b - X w they leave. */
export interface DescentState {
  weights: Float64Array;
  intercept: number;
  residual: Float64Array;
}

export interface DescentProblem {
  view: ColumnView;
  /** v_i >= 0 per row. */
  rowWeight: Float64Array;
  l1: number;
  l2: number;
}

export interface DescentResult {
  /** Passes over coordinates (full or active-set). */
  passes: number;
  converged: boolean;
}

/** Rearranges a row-major feature matrix by columns. */
export function columnView(matrix: FeatureMatrix): ColumnView {
  const { rows, denseWidth, activeWidth, active, features } = matrix;
  const dense = new Float64Array(rows * denseWidth);
  for (let row = 0; row < rows; row++) {
    for (let feature = 0; feature < denseWidth; feature++) dense[feature * rows + row] = matrix.dense[row * denseWidth + feature] as number;
  }
  const slots = features - denseWidth;
  const slotStart = new Int32Array(slots + 1);
  for (let index = 0; index < rows * activeWidth; index++) {
    const next = (active[index] as number) - denseWidth + 1;
    slotStart[next] = (slotStart[next] as number) + 1;
  }
  for (let slot = 0; slot < slots; slot++) slotStart[slot + 1] = (slotStart[slot + 1] as number) + (slotStart[slot] as number);
  const fill = slotStart.slice(0, slots);
  const slotRows = new Int32Array(rows * activeWidth);
  for (let row = 0; row < rows; row++) {
    for (let slot = 0; slot < activeWidth; slot++) {
      const position = (active[row * activeWidth + slot] as number) - denseWidth;
      slotRows[fill[position] as number] = row;
      fill[position] = (fill[position] as number) + 1;
    }
  }
  return { rows, features, denseWidth, dense, slotStart, slotRows };
}

/** X w + b for every row. */
export function viewScores(view: ColumnView, weights: Float64Array, intercept: number): Float64Array {
  const { rows, denseWidth, dense, slotStart, slotRows } = view;
  const scores = new Float64Array(rows).fill(intercept);
  for (let feature = 0; feature < view.features; feature++) {
    const weight = weights[feature] as number;
    if (weight === 0) continue;
    if (feature < denseWidth) {
      const base = feature * rows;
      for (let row = 0; row < rows; row++) scores[row] = (scores[row] as number) + weight * (dense[base + row] as number);
    } else {
      const slot = feature - denseWidth;
      for (let k = slotStart[slot] as number; k < (slotStart[slot + 1] as number); k++) scores[slotRows[k] as number] = (scores[slotRows[k] as number] as number) + weight;
    }
  }
  return scores;
}

/** h_j = sum_i v_i x_ij^2 for every feature. */
function curvatures(problem: DescentProblem): Float64Array {
  const { view, rowWeight } = problem;
  const { rows, denseWidth, dense, slotStart, slotRows } = view;
  const h = new Float64Array(view.features);
  for (let feature = 0; feature < view.features; feature++) {
    let sum = 0;
    if (feature < denseWidth) {
      const base = feature * rows;
      for (let row = 0; row < rows; row++) sum += (rowWeight[row] as number) * (dense[base + row] as number) ** 2;
    } else {
      const slot = feature - denseWidth;
      for (let k = slotStart[slot] as number; k < (slotStart[slot + 1] as number); k++) sum += rowWeight[slotRows[k] as number] as number;
    }
    h[feature] = sum;
  }
  return h;
}

/** Moves one weight to its coordinate-wise minimum; returns (h_j + l2) times its squared change. */
function updateWeight(problem: DescentProblem, state: DescentState, h: Float64Array, feature: number): number {
  const { view, rowWeight, l1, l2 } = problem;
  const { rows, denseWidth, dense, slotStart, slotRows } = view;
  const { weights, residual } = state;
  const old = weights[feature] as number;
  const curvature = h[feature] as number;
  const denominator = curvature + l2;
  // A column that is zero for every weighted row (constant after standardisation) keeps a zero weight.
  if (!(denominator > 0)) return 0;
  let gradient = curvature * old;
  const isDense = feature < denseWidth;
  const base = feature * rows;
  const slot = feature - denseWidth;
  if (isDense) {
    for (let row = 0; row < rows; row++) gradient += (rowWeight[row] as number) * (dense[base + row] as number) * (residual[row] as number);
  } else {
    for (let k = slotStart[slot] as number; k < (slotStart[slot + 1] as number); k++) gradient += (rowWeight[slotRows[k] as number] as number) * (residual[slotRows[k] as number] as number);
  }
  const shrunk = Math.abs(gradient) <= l1 ? 0 : gradient - Math.sign(gradient) * l1;
  const next = shrunk / denominator;
  const change = next - old;
  if (change === 0) return 0;
  weights[feature] = next;
  if (isDense) {
    for (let row = 0; row < rows; row++) residual[row] = (residual[row] as number) - change * (dense[base + row] as number);
  } else {
    for (let k = slotStart[slot] as number; k < (slotStart[slot + 1] as number); k++) residual[slotRows[k] as number] = (residual[slotRows[k] as number] as number) - change;
  }
  return denominator * change * change;
}

/** Moves the intercept to the weighted mean residual; returns sum(v) times its squared change. */
function updateIntercept(problem: DescentProblem, state: DescentState, totalWeight: number): number {
  if (!(totalWeight > 0)) return 0;
  const { rowWeight } = problem;
  const residual = state.residual;
  let sum = 0;
  for (let row = 0; row < residual.length; row++) sum += (rowWeight[row] as number) * (residual[row] as number);
  const change = sum / totalWeight;
  if (change === 0) return 0;
  state.intercept += change;
  for (let row = 0; row < residual.length; row++) residual[row] = (residual[row] as number) - change;
  return totalWeight * change * change;
}

/** Runs coordinate descent from the given state until no move exceeds `threshold`, or `maxPasses`. */
export function descend(problem: DescentProblem, state: DescentState, threshold: number, maxPasses: number): DescentResult {
  const h = curvatures(problem);
  let totalWeight = 0;
  for (const weight of problem.rowWeight) totalWeight += weight;
  const features = problem.view.features;
  let passes = 0;
  while (passes < maxPasses) {
    let largest = updateIntercept(problem, state, totalWeight);
    for (let feature = 0; feature < features; feature++) largest = Math.max(largest, updateWeight(problem, state, h, feature));
    passes++;
    if (largest <= threshold) return { passes, converged: true };
    const activeSet: number[] = [];
    for (let feature = 0; feature < features; feature++) if (state.weights[feature] !== 0) activeSet.push(feature);
    while (passes < maxPasses) {
      largest = updateIntercept(problem, state, totalWeight);
      for (const feature of activeSet) largest = Math.max(largest, updateWeight(problem, state, h, feature));
      passes++;
      if (largest <= threshold) break;
    }
  }
  return { passes, converged: false };
}
