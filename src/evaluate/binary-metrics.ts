/**
 * Binary classification metrics, as scikit-learn 1.2 computes them (labels: 1 positive, 0 negative;
 * scores: probabilities of the positive class), each with optional sample weights. Threshold-free
 * metrics read the tie groups of metrics/score-order.ts, so tied scores count as one threshold. ROC AUC and
 * log-loss live in metrics/roc-auc.ts and metrics/log-loss.ts (one each, for models/ and evaluate/ alike).
 */
import { checkInputs, scoreGroups, weightOf, type SampleWeights, type ScoreGroups } from '../metrics/score-order.js';

/**
 * Average precision as scikit-learn's `average_precision_score`: the sum over thresholds (distinct
 * scores, descending) of the recall gained times the precision there, with no interpolation.
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(labels, scores, weights, 'scores');
  const groups = scoreGroups(labels, scores, weights);
  if (groups.totalPositive === 0) return NaN;
  let truePositive = 0;
  let falsePositive = 0;
  let sum = 0;
  for (let group = 0; group < groups.scores.length; group++) {
    const gained = groups.positive[group] as number;
    truePositive += gained;
    falsePositive += groups.negative[group] as number;
    if (gained > 0) sum += (gained / groups.totalPositive) * (truePositive / (truePositive + falsePositive));
  }
  return sum;
}

/** The Brier score as scikit-learn's `brier_score_loss`: the weighted mean squared error of probabilities. */
export function brierScore(labels: ArrayLike<number>, probabilities: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(labels, probabilities, weights, 'probabilities');
  let sum = 0;
  let total = 0;
  for (let row = 0; row < labels.length; row++) {
    const weight = weightOf(weights, row);
    const label = (labels[row] as number) > 0.5 ? 1 : 0;
    sum += weight * (label - (probabilities[row] as number)) ** 2;
    total += weight;
  }
  return sum / total;
}

/** The weighted confusion matrix of the decision `score >= threshold`. */
export interface ConfusionCounts {
  threshold: number;
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  trueNegative: number;
}

/** Counts the four cells of the decision `score >= threshold`. */
export function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number, weights?: SampleWeights): ConfusionCounts {
  checkInputs(labels, scores, weights, 'scores');
  const counts: ConfusionCounts = { threshold, truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
  for (let row = 0; row < labels.length; row++) {
    const weight = weightOf(weights, row);
    const actual = (labels[row] as number) > 0.5;
    const predicted = (scores[row] as number) >= threshold;
    if (actual && predicted) counts.truePositive += weight;
    else if (predicted) counts.falsePositive += weight;
    else if (actual) counts.falseNegative += weight;
    else counts.trueNegative += weight;
  }
  return counts;
}

export interface ThresholdMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Accuracy, precision, recall and F1 of a confusion matrix; a zero denominator gives 0, as scikit-learn's
 * default `zero_division="warn"` does after its warning.
 */
export function thresholdMetrics(counts: ConfusionCounts): ThresholdMetrics {
  const { truePositive: tp, falsePositive: fp, falseNegative: fn, trueNegative: tn } = counts;
  const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);
  return { accuracy: ratio(tp + tn, tp + fp + fn + tn), precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), f1: ratio(2 * tp, 2 * tp + fp + fn) };
}

/** The inner bin edges of scikit-learn's `calibration_curve(strategy="uniform")`: linspace(0, 1 + 1e-8, bins + 1)[1:-1]. */
function uniformInnerEdges(bins: number): Float64Array {
  const step = (1 + 1e-8) / bins;
  return Float64Array.from({ length: bins - 1 }, (_, index) => (index + 1) * step);
}

/** One bin of a reliability diagram: mean predicted probability against the observed positive share. */
export interface CalibrationBin {
  bin: number;
  lower: number;
  upper: number;
  weight: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * The reliability diagram's bins, binned as scikit-learn's `calibration_curve(strategy="uniform")`: equal
 * widths on [0, 1]; a probability on an inner edge falls in the lower bin (numpy's searchsorted, side
 * left). Empty bins are left out.
 */
export function calibrationBins(labels: ArrayLike<number>, probabilities: ArrayLike<number>, bins = 10, weights?: SampleWeights): CalibrationBin[] {
  checkInputs(labels, probabilities, weights, 'probabilities');
  const edges = uniformInnerEdges(bins);
  const weight = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let row = 0; row < labels.length; row++) {
    const probability = probabilities[row] as number;
    let bin = 0;
    while (bin < edges.length && (edges[bin] as number) < probability) bin++;
    const rowWeight = weightOf(weights, row);
    weight[bin] = (weight[bin] as number) + rowWeight;
    predicted[bin] = (predicted[bin] as number) + rowWeight * probability;
    if ((labels[row] as number) > 0.5) observed[bin] = (observed[bin] as number) + rowWeight;
  }
  const out: CalibrationBin[] = [];
  for (let bin = 0; bin < bins; bin++) {
    const binWeight = weight[bin] as number;
    if (binWeight === 0) continue;
    out.push({ bin, lower: bin / bins, upper: (bin + 1) / bins, weight: binWeight, meanPredicted: (predicted[bin] as number) / binWeight, observedRate: (observed[bin] as number) / binWeight });
  }
  return out;
}

/**
 * Expected calibration error (Naeini, Cooper and Hauskrecht 2015): over `bins` equal-width bins of
 * calibrationBins, the weight-share-weighted mean of |observed positive share - mean predicted probability|.
 */
export function expectedCalibrationError(labels: ArrayLike<number>, probabilities: ArrayLike<number>, bins = 10, weights?: SampleWeights): number {
  const cells = calibrationBins(labels, probabilities, bins, weights);
  const total = cells.reduce((sum, cell) => sum + cell.weight, 0);
  return cells.reduce((sum, cell) => sum + (cell.weight / total) * Math.abs(cell.observedRate - cell.meanPredicted), 0);
}

/** Gain and lift of the top `percent`% of rows by score. */
export interface LiftAtK {
  percent: number;
  /** The share of all positive weight found in the top k%. */
  gain: number;
  /** The positive rate in the top k% over the overall positive rate: gain / (k / 100). */
  lift: number;
}

/**
 * Gain and lift at k% from tie groups. The top k% is k% of the total weight, taken by descending score;
 * a tie group straddling the cut is taken in proportion (its positive share times the weight still
 * needed), so ties never depend on row order.
 */
export function liftFromGroups(groups: ScoreGroups, percent: number): LiftAtK {
  const total = groups.totalPositive + groups.totalNegative;
  const wanted = (percent / 100) * total;
  let taken = 0;
  let captured = 0;
  for (let group = 0; group < groups.scores.length && taken < wanted; group++) {
    const positive = groups.positive[group] as number;
    const size = positive + (groups.negative[group] as number);
    const share = size === 0 ? 0 : Math.min(1, (wanted - taken) / size);
    captured += share * positive;
    taken += share * size;
  }
  const gain = groups.totalPositive === 0 ? NaN : captured / groups.totalPositive;
  return { percent, gain, lift: gain / (percent / 100) };
}

/** Gain and lift at k% (see liftFromGroups). */
export function liftAtK(labels: ArrayLike<number>, scores: ArrayLike<number>, percent: number, weights?: SampleWeights): LiftAtK {
  checkInputs(labels, scores, weights, 'scores');
  return liftFromGroups(scoreGroups(labels, scores, weights), percent);
}
