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
  if (n === 0) throw new RangeError('no decisions to value');
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
    if (!Number.isFinite(error)) throw new RangeError(`row ${row}: target and prediction must be finite numbers`);
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

/** Labels are 0/1 (or booleans cast to numbers); anything else is a caller's mistake worth naming. */
export function isPositive(label: number, row: number): boolean {
  if (label === 1) return true;
  if (label === 0) return false;
  throw new RangeError(`labels[${row}] must be 0 or 1, got ${label}`);
}

function checkSameLength(expected: number, actual: number, name: string): void {
  if (expected !== actual) throw new RangeError(`${name} has ${actual} values for ${expected} rows`);
}
