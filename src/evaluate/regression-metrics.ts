/** Regression metrics as scikit-learn 1.2 computes them, each with optional sample weights. */
import { FLOAT64_EPSILON } from '../metrics/log-loss.js';
import { checkInputs, weightOf, type SampleWeights } from '../metrics/score-order.js';

function weightedMean(rows: number, weights: SampleWeights, term: (row: number) => number): number {
  let sum = 0;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const weight = weightOf(weights, row);
    sum += weight * term(row);
    total += weight;
  }
  return sum / total;
}

/** Root mean squared error: the square root of `mean_squared_error`. */
export function rootMeanSquaredError(targets: ArrayLike<number>, predictions: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(targets, predictions, weights);
  return Math.sqrt(weightedMean(targets.length, weights, (row) => ((targets[row] as number) - (predictions[row] as number)) ** 2));
}

/** Mean absolute error (`mean_absolute_error`). */
export function meanAbsoluteError(targets: ArrayLike<number>, predictions: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(targets, predictions, weights);
  return weightedMean(targets.length, weights, (row) => Math.abs((targets[row] as number) - (predictions[row] as number)));
}

/**
 * Mean absolute percentage error as `mean_absolute_percentage_error`: |y - p| / max(|y|, eps), a share
 * (0.1 is 10%), not a percentage; a zero target gives a huge term rather than infinity, as there.
 */
export function meanAbsolutePercentageError(targets: ArrayLike<number>, predictions: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(targets, predictions, weights);
  return weightedMean(targets.length, weights, (row) => Math.abs((targets[row] as number) - (predictions[row] as number)) / Math.max(Math.abs(targets[row] as number), FLOAT64_EPSILON));
}

/**
 * R-squared as `r2_score` with scikit-learn's `force_finite=True`: 1 - weighted residual over weighted
 * total sum of squares around the weighted mean; constant targets give 1 for a perfect fit, else 0.
 */
export function r2Score(targets: ArrayLike<number>, predictions: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(targets, predictions, weights);
  const mean = weightedMean(targets.length, weights, (row) => targets[row] as number);
  let residual = 0;
  let total = 0;
  for (let row = 0; row < targets.length; row++) {
    const weight = weightOf(weights, row);
    const target = targets[row] as number;
    residual += weight * (target - (predictions[row] as number)) ** 2;
    total += weight * (target - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * Quantile (pinball) loss at `alpha` as `mean_pinball_loss`: alpha x under-prediction plus (1 - alpha) x
 * over-prediction, weighted mean. alpha 0.5 gives half the mean absolute error.
 */
export function pinballLoss(targets: ArrayLike<number>, predictions: ArrayLike<number>, alpha: number, weights?: SampleWeights): number {
  checkInputs(targets, predictions, weights);
  return weightedMean(targets.length, weights, (row) => {
    const difference = (targets[row] as number) - (predictions[row] as number);
    return difference >= 0 ? alpha * difference : (alpha - 1) * difference;
  });
}
