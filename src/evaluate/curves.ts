/**
 * The evaluation's curves as data, ready for charts (report/evaluation-charts.ts) and JSON: ROC and
 * precision-recall points (one per distinct score, thinned to at most MAX_POINTS), the reliability
 * diagram, cumulative gain and lift by percentile, the confusion matrix, and regression residuals.
 */
import type { TaskType } from '../problem/spec-schema.js';
import { calibrationBins, liftFromGroups, type CalibrationBin } from './binary-metrics.js';
import { predictedClasses } from './multiclass-metrics.js';
import { scoreGroups, weightOf, type SampleWeights } from '../metrics/score-order.js';

/** Curves are thinned to this many points: enough for a chart, small enough for a stored evaluation. */
export const MAX_POINTS = 200;

export interface BinaryCurves {
  roc: { falsePositiveRate: number; truePositiveRate: number; threshold: number }[];
  precisionRecall: { recall: number; precision: number; threshold: number }[];
  calibration: CalibrationBin[];
  gain: { percent: number; gain: number; lift: number }[];
  confusion: { actual: string; predicted: string; weight: number }[];
}

export interface RegressionCurves {
  /** A sample of (prediction, residual = target - prediction) pairs, evenly spread over the rows. */
  residuals: { predicted: number; residual: number }[];
  histogram: { start: number; end: number; weight: number }[];
}

export interface MulticlassCurves {
  confusion: { actual: string; predicted: string; weight: number }[];
}

export type Curves = { task: 'binary'; binary: BinaryCurves } | { task: 'regression'; regression: RegressionCurves } | { task: 'multiclass'; multiclass: MulticlassCurves } | { task: 'ranking' };

function thin<T>(points: T[]): T[] {
  if (points.length <= MAX_POINTS) return points;
  const step = (points.length - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, index) => points[Math.round(index * step)] as T);
}

/** ROC, precision-recall, reliability, gain and confusion at `threshold` for one binary model. */
export function binaryCurves(labels: ArrayLike<number>, probabilities: ArrayLike<number>, weights: SampleWeights, threshold: number, bins: number): BinaryCurves {
  const groups = scoreGroups(labels, probabilities, weights);
  const roc = [{ falsePositiveRate: 0, truePositiveRate: 0, threshold: Infinity }];
  const precisionRecall: BinaryCurves['precisionRecall'] = [];
  let truePositive = 0;
  let falsePositive = 0;
  for (let group = 0; group < groups.scores.length; group++) {
    truePositive += groups.positive[group] as number;
    falsePositive += groups.negative[group] as number;
    const score = groups.scores[group] as number;
    roc.push({ falsePositiveRate: falsePositive / groups.totalNegative, truePositiveRate: truePositive / groups.totalPositive, threshold: score });
    precisionRecall.push({ recall: truePositive / groups.totalPositive, precision: truePositive / (truePositive + falsePositive), threshold: score });
  }
  const gain = Array.from({ length: 20 }, (_, index) => liftFromGroups(groups, (index + 1) * 5));
  const cells = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let row = 0; row < labels.length; row++) {
    const weight = weightOf(weights, row);
    const actual = (labels[row] as number) > 0.5;
    const predicted = (probabilities[row] as number) >= threshold;
    if (actual) cells[predicted ? 'tp' : 'fn'] += weight;
    else cells[predicted ? 'fp' : 'tn'] += weight;
  }
  return {
    roc: thin(roc),
    precisionRecall: thin(precisionRecall),
    calibration: calibrationBins(labels, probabilities, bins, weights),
    gain: [{ percent: 0, gain: 0, lift: NaN }, ...gain],
    confusion: [
      { actual: 'positive', predicted: 'positive', weight: cells.tp },
      { actual: 'positive', predicted: 'negative', weight: cells.fn },
      { actual: 'negative', predicted: 'positive', weight: cells.fp },
      { actual: 'negative', predicted: 'negative', weight: cells.tn },
    ],
  };
}

/** Residuals against predictions (a sample) and their histogram. */
export function regressionCurves(targets: ArrayLike<number>, predictions: ArrayLike<number>, weights: SampleWeights): RegressionCurves {
  const rows = targets.length;
  const residual = (row: number): number => (targets[row] as number) - (predictions[row] as number);
  const step = Math.max(1, Math.floor(rows / 1000));
  const residuals: RegressionCurves['residuals'] = [];
  for (let row = 0; row < rows; row += step) residuals.push({ predicted: predictions[row] as number, residual: residual(row) });
  let low = Infinity;
  let high = -Infinity;
  for (let row = 0; row < rows; row++) {
    low = Math.min(low, residual(row));
    high = Math.max(high, residual(row));
  }
  const binCount = 30;
  const width = high > low ? (high - low) / binCount : 1;
  const histogram = Array.from({ length: binCount }, (_, bin) => ({ start: low + bin * width, end: low + (bin + 1) * width, weight: 0 }));
  for (let row = 0; row < rows; row++) {
    const bin = Math.min(binCount - 1, Math.floor((residual(row) - low) / width));
    (histogram[bin] as { weight: number }).weight += weightOf(weights, row);
  }
  return { residuals, histogram };
}

/** The weighted confusion matrix of the most probable class. */
export function multiclassCurves(labels: ArrayLike<number>, probabilities: { values: ArrayLike<number>; classes: number }, weights: SampleWeights, classNames?: readonly string[]): MulticlassCurves {
  const predicted = predictedClasses(probabilities);
  const { classes } = probabilities;
  const matrix = new Float64Array(classes * classes);
  for (let row = 0; row < labels.length; row++) {
    const cell = (labels[row] as number) * classes + (predicted[row] as number);
    matrix[cell] = (matrix[cell] as number) + weightOf(weights, row);
  }
  const name = (label: number): string => classNames?.[label] ?? String(label);
  const confusion: MulticlassCurves['confusion'] = [];
  for (let actual = 0; actual < classes; actual++) for (let guess = 0; guess < classes; guess++) confusion.push({ actual: name(actual), predicted: name(guess), weight: matrix[actual * classes + guess] as number });
  return { confusion };
}

/** The curves of a task for one model's predictions. */
export function curvesFor(task: TaskType, labels: Float64Array, predictions: Float64Array, weights: SampleWeights, options: { threshold: number; calibrationBins: number; classes?: number; classNames?: readonly string[] }): Curves {
  if (task === 'binary') return { task, binary: binaryCurves(labels, predictions, weights, options.threshold, options.calibrationBins) };
  if (task === 'regression') return { task, regression: regressionCurves(labels, predictions, weights) };
  if (task === 'multiclass') return { task, multiclass: multiclassCurves(labels, { values: predictions, classes: options.classes ?? 2 }, weights, options.classNames) };
  return { task };
}
