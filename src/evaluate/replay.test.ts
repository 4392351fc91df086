/** Replay on a hand-counted period, and driven by the demo's spec. */
import { describe, expect, it } from 'vitest';
import { FLIGHT_DELAY_SPEC } from '../demo/flight-delay-spec.js';
import { MlcycleError } from '../error.js';
import { checkSpecText } from '../problem/load-spec.js';
import type { BinaryValueModel, ProblemSpec } from '../problem/spec-schema.js';
import { applyDecisionRule, replayDecisions, replayMetric, type ReplayModel } from './replay.js';
import { replayWithSpec } from './replay-spec.js';

const LABELS = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0];
const BASELINE: ReplayModel = { name: 'baseline', scores: [0.9, 0.8, 0.3, 0.2, 0.1, 0.6, 0.5, 0.4, 0.7, 0.05], rule: { kind: 'threshold', threshold: 0.55 } };
const CHALLENGER: ReplayModel = { name: 'gbdt', scores: [0.2, 0.9, 0.95, 0.1, 0.3, 0.5, 0.0, 0.6, 0.7, 0.4], rule: { kind: 'top-k', k: 3 } };
const FLIGHT: BinaryValueModel = { currency: 'USD', truePositive: 14, falsePositive: -4, falseNegative: -6, trueNegative: 0 };
const LOGGED = [1, 0, 0, 0, 1, 1, 0, 0, 0, 0];

function flightSpec(): ProblemSpec {
  const check = checkSpecText(FLIGHT_DELAY_SPEC, 'mlcycle.yaml');
  if (check.spec === undefined) throw new Error('the demo spec is invalid');
  return check.spec;
}

describe('applyDecisionRule', () => {
  it('acts at or above a threshold, and on the k best rows overall or per group with ties to the earlier row', () => {
    expect(Array.from(applyDecisionRule(BASELINE.scores, BASELINE.rule))).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
    expect(Array.from(applyDecisionRule(CHALLENGER.scores, CHALLENGER.rule))).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 1, 0]);
    const groups = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];
    expect(Array.from(applyDecisionRule(CHALLENGER.scores, { kind: 'top-k', k: 1 }, groups))).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(applyDecisionRule([0.5, 0.7, 0.5, 0.5], { kind: 'top-k', k: 2 }))).toEqual([1, 1, 0, 0]);
    expect(() => applyDecisionRule([0.1], { kind: 'top-k', k: -1 })).toThrow(/non-negative integer k/);
  });
});

describe('replayDecisions', () => {
  it('counts alerts, alerted positives, false alarms and value per model, with the paired difference to the first', () => {
    const [baseline, challenger] = replayDecisions(LABELS, [BASELINE, CHALLENGER], { valueModel: FLIGHT, interval: { resamples: 200, seed: 1 } });
    expect(baseline).toMatchObject({ actions: 4, truePositives: 3, falsePositives: 1, falseNegatives: 1, trueNegatives: 5, precision: 0.75, recall: 0.75 });
    expect(baseline?.falsePositiveRate).toBeCloseTo(1 / 6, 15);
    expect(baseline?.value?.valuePerDecision).toBeCloseTo((3 * 14 - 4 - 6) / 10, 14);
    expect(baseline?.valueDifference).toBeNull();
    expect(challenger).toMatchObject({ actions: 3, truePositives: 2, falsePositives: 1, falseNegatives: 2, trueNegatives: 5 });
    expect(challenger?.value?.valuePerDecision).toBeCloseTo((2 * 14 - 4 - 12) / 10, 14);
    const difference = challenger?.valueDifference;
    expect(difference?.valuePerDecision).toBeCloseTo(-2, 14);
    // Rows 0 and 2 swap a true positive for a miss and back: per-row differences -20, +20, -20 (row 5), 0 elsewhere.
    expect(difference?.totalValue).toBeCloseTo(-20, 12);
    const [lower, upper] = difference?.bootstrapInterval ?? [NaN, NaN];
    expect(lower).toBeLessThanOrEqual(-2);
    expect(upper).toBeGreaterThanOrEqual(-2);
  });

  it('names a model whose scores do not match the rows, and a bad label', () => {
    expect(() => replayDecisions(LABELS, [{ ...BASELINE, scores: [0.1] }])).toThrow(/model baseline: 1 scores for 10 rows/);
    expect(() => replayDecisions([1, 2], [{ ...BASELINE, scores: [0.1, 0.2] }])).toThrow(/labels\[1\]: must be 0 or 1/);
  });
});

describe('replayMetric', () => {
  const decisions = applyDecisionRule(BASELINE.scores, BASELINE.rule);
  it('averages a column over the rows where the model agrees with the logged decision (Li et al. 2011)', () => {
    const rebooked = [1, 0, 1, 0, 0, 1, 0, 1, 1, 0];
    const result = replayMetric(decisions, LOGGED, { kind: 'mean', values: rebooked }, { resamples: 100 });
    expect(result.matchedRows).toBe(7);
    expect(result.matchedShare).toBeCloseTo(0.7, 15);
    expect(result.value).toBeCloseTo(4 / 7, 15);
    const [lower, upper] = result.bootstrapInterval ?? [NaN, NaN];
    expect(lower).toBeGreaterThanOrEqual(0);
    expect(upper).toBeLessThanOrEqual(1);
    expect(lower).toBeLessThan(upper);
  });

  it('takes ratios of sums and numpy-style quantiles on the matched rows', () => {
    const ratio = replayMetric(decisions, LOGGED, { kind: 'ratio', numerators: [1, 9, 2, 0, 9, 1, 0, 3, 9, 1], denominators: [2, 9, 2, 1, 9, 1, 1, 3, 9, 1] });
    expect(ratio.value).toBeCloseTo(8 / 11, 15);
    const waits = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    // Matched rows 0, 2, 3, 5, 6, 7, 9: [10, 30, 40, 60, 70, 80, 100]; position 0.9 * 6 = 5.4 -> 80 + 0.4 * 20.
    expect(replayMetric(decisions, LOGGED, { kind: 'quantile', values: waits, quantile: 0.9 }).value).toBeCloseTo(88, 12);
    expect(replayMetric([1, 1], [0, 0], { kind: 'mean', values: [1, 2] })).toMatchObject({ matchedRows: 0, bootstrapInterval: null });
  });
});

describe('replayWithSpec', () => {
  it('replays the demo spec: value from its value model, column metrics replayed, event metrics explained', () => {
    const replay = replayWithSpec(flightSpec(), {
      labels: LABELS,
      models: [BASELINE, CHALLENGER],
      loggedDecisions: LOGGED,
      columns: { desk_wait_minutes: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
      interval: { resamples: 50 },
    });
    expect(replay.currency).toBe('USD');
    expect(replay.decisions.map((entry) => entry.value?.valuePerDecision)).toEqual([3.2, expect.closeTo(1.2, 14)]);
    const byId = new Map(replay.successMetrics.map((metric) => [metric.id, metric]));
    const desk = byId.get('desk_wait_p90');
    if (desk?.replayable !== true) throw new Error('desk_wait_p90 should replay');
    expect(desk.models[0]?.result.value).toBeCloseTo(88, 12);
    const engagement = byId.get('alert_engagement');
    expect(engagement?.replayable).toBe(false);
    if (engagement?.replayable === false) expect(engagement.reason).toMatch(/'alert_opened', 'alert_sent'.*online A\/B test/);
    const withoutLog = replayWithSpec(flightSpec(), { labels: LABELS, models: [BASELINE], columns: { desk_wait_minutes: LABELS } });
    const deskWithoutLog = withoutLog.successMetrics.find((metric) => metric.id === 'desk_wait_p90');
    expect(deskWithoutLog?.replayable === false && deskWithoutLog.reason).toMatch(/needs the decisions logged/);
  });

  it('refuses a spec whose task is not binary', () => {
    const spec = { ...flightSpec(), task: 'regression' as const };
    expect(() => replayWithSpec(spec, { labels: LABELS, models: [BASELINE] })).toThrow(MlcycleError);
  });
});
