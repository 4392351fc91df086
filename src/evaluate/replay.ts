/**
 * Replay: score a later, held-out period whose outcomes are known and count what each model's decisions
 * would have done there: alerts sent, positives alerted (e.g. delayed flights warned about), false
 * alarms, misses, and the business value of the spec's value model, with intervals; and, for models after
 * the first (the reference: a baseline or the champion), the paired difference in value per decision.
 *
 * Success metrics measured on columns of the period are replayed by Li et al.'s replay method (2011,
 * "Unbiased offline evaluation of contextual-bandit-based news article recommendation algorithms"; OBP's
 * `ReplayMethod`): a row's outcome under the model is known only where the decision logged in the period
 * equals the model's, so the metric is computed on those rows. It is unbiased when the logged decisions
 * were made at random, independently of the rows; otherwise it describes the matched rows only.
 */
import type { BinaryValueModel } from '../problem/spec-schema.js';
import { sortedQuantile } from '../stats/bootstrap.js';
import { bootstrapRatioIntervals, checkBootstrapSettings } from './off-policy/bootstrap.js';
import { binaryDecisionValues, estimateMeanValue, isPositive, type ValueEstimate, type ValueIntervalOptions } from './business-value.js';
import { invalidInput } from './off-policy/invalid-input.js';

/** How a model's scores become decisions: act at or above a threshold, or on the k best-scored rows (per group). */
export type DecisionRule = { kind: 'threshold'; threshold: number } | { kind: 'top-k'; k: number };

/** One model in the replay: its scores on the period's rows and its decision rule. */
export interface ReplayModel {
  name: string;
  scores: ArrayLike<number>;
  rule: DecisionRule;
}

/** The confusion counts of one model's decisions against the known outcomes, with rates and value. */
export interface DecisionOutcomes {
  model: string;
  rule: DecisionRule;
  rows: number;
  /** Decisions to act (alerts sent). */
  actions: number;
  actionRate: number;
  /** Positive outcomes acted on (e.g. delayed flights alerted). */
  truePositives: number;
  /** Actions on negative outcomes (false alarms). */
  falsePositives: number;
  /** Positive outcomes not acted on (missed). */
  falseNegatives: number;
  trueNegatives: number;
  /** NaN when the model acts on no row. */
  precision: number;
  /** NaN when there is no positive outcome. */
  recall: number;
  /** NaN when there is no negative outcome. */
  falsePositiveRate: number;
  /** Value per decision under the value model, when one was given. */
  value: ValueEstimate | null;
  /** Paired difference in value per decision against the first model (null for the first model or without a value model). */
  valueDifference: ValueEstimate | null;
}

/** The decisions (1 act, 0 not) a rule makes on scores; top-k ranks within each group when groups are given. */
export function applyDecisionRule(scores: ArrayLike<number>, rule: DecisionRule, groups?: ArrayLike<string | number>): Uint8Array {
  const n = scores.length;
  for (let row = 0; row < n; row++) if (Number.isNaN(scores[row] as number)) throw invalidInput(`scores[${row}]`, 'is NaN');
  const decisions = new Uint8Array(n);
  if (rule.kind === 'threshold') {
    for (let row = 0; row < n; row++) decisions[row] = (scores[row] as number) >= rule.threshold ? 1 : 0;
    return decisions;
  }
  if (!Number.isInteger(rule.k) || rule.k < 0) throw invalidInput('rule.k', `top-k needs a non-negative integer k, got ${rule.k}`);
  if (groups !== undefined && groups.length !== n) throw invalidInput('groups', `has ${groups.length} values for ${n} rows`);
  const rowsByGroup = new Map<string | number, number[]>();
  for (let row = 0; row < n; row++) {
    const group = groups === undefined ? 0 : (groups[row] as string | number);
    const rows = rowsByGroup.get(group);
    if (rows === undefined) rowsByGroup.set(group, [row]);
    else rows.push(row);
  }
  for (const rows of rowsByGroup.values()) {
    // A stable sort: among equal scores the earlier row is chosen first.
    rows.sort((a, b) => (scores[b] as number) - (scores[a] as number));
    for (let position = 0; position < Math.min(rule.k, rows.length); position++) decisions[rows[position] as number] = 1;
  }
  return decisions;
}

/** Options of `replayDecisions`. */
export interface ReplayOptions {
  valueModel?: BinaryValueModel;
  /** Groups within which top-k rules rank (e.g. the day, for "k alerts a day"). */
  groups?: ArrayLike<string | number>;
  interval?: ValueIntervalOptions;
}

/** Replays each model's decisions on rows with known binary outcomes (labels 0/1). */
export function replayDecisions(labels: ArrayLike<number>, models: readonly ReplayModel[], options: ReplayOptions = {}): DecisionOutcomes[] {
  const n = labels.length;
  if (n === 0) throw invalidInput('labels', 'the replay period has no rows');
  const positive = new Uint8Array(n);
  for (let row = 0; row < n; row++) positive[row] = isPositive(labels[row] as number, row) ? 1 : 0;
  let referenceValues: Float64Array | null = null;
  return models.map((model, index) => {
    if (model.scores.length !== n) throw invalidInput(`models[${index}].scores`, `model ${model.name}: ${model.scores.length} scores for ${n} rows`);
    const decisions = applyDecisionRule(model.scores, model.rule, options.groups);
    let truePositives = 0;
    let falsePositives = 0;
    let positives = 0;
    for (let row = 0; row < n; row++) {
      positives += positive[row] as number;
      if (decisions[row] === 1) {
        if (positive[row] === 1) truePositives++;
        else falsePositives++;
      }
    }
    const actions = truePositives + falsePositives;
    const negatives = n - positives;
    let value: ValueEstimate | null = null;
    let valueDifference: ValueEstimate | null = null;
    if (options.valueModel !== undefined) {
      // The decisions as 1/0 scores against threshold 1 give each row's value under this model.
      const values = binaryDecisionValues(decisions, positive, options.valueModel, 1);
      value = estimateMeanValue(values, options.interval);
      if (index === 0) referenceValues = values;
      else if (referenceValues !== null) {
        const reference = referenceValues;
        valueDifference = estimateMeanValue(values.map((entry, row) => entry - (reference[row] as number)), options.interval);
      }
    }
    return {
      model: model.name,
      rule: model.rule,
      rows: n,
      actions,
      actionRate: actions / n,
      truePositives,
      falsePositives,
      falseNegatives: positives - truePositives,
      trueNegatives: negatives - falsePositives,
      precision: actions === 0 ? NaN : truePositives / actions,
      recall: positives === 0 ? NaN : truePositives / positives,
      falsePositiveRate: negatives === 0 ? NaN : falsePositives / negatives,
      value,
      valueDifference,
    };
  });
}

/** A metric's statistic over the rows where the model's decision matches the logged one. */
export type ReplayStatistic =
  | { kind: 'mean'; values: ArrayLike<number> }
  | { kind: 'ratio'; numerators: ArrayLike<number>; denominators: ArrayLike<number> }
  | { kind: 'quantile'; values: ArrayLike<number>; quantile: number };

/** A replayed metric: its value on the matched rows, with an interval (none for quantiles). */
export interface ReplayedMetric {
  matchedRows: number;
  matchedShare: number;
  value: number;
  /** Percentile bootstrap over the matched rows; null for quantiles or when no row matched. */
  bootstrapInterval: [number, number] | null;
}

/** Li et al.'s replay of one statistic: computed on the rows where `decisions` equals `loggedDecisions`. */
export function replayMetric(
  decisions: ArrayLike<number>,
  loggedDecisions: ArrayLike<number>,
  statistic: ReplayStatistic,
  interval: ValueIntervalOptions = {},
): ReplayedMetric {
  const n = decisions.length;
  if (loggedDecisions.length !== n) throw invalidInput('loggedDecisions', `has ${loggedDecisions.length} values for ${n} rows`);
  const matched: number[] = [];
  for (let row = 0; row < n; row++) if ((decisions[row] as number) === (loggedDecisions[row] as number)) matched.push(row);
  const matchedShare = n === 0 ? NaN : matched.length / n;
  const none = { matchedRows: 0, matchedShare, value: NaN, bootstrapInterval: null };
  if (matched.length === 0) return none;
  const { resamples = 1000, seed = 0, confidenceLevel = 0.95 } = interval;
  checkBootstrapSettings({ resamples, seed, confidenceLevel });
  if (statistic.kind === 'quantile') {
    const sorted = Float64Array.from(matched, (row) => statistic.values[row] as number).sort();
    return { matchedRows: matched.length, matchedShare, value: sortedQuantile(sorted, statistic.quantile), bootstrapInterval: null };
  }
  const numerators = Float64Array.from(matched, (row) => (statistic.kind === 'mean' ? statistic.values[row] : statistic.numerators[row]) as number);
  const denominators = statistic.kind === 'mean' ? null : Float64Array.from(matched, (row) => statistic.denominators[row] as number);
  let numerator = 0;
  for (const value of numerators) numerator += value;
  let denominator = matched.length;
  if (denominators !== null) {
    denominator = 0;
    for (const value of denominators) denominator += value;
  }
  const bounds = bootstrapRatioIntervals([{ numerators, denominators }], matched.length, { resamples, seed, confidenceLevel });
  return {
    matchedRows: matched.length,
    matchedShare,
    value: numerator / denominator,
    bootstrapInterval: [bounds.lower[0] as number, bounds.upper[0] as number],
  };
}
