/**
 * The one binary log-loss, as scikit-learn 1.2's `log_loss(labels, probabilities, eps="auto")`:
 * probabilities clipped to [eps, 1 - eps] with eps numpy's float64 machine epsilon, then the weighted mean
 * of -log(p) for positives (label > 0.5) and -log(1 - p) for negatives. Labels first, as scikit-learn.
 */
import { checkInputs, weightOf, type SampleWeights } from './score-order.js';

/** numpy's float64 machine epsilon (`np.finfo(np.float64).eps`): scikit-learn 1.2's `log_loss(eps="auto")` clips to it. */
export const FLOAT64_EPSILON = 2.220446049250313e-16;

/** One row's log-loss term, its probability clipped to [epsilon, 1 - epsilon]. */
export function logLossTerm(positive: boolean, probability: number, epsilon = FLOAT64_EPSILON): number {
  const clipped = Math.min(Math.max(probability, epsilon), 1 - epsilon);
  return -(positive ? Math.log(clipped) : Math.log(1 - clipped));
}

/** The weighted mean log-loss of rows whose inputs the caller has already checked (the GBDT's validation set). */
export function logLossOfRows(labels: ArrayLike<number>, probabilities: ArrayLike<number>, weights?: SampleWeights, epsilon = FLOAT64_EPSILON): number {
  let sum = 0;
  let total = 0;
  for (let row = 0; row < labels.length; row++) {
    const weight = weightOf(weights, row);
    sum += weight * logLossTerm((labels[row] as number) > 0.5, probabilities[row] as number, epsilon);
    total += weight;
  }
  return sum / total;
}

/** Mean log-loss as scikit-learn's `log_loss`; inputs checked first. */
export function binaryLogLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>, weights?: SampleWeights, epsilon = FLOAT64_EPSILON): number {
  checkInputs(labels, probabilities, weights, 'probabilities');
  return logLossOfRows(labels, probabilities, weights, epsilon);
}
