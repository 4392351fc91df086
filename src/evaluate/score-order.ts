/**
 * Shared plumbing of the metrics: inputs checked once, row orders by score, and tie groups. Scores that
 * are equal form one group; every metric here treats a group as one threshold, as scikit-learn's curves
 * do, so the order of tied rows never changes a result.
 */
import { MlcycleError } from '../error.js';

/** Sample weights: one non-negative finite number per row, or absent (every row weighs 1). */
export type SampleWeights = ArrayLike<number> | undefined;

/** The weight of a row. */
export function weightOf(weights: SampleWeights, row: number): number {
  return weights === undefined ? 1 : (weights[row] as number);
}

/** Refuses inputs of unequal lengths, no rows, non-finite values or negative weights, naming the problem. */
export function checkInputs(labels: ArrayLike<number>, predictions: ArrayLike<number>, weights: SampleWeights, what = 'predictions'): void {
  if (labels.length === 0) throw new MlcycleError('invalid_input', 'no rows to evaluate');
  if (predictions.length !== labels.length) throw new MlcycleError('invalid_input', `${predictions.length} ${what} for ${labels.length} labels`);
  if (weights !== undefined && weights.length !== labels.length) throw new MlcycleError('invalid_input', `${weights.length} sample weights for ${labels.length} labels`);
  for (let row = 0; row < labels.length; row++) {
    if (!Number.isFinite(labels[row])) throw new MlcycleError('invalid_input', `label of row ${row} is not a finite number (${labels[row]})`);
    if (!Number.isFinite(predictions[row])) throw new MlcycleError('invalid_input', `${what} of row ${row} is not a finite number (${predictions[row]})`);
    if (weights !== undefined && !((weights[row] as number) >= 0 && Number.isFinite(weights[row]))) {
      throw new MlcycleError('invalid_input', `sample weight of row ${row} must be a finite number of at least 0 (${weights[row]})`);
    }
  }
}

/** Row indices by descending score; ties keep row order (a stable sort). Typed: sorted once per call. */
export function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let row = 0; row < order.length; row++) order[row] = row;
  // Sorting a typed copy of the keys with the index packed in would be faster; a comparator is plenty here.
  const keys = Float64Array.from(scores);
  order.sort((a, b) => (keys[b] as number) - (keys[a] as number) || a - b);
  return order;
}

/**
 * Weighted positive and negative mass per distinct score, in descending score order: the counts from
 * which every threshold curve (ROC, precision-recall, lift) is read. Positive means label > 0.5.
 */
export interface ScoreGroups {
  /** Distinct scores, descending. */
  scores: Float64Array;
  positive: Float64Array;
  negative: Float64Array;
  totalPositive: number;
  totalNegative: number;
}

/** Groups rows by distinct score, descending, summing positive and negative weight per group. */
export function scoreGroups(labels: ArrayLike<number>, scores: ArrayLike<number>, weights?: SampleWeights): ScoreGroups {
  const order = descendingOrder(scores);
  const groupScores: number[] = [];
  const positive: number[] = [];
  const negative: number[] = [];
  let totalPositive = 0;
  let totalNegative = 0;
  for (let index = 0; index < order.length; index++) {
    const row = order[index] as number;
    const score = scores[row] as number;
    if (groupScores.length === 0 || groupScores[groupScores.length - 1] !== score) {
      groupScores.push(score);
      positive.push(0);
      negative.push(0);
    }
    const weight = weightOf(weights, row);
    const last = groupScores.length - 1;
    if ((labels[row] as number) > 0.5) {
      positive[last] = (positive[last] as number) + weight;
      totalPositive += weight;
    } else {
      negative[last] = (negative[last] as number) + weight;
      totalNegative += weight;
    }
  }
  return { scores: Float64Array.from(groupScores), positive: Float64Array.from(positive), negative: Float64Array.from(negative), totalPositive, totalNegative };
}
