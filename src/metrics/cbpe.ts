/**
 * Confidence-based performance estimation (CBPE, as NannyML's `CBPE` estimator describes it): a binary
 * classifier's ROC AUC and false-alarm rate on a window whose labels have not arrived, estimated from its
 * calibrated scores alone. A calibrated score p is the chance that the row is positive, so each row counts
 * p of a positive and 1 - p of a negative: the expected confusion counts at every threshold give the
 * expected curve, and its area the estimate.
 *
 * The interval is not NannyML's (it takes the standard deviation of the estimate over reference chunks): it
 * is the spread of the metric the window would show over label sets drawn from the scores themselves (each
 * row positive with probability p, `draws` times), its 2.5% and 97.5% quantiles for 95%. When the scores
 * are calibrated, the labels that do arrive are one such draw, so the realised metric falls inside the
 * interval in about 95% of windows (cbpe.test.ts checks at least 90% on seeded windows). Scores that are
 * not calibrated give a biased estimate, which is why a monitor compares it with the labelled metric
 * once the labels arrive.
 */
import { MlcycleError } from '../error.js';
import type { Random } from '../stats/random.js';
import { aucFromGroups } from './roc-auc.js';
import { descendingOrder } from './score-order.js';

export interface CbpeEstimate {
  /** The expected value of the metric over the scores' own label draws. */
  estimate: number;
  /** The central 95% of the metric over `draws` label sets drawn from the scores. */
  lower: number;
  upper: number;
  rows: number;
}

export interface CbpeResult {
  rocAuc: CbpeEstimate;
  /** With decisions: the share of negatives alerted (decision 1), expected and its interval. */
  falseAlarmRate: CbpeEstimate | null;
}

/** Tie groups of the scores in descending order, with each group's expected positives (its scores' sum). */
function groupsOf(scores: ArrayLike<number>): { members: Uint32Array; starts: Uint32Array; expected: Float64Array; distinct: Float64Array } {
  const order = descendingOrder(scores);
  const starts: number[] = [];
  for (let index = 0; index < order.length; index++) {
    if (index === 0 || scores[order[index] as number] !== scores[order[index - 1] as number]) starts.push(index);
  }
  starts.push(order.length);
  const expected = new Float64Array(starts.length - 1);
  for (let group = 0; group < expected.length; group++) {
    let sum = 0;
    for (let index = starts[group] as number; index < (starts[group + 1] as number); index++) sum += scores[order[index] as number] as number;
    expected[group] = sum;
  }
  const distinct = Float64Array.from({ length: expected.length }, (_, group) => scores[order[starts[group] as number] as number] as number);
  return { members: order, starts: Uint32Array.from(starts), expected, distinct };
}

function quantile(sorted: Float64Array, q: number): number {
  // numpy's default (linear) quantile.
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (position - below);
}

/**
 * Estimates ROC AUC (and, given each row's decision, the false-alarm rate) from calibrated scores in [0, 1].
 * `random` draws the labels of the interval; `draws` label sets (200 by default).
 */
export function estimateBinaryPerformance(scores: ArrayLike<number>, random: Random, options: { decisions?: ArrayLike<number>; draws?: number } = {}): CbpeResult {
  const rows = scores.length;
  if (rows === 0) throw new MlcycleError('invalid_input', 'no scores to estimate performance from');
  for (let row = 0; row < rows; row++) {
    const score = scores[row] as number;
    if (!(score >= 0 && score <= 1)) throw new MlcycleError('invalid_input', `score of row ${row} is ${score}: performance estimation needs probabilities in [0, 1]`);
  }
  const decisions = options.decisions;
  if (decisions !== undefined && decisions.length !== rows) throw new MlcycleError('invalid_input', `${decisions.length} decisions for ${rows} scores`);
  const draws = options.draws ?? 200;
  const { members, starts, expected, distinct } = groupsOf(scores);
  const groups = expected.length;
  const sizes = Float64Array.from({ length: groups }, (_, group) => (starts[group + 1] as number) - (starts[group] as number));

  // The expected curve: each group holds `expected` positives and `size - expected` negatives.
  const expectedPositive = expected.reduce((sum, value) => sum + value, 0);
  const expectedAuc = aucFromGroups({ scores: distinct, positive: expected, negative: sizes.map((size, group) => size - (expected[group] as number)), totalPositive: expectedPositive, totalNegative: rows - expectedPositive });
  let expectedAlarmRate: number | null = null;
  if (decisions !== undefined) {
    let negatives = 0;
    let alarms = 0;
    for (let row = 0; row < rows; row++) {
      const negative = 1 - (scores[row] as number);
      negatives += negative;
      if (decisions[row] === 1) alarms += negative;
    }
    expectedAlarmRate = negatives === 0 ? NaN : alarms / negatives;
  }

  const aucs = new Float64Array(draws);
  const alarmRates = new Float64Array(draws);
  const positive = new Float64Array(groups);
  const negative = new Float64Array(groups);
  for (let draw = 0; draw < draws; draw++) {
    let totalPositive = 0;
    let negatives = 0;
    let alarms = 0;
    for (let group = 0; group < groups; group++) {
      let positives = 0;
      for (let index = starts[group] as number; index < (starts[group + 1] as number); index++) {
        const row = members[index] as number;
        if (random() < (scores[row] as number)) positives += 1;
        else {
          negatives += 1;
          if (decisions !== undefined && decisions[row] === 1) alarms += 1;
        }
      }
      positive[group] = positives;
      negative[group] = (sizes[group] as number) - positives;
      totalPositive += positives;
    }
    aucs[draw] = aucFromGroups({ scores: distinct, positive, negative, totalPositive, totalNegative: rows - totalPositive });
    alarmRates[draw] = negatives === 0 ? NaN : alarms / negatives;
  }
  const interval = (values: Float64Array, estimate: number): CbpeEstimate => {
    const finite = values.filter(Number.isFinite).sort();
    return finite.length === 0 ? { estimate, lower: NaN, upper: NaN, rows } : { estimate, lower: quantile(finite, 0.025), upper: quantile(finite, 0.975), rows };
  };
  return { rocAuc: interval(aucs, expectedAuc), falseAlarmRate: expectedAlarmRate === null ? null : interval(alarmRates, expectedAlarmRate) };
}
