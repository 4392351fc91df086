/**
 * A task's metrics prepared once for a set of rows (all of them, or one segment), then computed again
 * for any resampling counts: binary rows are sorted once (sorted-binary.ts); other tasks copy their rows
 * once. Counts are indexed by the original row, so one count vector serves every model and every segment
 * of a bootstrap replicate: that is what makes comparisons paired and segment-versus-overall tests fair.
 */
import { MlcycleError } from '../error.js';
import type { TaskType } from '../problem/spec-schema.js';
import { multiclassAccuracy, multiclassF1, multiclassLogLoss, oneVsRestAuc } from './multiclass-metrics.js';
import { meanAveragePrecisionAtK, meanReciprocalRank, ndcgAtK } from './ranking-metrics.js';
import { meanAbsoluteError, meanAbsolutePercentageError, pinballLoss, r2Score, rootMeanSquaredError } from './regression-metrics.js';
import { binaryMetricsFromSorted, sortBinary } from './sorted-binary.js';

/** The rows being evaluated: labels (0/1, class index, target or relevance), optional weights and query ids. */
export interface EvaluationRows {
  task: TaskType;
  labels: Float64Array;
  weights?: Float64Array;
  /** Ranking: the query of each row. */
  queries?: ArrayLike<string | number>;
  /** Multiclass: the number of classes. */
  classes?: number;
}

/** Cut-offs and options of the metrics. */
export interface MetricSettings {
  /** Binary: the decision `probability >= threshold` (default 0.5). */
  threshold: number;
  /** Binary: k of lift and gain at k% (default 10). */
  liftPercent: number;
  /** Binary: equal-width bins of the expected calibration error (default 10). */
  calibrationBins: number;
  /** Ranking: k of NDCG@k and MAP@k (default 10). */
  k: number;
  /** Regression: the quantiles of the pinball losses (default 0.1, 0.5, 0.9). */
  quantiles: number[];
}

export const DEFAULT_METRIC_SETTINGS: MetricSettings = { threshold: 0.5, liftPercent: 10, calibrationBins: 10, k: 10, quantiles: [0.1, 0.5, 0.9] };

/** The name of the pinball loss at quantile q in metric tables: pinball_0.9. */
export function pinballName(quantile: number): string {
  return `pinball_${quantile}`;
}

export interface PreparedMetrics {
  rows: number;
  /** Every metric of the task; `counts` (per original row) multiply the sample weights; absent, the point estimate. */
  compute(counts?: Float64Array): Record<string, number>;
}

function gather(values: ArrayLike<number>, subset: Uint32Array | undefined, width = 1): Float64Array {
  if (subset === undefined) return Float64Array.from(values);
  const out = new Float64Array(subset.length * width);
  for (let index = 0; index < subset.length; index++) {
    const row = subset[index] as number;
    for (let column = 0; column < width; column++) out[index * width + column] = values[row * width + column] as number;
  }
  return out;
}

/** Prepares the task's metrics for one model's predictions on all rows or on `subset` (original row indices). */
export function prepareMetrics(data: EvaluationRows, predictions: Float64Array, settings: MetricSettings, subset?: Uint32Array): PreparedMetrics {
  const rows = subset === undefined ? data.labels.length : subset.length;
  const rowOf = (index: number): number => (subset === undefined ? index : (subset[index] as number));
  const base = data.weights === undefined ? undefined : gather(data.weights, subset);
  const weightsFor = (counts: Float64Array | undefined): Float64Array | undefined => {
    if (counts === undefined) return base;
    const out = new Float64Array(rows);
    for (let index = 0; index < rows; index++) out[index] = (counts[rowOf(index)] as number) * (base === undefined ? 1 : (base[index] as number));
    return out;
  };
  const labels = gather(data.labels, subset);

  if (data.task === 'binary') {
    if (predictions.length !== data.labels.length) throw new MlcycleError('invalid_input', `a binary model must give one probability per row: ${predictions.length} values for ${data.labels.length} rows`);
    const sorted = sortBinary(labels, gather(predictions, subset), base, settings);
    // Counts gathered into sorted order; sortBinary already multiplies in the sample weights.
    const original = Uint32Array.from(sorted.order, (position) => rowOf(position));
    const ordered = new Float64Array(rows);
    return {
      rows,
      compute(counts) {
        if (counts !== undefined) for (let position = 0; position < rows; position++) ordered[position] = counts[original[position] as number] as number;
        return { ...binaryMetricsFromSorted(sorted, counts === undefined ? undefined : ordered) };
      },
    };
  }
  if (data.task === 'multiclass') {
    const classes = data.classes ?? 0;
    if (predictions.length !== data.labels.length * classes) throw new MlcycleError('invalid_input', `a ${classes}-class model must give ${classes} probabilities per row: ${predictions.length} values for ${data.labels.length} rows`);
    const probabilities = { values: gather(predictions, subset, classes), classes };
    return {
      rows,
      compute(counts) {
        const weights = weightsFor(counts);
        const f1 = multiclassF1(labels, probabilities, weights);
        return { accuracy: multiclassAccuracy(labels, probabilities, weights), macro_f1: f1.macro, weighted_f1: f1.weighted, log_loss: multiclassLogLoss(labels, probabilities, weights), ovr_auc: oneVsRestAuc(labels, probabilities, weights) };
      },
    };
  }
  if (predictions.length !== data.labels.length) throw new MlcycleError('invalid_input', `the model must give one prediction per row: ${predictions.length} values for ${data.labels.length} rows`);
  const predicted = gather(predictions, subset);
  if (data.task === 'regression') {
    return {
      rows,
      compute(counts) {
        const weights = weightsFor(counts);
        const out: Record<string, number> = {
          rmse: rootMeanSquaredError(labels, predicted, weights),
          mae: meanAbsoluteError(labels, predicted, weights),
          mape: meanAbsolutePercentageError(labels, predicted, weights),
          r2: r2Score(labels, predicted, weights),
        };
        for (const quantile of settings.quantiles) out[pinballName(quantile)] = pinballLoss(labels, predicted, quantile, weights);
        return out;
      },
    };
  }
  if (data.queries === undefined) throw new MlcycleError('invalid_input', 'a ranking evaluation needs the query of each row');
  const all = data.queries;
  const queries = subset === undefined ? Array.from(all) : Array.from(subset, (row) => all[row] as string | number);
  return {
    rows,
    compute(counts) {
      const weights = weightsFor(counts);
      return {
        ndcg_at_k: ndcgAtK(labels, predicted, queries, settings.k, weights),
        map_at_k: meanAveragePrecisionAtK(labels, predicted, queries, settings.k, weights),
        mrr: meanReciprocalRank(labels, predicted, queries, weights),
      };
    },
  };
}
