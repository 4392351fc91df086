/**
 * The binary value curve: the expected business value per decision at every distinct score cut point,
 * computed in one pass over the scores sorted once (the counts scikit-learn's `_binary_clf_curve` builds),
 * and the threshold that maximises value subject to guardrails.
 *
 * The decision is to act (alert) when score >= threshold. The curve starts at threshold +Infinity (act on
 * no one, the status quo) and goes down through each distinct score; its last point acts on everyone.
 */
import type { BinaryValueModel } from '../problem/spec-schema.js';
import { binaryValueAtThreshold, isPositive, type ValueEstimate, type ValueIntervalOptions } from './business-value.js';
import { invalidInput } from './off-policy/invalid-input.js';

/** Counts and value at each cut point, in order of decreasing threshold (typed arrays, one entry per point). */
export interface ValueCurve {
  rowCount: number;
  positives: number;
  negatives: number;
  thresholds: Float64Array;
  truePositives: Float64Array;
  falsePositives: Float64Array;
  /** Mean value per decision at the threshold. */
  valuePerDecision: Float64Array;
}

/** Limits a chosen threshold must respect; the spec's `maxFalsePositiveRate` is one. */
export interface ValueGuardrails {
  /** Largest false-positive rate, FP / (FP + TN). */
  maxFalsePositiveRate?: number;
  /** Smallest precision, TP / (TP + FP); a point that acts on no one sends no false alarm and passes. */
  minPrecision?: number;
  /** Smallest recall, TP / (TP + FN). */
  minRecall?: number;
  /** Largest share of rows acted on. */
  maxAlertRate?: number;
}

/** One point of the curve with its rates. */
export interface ValueCurvePoint {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  alertRate: number;
  /** NaN when the point acts on no one. */
  precision: number;
  /** NaN when there are no positives. */
  recall: number;
  /** NaN when there are no negatives. */
  falsePositiveRate: number;
  valuePerDecision: number;
}

/** The value-maximising threshold under the guardrails, or why there is none. */
export type BestThreshold =
  | { found: true; point: ValueCurvePoint; index: number; feasiblePoints: number }
  | { found: false; reason: string };

/** Computes the value curve over all distinct score cut points in O(n log n): a native sort per class, one merge pass. */
export function valueCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, valueModel: BinaryValueModel): ValueCurve {
  const n = scores.length;
  if (labels.length !== n) throw invalidInput('labels', `has ${labels.length} values for ${n} scores`);
  if (n === 0) throw invalidInput('scores', 'no rows to value');
  let positives = 0;
  for (let row = 0; row < n; row++) {
    const score = scores[row] as number;
    if (!Number.isFinite(score)) throw invalidInput(`scores[${row}]`, `must be a finite number, got ${score}`);
    if (isPositive(labels[row] as number, row)) positives++;
  }
  const negatives = n - positives;
  // The scores of each class sorted natively (no comparator), then merged from the top: each distinct
  // score closes one cut point with the running counts of positives and negatives at or above it.
  const positiveScores = new Float64Array(positives);
  const negativeScores = new Float64Array(negatives);
  let positiveAt = 0;
  let negativeAt = 0;
  for (let row = 0; row < n; row++) {
    if ((labels[row] as number) === 1) positiveScores[positiveAt++] = scores[row] as number;
    else negativeScores[negativeAt++] = scores[row] as number;
  }
  positiveScores.sort();
  negativeScores.sort();
  const thresholds: number[] = [Infinity];
  const truePositives: number[] = [0];
  const falsePositives: number[] = [0];
  let nextPositive = positives - 1;
  let nextNegative = negatives - 1;
  let tp = 0;
  let fp = 0;
  while (nextPositive >= 0 || nextNegative >= 0) {
    const score = Math.max(nextPositive >= 0 ? (positiveScores[nextPositive] as number) : -Infinity, nextNegative >= 0 ? (negativeScores[nextNegative] as number) : -Infinity);
    while (nextPositive >= 0 && positiveScores[nextPositive] === score) {
      tp++;
      nextPositive--;
    }
    while (nextNegative >= 0 && negativeScores[nextNegative] === score) {
      fp++;
      nextNegative--;
    }
    thresholds.push(score);
    truePositives.push(tp);
    falsePositives.push(fp);
  }
  const { truePositive, falsePositive, falseNegative, trueNegative } = valueModel;
  const valuePerDecision = new Float64Array(thresholds.length);
  for (let point = 0; point < thresholds.length; point++) {
    const tpAt = truePositives[point] as number;
    const fpAt = falsePositives[point] as number;
    valuePerDecision[point] = (tpAt * truePositive + fpAt * falsePositive + (positives - tpAt) * falseNegative + (negatives - fpAt) * trueNegative) / n;
  }
  return {
    rowCount: n,
    positives,
    negatives,
    thresholds: Float64Array.from(thresholds),
    truePositives: Float64Array.from(truePositives),
    falsePositives: Float64Array.from(falsePositives),
    valuePerDecision,
  };
}

/** The curve's point at `index` with its rates. */
export function valueCurvePoint(curve: ValueCurve, index: number): ValueCurvePoint {
  const truePositives = curve.truePositives[index] as number;
  const falsePositives = curve.falsePositives[index] as number;
  const alerts = truePositives + falsePositives;
  return {
    threshold: curve.thresholds[index] as number,
    truePositives,
    falsePositives,
    falseNegatives: curve.positives - truePositives,
    trueNegatives: curve.negatives - falsePositives,
    alertRate: alerts / curve.rowCount,
    precision: alerts === 0 ? NaN : truePositives / alerts,
    recall: curve.positives === 0 ? NaN : truePositives / curve.positives,
    falsePositiveRate: curve.negatives === 0 ? NaN : falsePositives / curve.negatives,
    valuePerDecision: curve.valuePerDecision[index] as number,
  };
}

/** Whether a point respects every guardrail; an undefined rate (NaN) passes, since nothing it limits happened. */
export function meetsGuardrails(point: ValueCurvePoint, guardrails: ValueGuardrails): boolean {
  const { maxFalsePositiveRate, minPrecision, minRecall, maxAlertRate } = guardrails;
  if (maxFalsePositiveRate !== undefined && point.falsePositiveRate > maxFalsePositiveRate) return false;
  if (minPrecision !== undefined && point.precision < minPrecision) return false;
  if (minRecall !== undefined && point.recall < minRecall) return false;
  if (maxAlertRate !== undefined && point.alertRate > maxAlertRate) return false;
  return true;
}

/** The feasible point of highest value; among equal values the highest threshold (fewest actions) wins. */
export function bestThreshold(curve: ValueCurve, guardrails: ValueGuardrails = {}): BestThreshold {
  let best = -1;
  let feasiblePoints = 0;
  for (let index = 0; index < curve.thresholds.length; index++) {
    const point = valueCurvePoint(curve, index);
    if (!meetsGuardrails(point, guardrails)) continue;
    feasiblePoints++;
    if (best < 0 || point.valuePerDecision > (curve.valuePerDecision[best] as number)) best = index;
  }
  if (best < 0) return { found: false, reason: `no threshold meets the guardrails ${JSON.stringify(guardrails)}` };
  return { found: true, point: valueCurvePoint(curve, best), index: best, feasiblePoints };
}

/** Everything the evaluation reports about binary business value. */
export interface BinaryValueAnalysis {
  curve: ValueCurve;
  guardrails: ValueGuardrails;
  /** The value-maximising threshold under the guardrails, with the value's interval at that fixed threshold. */
  best: (BestThreshold & { found: true; estimate: ValueEstimate }) | (BestThreshold & { found: false });
  /** Acting on no one: the status quo the model must beat. */
  noAction: ValueCurvePoint;
  /** Acting on everyone. */
  actOnAll: ValueCurvePoint;
  /** The value at the caller's threshold, when one was given. */
  atThreshold: (ValueEstimate & { threshold: number }) | null;
}

/**
 * The binary value analysis: curve, best threshold under the guardrails (the value model's
 * `maxFalsePositiveRate` joined with `guardrails`), and intervals. The interval at the best threshold holds
 * the threshold fixed; picking it on the same rows makes the point estimate optimistic, so choose it on
 * one period and report its value on a later one where that matters.
 */
export function analyzeBinaryValue(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  valueModel: BinaryValueModel,
  options: ValueIntervalOptions & { guardrails?: ValueGuardrails; threshold?: number } = {},
): BinaryValueAnalysis {
  const { guardrails: extra = {}, threshold, ...interval } = options;
  const guardrails: ValueGuardrails = { ...extra };
  if (valueModel.maxFalsePositiveRate !== undefined && guardrails.maxFalsePositiveRate === undefined)
    guardrails.maxFalsePositiveRate = valueModel.maxFalsePositiveRate;
  const curve = valueCurve(scores, labels, valueModel);
  const chosen = bestThreshold(curve, guardrails);
  const best = chosen.found ? { ...chosen, estimate: binaryValueAtThreshold(scores, labels, valueModel, chosen.point.threshold, interval) } : chosen;
  return {
    curve,
    guardrails,
    best,
    noAction: valueCurvePoint(curve, 0),
    actOnAll: valueCurvePoint(curve, curve.thresholds.length - 1),
    atThreshold: threshold === undefined ? null : binaryValueAtThreshold(scores, labels, valueModel, threshold, interval),
  };
}
