/**
 * DeLong's test for two correlated ROC AUCs measured on the same rows (DeLong, DeLong and
 * Clarke-Pearson 1988, "Comparing the areas under two or more correlated receiver operating
 * characteristic curves"), computed with midranks as Sun and Xu (2014, "Fast implementation of DeLong's
 * algorithm", IEEE Signal Processing Letters 21) do: O(n log n) instead of the pairwise O(m n).
 * Unweighted: the method has no sample weights. A degenerate case (one class, zero variance) is a field.
 */
import { MlcycleError } from '../error.js';
import { normalQuantile, normalSurvival } from '../stats/distributions.js';
import { checkInputs, descendingOrder } from '../metrics/score-order.js';

/** Average ranks (1 = smallest), ties sharing the mean of their positions. */
function midranks(values: Float64Array): Float64Array {
  const order = descendingOrder(values);
  const n = values.length;
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start;
    while (end + 1 < n && values[order[end + 1] as number] === values[order[start] as number]) end++;
    const rank = n - (start + end) / 2;
    for (let position = start; position <= end; position++) ranks[order[position] as number] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Per-model AUC and the structural components: V10 per positive row, V01 per negative row. */
function structuralComponents(positives: Float64Array, negatives: Float64Array): { auc: number; v10: Float64Array; v01: Float64Array } {
  const m = positives.length;
  const n = negatives.length;
  const all = new Float64Array(m + n);
  all.set(positives);
  all.set(negatives, m);
  const tz = midranks(all);
  const tx = midranks(positives);
  const ty = midranks(negatives);
  let rankSum = 0;
  const v10 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    rankSum += tz[i] as number;
    // The share of negatives below positive i, ties half: (rank among all - rank among positives) / n.
    v10[i] = ((tz[i] as number) - (tx[i] as number)) / n;
  }
  const v01 = new Float64Array(n);
  for (let j = 0; j < n; j++) v01[j] = 1 - ((tz[m + j] as number) - (ty[j] as number)) / m;
  return { auc: (rankSum / m - (m + 1) / 2) / n, v10, v01 };
}

/** Sample covariance (denominator count - 1). */
function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i] as number;
    meanB += b[i] as number;
  }
  meanA /= n;
  meanB /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ((a[i] as number) - meanA) * ((b[i] as number) - meanB);
  return sum / (n - 1);
}

export interface DelongComparison {
  aucA: number;
  aucB: number;
  /** aucB - aucA. */
  difference: number;
  /** The 2 x 2 covariance of (aucA, aucB): S10 / m + S01 / n. */
  covariance: [[number, number], [number, number]];
  standardError: number;
  z: number;
  /** Two-sided. */
  pValue: number;
  /** A normal interval for the difference at `level`. */
  lower: number;
  upper: number;
  level: number;
  /** Why the test could not be computed, when it could not. */
  degenerate?: string;
}

/** Compares model B's AUC with model A's on the same rows (labels > 0.5 positive). */
export function delongTest(labels: ArrayLike<number>, scoresA: ArrayLike<number>, scoresB: ArrayLike<number>, level = 0.95): DelongComparison {
  checkInputs(labels, scoresA, undefined, 'scores of the first model');
  checkInputs(labels, scoresB, undefined, 'scores of the second model');
  if (!(level > 0 && level < 1)) throw new MlcycleError('invalid_input', `confidence level must be between 0 and 1, got ${level}`);
  let m = 0;
  for (let row = 0; row < labels.length; row++) if ((labels[row] as number) > 0.5) m++;
  const n = labels.length - m;
  const split = (scores: ArrayLike<number>): [Float64Array, Float64Array] => {
    const positives = new Float64Array(m);
    const negatives = new Float64Array(n);
    let p = 0;
    let q = 0;
    for (let row = 0; row < labels.length; row++) {
      if ((labels[row] as number) > 0.5) positives[p++] = scores[row] as number;
      else negatives[q++] = scores[row] as number;
    }
    return [positives, negatives];
  };
  const nan: DelongComparison = { aucA: NaN, aucB: NaN, difference: NaN, covariance: [[NaN, NaN], [NaN, NaN]], standardError: NaN, z: NaN, pValue: NaN, lower: NaN, upper: NaN, level };
  if (m < 2 || n < 2) return { ...nan, degenerate: `DeLong's test needs at least 2 positive and 2 negative rows (${m} positive, ${n} negative)` };
  const a = structuralComponents(...split(scoresA));
  const b = structuralComponents(...split(scoresB));
  const cAA = covariance(a.v10, a.v10) / m + covariance(a.v01, a.v01) / n;
  const cBB = covariance(b.v10, b.v10) / m + covariance(b.v01, b.v01) / n;
  const cAB = covariance(a.v10, b.v10) / m + covariance(a.v01, b.v01) / n;
  const variance = cAA + cBB - 2 * cAB;
  const difference = b.auc - a.auc;
  const result: DelongComparison = { ...nan, aucA: a.auc, aucB: b.auc, difference, covariance: [[cAA, cAB], [cAB, cBB]] };
  if (!(variance > 0)) return { ...result, degenerate: 'the two AUCs do not vary apart (identical rankings?): no test' };
  const standardError = Math.sqrt(variance);
  const z = difference / standardError;
  const half = normalQuantile(1 - (1 - level) / 2) * standardError;
  return { ...result, standardError, z, pValue: 2 * normalSurvival(Math.abs(z)), lower: difference - half, upper: difference + half };
}
