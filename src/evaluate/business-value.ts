/**
 * Expected business value per decision from the spec's value model (src/problem/spec-schema.ts), with a
 * seeded percentile bootstrap interval and a normal interval. Each task turns rows into one value per
 * decision; the estimate is their mean:
 *
 * - binary: act (alert) when score >= threshold; a row is worth the value model's cell of its confusion
 *   matrix (truePositive, falsePositive, falseNegative, trueNegative);
 * - multiclass: matrix[actual][predicted], cells not named worth 0 (as the schema says);
 * - regression: minus the cost of the error, overPredictionCostPerUnit * max(prediction - target, 0) +
 *   underPredictionCostPerUnit * max(target - prediction, 0);
 * - ranking: per query, valuePerRelevantItem times the relevant items (relevance > 0) among the k
 *   best-scored, ties broken by row order; the decision is the query's list.
 */
import type { BinaryValueModel, MulticlassValueModel, RankingValueModel, RegressionValueModel } from '../problem/spec-schema.js';
import { normalQuantile } from '../stats/distributions.js';
import { bootstrapMeanInterval, checkBootstrapSettings } from './off-policy/bootstrap.js';
import { invalidInput } from './off-policy/invalid-input.js';

/** Bootstrap and interval settings; defaults 1000 resamples, seed 0, 95%. */
export interface ValueIntervalOptions {
  resamples?: number;
  seed?: number;
  confidenceLevel?: number;
}

/** The mean value per decision with its intervals. */
export interface ValueEstimate {
  decisions: number;
  valuePerDecision: number;
  totalValue: number;
  standardError: number;
  normalInterval: [number, number];
  bootstrapInterval: [number, number];
}

/** The mean of per-decision values with a standard error, a normal and a percentile bootstrap interval. */
export function estimateMeanValue(values: Float64Array, options: ValueIntervalOptions = {}): ValueEstimate {
  const { resamples = 1000, seed = 0, confidenceLevel = 0.95 } = options;
  checkBootstrapSettings({ resamples, seed, confidenceLevel });
  const n = values.length;
  if (n === 0) throw invalidInput('', 'no decisions to value');
  let total = 0;
  for (const value of values) total += value;
  const mean = total / n;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  const standardError = n < 2 ? NaN : Math.sqrt(squares / (n - 1) / n);
  const z = normalQuantile(1 - (1 - confidenceLevel) / 2);
  const bootstrap = bootstrapMeanInterval(values, { resamples, seed, confidenceLevel });
  return {
    decisions: n,
    valuePerDecision: mean,
    totalValue: total,
    standardError,
    normalInterval: [mean - z * standardError, mean + z * standardError],
    bootstrapInterval: [bootstrap.lower, bootstrap.upper],
  };
}

/** The value of each row's binary decision (act when score >= threshold). */
export function binaryDecisionValues(scores: ArrayLike<number>, labels: ArrayLike<number>, valueModel: BinaryValueModel, threshold: number): Float64Array {
  checkSameLength(scores.length, labels.length, 'labels');
  const values = new Float64Array(scores.length);
  for (let row = 0; row < scores.length; row++) {
    const act = (scores[row] as number) >= threshold;
    const positive = isPositive(labels[row] as number, row);
    values[row] = positive ? (act ? valueModel.truePositive : valueModel.falseNegative) : act ? valueModel.falsePositive : valueModel.trueNegative;
  }
  return values;
}

/** Binary: expected value per decision at a threshold, with intervals. */
export function binaryValueAtThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  valueModel: BinaryValueModel,
  threshold: number,
  options: ValueIntervalOptions = {},
): ValueEstimate & { threshold: number } {
  return { threshold, ...estimateMeanValue(binaryDecisionValues(scores, labels, valueModel, threshold), options) };
}

/** Multiclass: expected value per decision of predicted against actual classes, with intervals. */
export function multiclassValue(
  actual: ArrayLike<string | number>,
  predicted: ArrayLike<string | number>,
  valueModel: MulticlassValueModel,
  options: ValueIntervalOptions = {},
): ValueEstimate {
  checkSameLength(actual.length, predicted.length, 'predicted');
  const values = new Float64Array(actual.length);
  for (let row = 0; row < actual.length; row++) {
    values[row] = valueModel.matrix[String(actual[row])]?.[String(predicted[row])] ?? 0;
  }
  return estimateMeanValue(values, options);
}

/** Regression: expected value per decision (minus the asymmetric cost of the error), with intervals. */
export function regressionValue(
  targets: ArrayLike<number>,
  predictions: ArrayLike<number>,
  valueModel: RegressionValueModel,
  options: ValueIntervalOptions = {},
): ValueEstimate {
  checkSameLength(targets.length, predictions.length, 'predictions');
  const values = new Float64Array(targets.length);
  for (let row = 0; row < targets.length; row++) {
    const error = (predictions[row] as number) - (targets[row] as number);
    if (!Number.isFinite(error)) throw invalidInput(`predictions[${row}]`, 'target and prediction must be finite numbers');
    values[row] = -(error > 0 ? valueModel.overPredictionCostPerUnit * error : valueModel.underPredictionCostPerUnit * -error);
  }
  return estimateMeanValue(values, options);
}

/** Ranking: expected value per query (relevant items in the top k times their value), with intervals over queries. */
export function rankingValue(
  queries: ArrayLike<string | number>,
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  valueModel: RankingValueModel,
  options: ValueIntervalOptions = {},
): ValueEstimate {
  checkSameLength(queries.length, scores.length, 'scores');
  checkSameLength(queries.length, relevance.length, 'relevance');
  const rowsByQuery = new Map<string | number, number[]>();
  for (let row = 0; row < queries.length; row++) {
    const query = queries[row] as string | number;
    const rows = rowsByQuery.get(query);
    if (rows === undefined) rowsByQuery.set(query, [row]);
    else rows.push(row);
  }
  const values = new Float64Array(rowsByQuery.size);
  let index = 0;
  for (const rows of rowsByQuery.values()) {
    // Array.prototype.sort is stable, so equal scores keep row order.
    const top = rows.sort((a, b) => (scores[b] as number) - (scores[a] as number)).slice(0, valueModel.k);
    let relevant = 0;
    for (const row of top) if ((relevance[row] as number) > 0) relevant++;
    values[index++] = relevant * valueModel.valuePerRelevantItem;
  }
  return estimateMeanValue(values, options);
}

/**
 * The threshold on a calibrated probability above which acting is worth more than not (Elkan 2001, "The
 * foundations of cost-sensitive learning"): act when p v_tp + (1 - p) v_fp > p v_fn + (1 - p) v_tn, i.e.
 * p > (v_tn - v_fp) / ((v_tp - v_fn) + (v_tn - v_fp)). NaN when acting never changes the value.
 */
export function expectedValueThreshold(valueModel: BinaryValueModel): number {
  const gainOnPositive = valueModel.truePositive - valueModel.falseNegative;
  const lossOnNegative = valueModel.trueNegative - valueModel.falsePositive;
  const scale = gainOnPositive + lossOnNegative;
  return scale === 0 ? NaN : lossOnNegative / scale;
}

/**
 * Multiclass: the class to predict per row that maximises expected value under the model's class
 * probabilities (n x K, row-major, columns in the order of `classes`): argmax over predicted c of
 * sum over actual a of P(a) matrix[a][c]; ties go to the earlier class.
 */
export function valueMaximisingClasses(probabilities: ArrayLike<number>, classes: readonly string[], valueModel: MulticlassValueModel): string[] {
  const k = classes.length;
  if (k === 0 || probabilities.length % k !== 0) throw invalidInput('probabilities', `has ${probabilities.length} values, not a multiple of ${k} classes`);
  const values = classes.map((actual) => classes.map((predicted) => valueModel.matrix[actual]?.[predicted] ?? 0));
  const rows = probabilities.length / k;
  const chosen: string[] = new Array<string>(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let predicted = 0; predicted < k; predicted++) {
      let expected = 0;
      for (let actual = 0; actual < k; actual++) expected += (probabilities[row * k + actual] as number) * ((values[actual] as number[])[predicted] as number);
      if (expected > bestValue) {
        bestValue = expected;
        best = predicted;
      }
    }
    chosen[row] = classes[best] as string;
  }
  return chosen;
}

/** Labels are 0/1 (or booleans cast to numbers); anything else is a caller's mistake worth naming. */
export function isPositive(label: number, row: number): boolean {
  if (label === 1) return true;
  if (label === 0) return false;
  throw invalidInput(`labels[${row}]`, `must be 0 or 1, got ${label}`);
}

function checkSameLength(expected: number, actual: number, name: string): void {
  if (expected !== actual) throw invalidInput(name, `has ${actual} values for ${expected} rows`);
}
