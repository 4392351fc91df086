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

/**
 * Row indices by descending score; ties keep row order. A stable least-significant-digit radix sort on
 * the scores' IEEE-754 bits (four 16-bit digits), keys mapped so that unsigned order is descending
 * numeric order: linear in rows, about 30 times faster than a comparator sort on a million rows.
 * Typed arrays: this runs once per evaluated model on every row.
 */
export function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const rows = scores.length;
  const keys = new Float64Array(rows);
  for (let row = 0; row < rows; row++) keys[row] = (scores[row] as number) + 0; // -0 becomes +0: equal scores tie
  const words = new Uint32Array(keys.buffer);
  // Ascending numeric order is: flip all bits of negatives, flip the sign bit of the rest; descending is the complement.
  const high = new Uint32Array(rows);
  const low = new Uint32Array(rows);
  for (let row = 0; row < rows; row++) {
    const hi = words[2 * row + 1] as number;
    const lo = words[2 * row] as number;
    const negative = hi >>> 31 === 1;
    high[row] = ~(negative ? ~hi : hi ^ 0x80000000) >>> 0;
    low[row] = ~(negative ? ~lo : lo) >>> 0;
  }
  let order = new Uint32Array(rows);
  for (let row = 0; row < rows; row++) order[row] = row;
  let next = new Uint32Array(rows);
  const counts = new Uint32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? low : high;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let index = 0; index < rows; index++) {
      const digit = (((word[order[index] as number] as number) >>> shift) & 0xffff) + 1;
      counts[digit] = (counts[digit] as number) + 1;
    }
    if (rows === 0 || counts[(((word[order[0] as number] as number) >>> shift) & 0xffff) + 1] === rows) continue; // one digit for all: nothing moves
    for (let digit = 1; digit <= 65536; digit++) counts[digit] = (counts[digit] as number) + (counts[digit - 1] as number);
    for (let index = 0; index < rows; index++) {
      const row = order[index] as number;
      const digit = ((word[row] as number) >>> shift) & 0xffff;
      const slot = counts[digit] as number;
      next[slot] = row;
      counts[digit] = slot + 1;
    }
    [order, next] = [next, order];
  }
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
