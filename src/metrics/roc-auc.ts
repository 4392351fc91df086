/**
 * The one ROC AUC: the Mann-Whitney U statistic over positive-negative pairs, a tied pair counting half,
 * which equals the trapezoidal area under scikit-learn 1.2's `roc_curve` (`roc_auc_score`). Arguments in
 * scikit-learn's order, labels first (1 positive: label > 0.5; 0 negative). NaN with one class only.
 *
 * Entry points, one formula each way in: `rocAucScore` (checked, optional sample weights), `aucFromGroups`
 * (tie groups already built, for the bootstrap and the one-vs-rest multiclass AUC) and
 * `rocAucOfSortedClasses` (each class's scores sorted ascending, for the GBDT's per-round validation AUC).
 */
import { radixSortFloat64 } from './radix-sort.js';
import { checkInputs, scoreGroups, type SampleWeights, type ScoreGroups } from './score-order.js';

/** ROC AUC from tie groups in descending score order: per group, its negatives times the positives above plus half its own. */
export function aucFromGroups(groups: ScoreGroups): number {
  if (groups.totalPositive === 0 || groups.totalNegative === 0) return NaN;
  let area = 0;
  let positiveAbove = 0;
  for (let group = 0; group < groups.scores.length; group++) {
    const negative = groups.negative[group] as number;
    const positive = groups.positive[group] as number;
    area += negative * (positiveAbove + 0.5 * positive);
    positiveAbove += positive;
  }
  return area / (groups.totalPositive * groups.totalNegative);
}

/**
 * ROC AUC from the positives' and the negatives' scores, each sorted ascending: one merge, linear in the
 * rows. For each positive the negatives below it count 1 and those equal to it 1/2; both counts only grow.
 * Unweighted counts are whole or half numbers, exact in doubles, so this equals aucFromGroups bit for bit.
 */
export function rocAucOfSortedClasses(positive: Float64Array, negative: Float64Array): number {
  const positives = positive.length;
  const negatives = negative.length;
  if (positives === 0 || negatives === 0) return NaN;
  let below = 0;
  let atOrBelow = 0;
  let u = 0;
  for (let index = 0; index < positives; index++) {
    const value = positive[index] as number;
    while (below < negatives && (negative[below] as number) < value) below++;
    if (atOrBelow < below) atOrBelow = below;
    while (atOrBelow < negatives && (negative[atOrBelow] as number) <= value) atOrBelow++;
    u += below + (atOrBelow - below) / 2;
  }
  return u / (positives * negatives);
}

/**
 * ROC AUC of unweighted rows whose inputs the caller has already checked (the GBDT's validation set after
 * every boosting round): the classes' scores radix-sorted apart, then merged. Linear in the rows, where
 * sorting row indices with a comparator is n log n with a slow constant; it matters when half a million
 * validation rows are scored after every round.
 */
export function rocAucOfRows(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let positives = 0;
  for (let row = 0; row < labels.length; row++) if ((labels[row] as number) > 0.5) positives++;
  const positive = new Float64Array(positives);
  const negative = new Float64Array(labels.length - positives);
  let p = 0;
  let n = 0;
  for (let row = 0; row < labels.length; row++) {
    if ((labels[row] as number) > 0.5) positive[p++] = scores[row] as number;
    else negative[n++] = scores[row] as number;
  }
  radixSortFloat64(positive);
  radixSortFloat64(negative);
  return rocAucOfSortedClasses(positive, negative);
}

/** ROC AUC as scikit-learn's `roc_auc_score(labels, scores, sample_weight=weights)`; inputs checked first. */
export function rocAucScore(labels: ArrayLike<number>, scores: ArrayLike<number>, weights?: SampleWeights): number {
  checkInputs(labels, scores, weights, 'scores');
  return weights === undefined ? rocAucOfRows(labels, scores) : aucFromGroups(scoreGroups(labels, scores, weights));
}
