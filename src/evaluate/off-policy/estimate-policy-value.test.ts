/**
 * The estimators against Open Bandit Pipeline's formulas written out in numpy
 * (test/fixtures/evaluate/off-policy-reference.py), to 1e-12 relative; the bootstrap intervals replay the
 * same resamples in the script.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MlcycleError } from '../../error.js';
import { seededRandom } from '../../stats/random.js';
import { sortedQuantile } from '../../stats/bootstrap.js';
import { forEachResample } from './bootstrap.js';
import { estimatePolicyValue } from './estimate-policy-value.js';
import type { LoggedBanditData } from './logged-bandit.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/evaluate/off-policy-reference.json');

interface ReferenceEstimate {
  value: number;
  standardError: number;
  normalInterval: [number, number];
  bootstrapInterval: [number, number];
}
interface ReferenceCase extends LoggedBanditData {
  name: string;
  clipWeight: number | null;
  switchThreshold: number | null;
  resamples: number;
  seed: number;
  confidenceLevel: number;
  expected: { estimates: Record<string, ReferenceEstimate>; weights: Record<string, number>; loggedPolicyValue: number };
}

const CASES = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: ReferenceCase[] }).cases;
const TOLERANCE = 1e-12;

function expectClose(actual: number, expected: number, label: string): void {
  const relative = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  expect(relative, `${label}: ${actual} against reference ${expected}`).toBeLessThanOrEqual(TOLERANCE);
}

describe('off-policy estimators against the numpy reference', () => {
  it('holds four cases', () => expect(CASES.map((entry) => entry.name)).toEqual(['stochastic', 'deterministic', 'no-reward-model', 'random-200']));

  for (const reference of CASES) {
    it(`${reference.name}: every estimate, standard error and interval`, () => {
      const report = estimatePolicyValue(reference, {
        clipWeight: reference.clipWeight ?? Infinity,
        switchThreshold: reference.switchThreshold ?? Infinity,
        resamples: reference.resamples,
        seed: reference.seed,
        confidenceLevel: reference.confidenceLevel,
      });
      expect(report.estimates.map((estimate) => estimate.estimator)).toEqual(Object.keys(reference.expected.estimates));
      for (const estimate of report.estimates) {
        const expected = reference.expected.estimates[estimate.estimator] as ReferenceEstimate;
        const label = `${reference.name} ${estimate.estimator}`;
        expect(estimate.degeneracy).toBeNull();
        expectClose(estimate.value, expected.value, `${label} value`);
        expectClose(estimate.standardError, expected.standardError, `${label} standard error`);
        expectClose(estimate.normalInterval[0], expected.normalInterval[0], `${label} normal lower`);
        expectClose(estimate.normalInterval[1], expected.normalInterval[1], `${label} normal upper`);
        expectClose(estimate.bootstrapInterval[0], expected.bootstrapInterval[0], `${label} bootstrap lower`);
        expectClose(estimate.bootstrapInterval[1], expected.bootstrapInterval[1], `${label} bootstrap upper`);
      }
      for (const [key, value] of Object.entries(reference.expected.weights))
        expectClose(report.weights[key as keyof typeof report.weights], value, `${reference.name} weights.${key}`);
      expectClose(report.loggedPolicyValue, reference.expected.loggedPolicyValue, `${reference.name} logged value`);
    });
  }
});

describe('estimatePolicyValue', () => {
  const stochastic = CASES[0] as ReferenceCase;

  it('gives the same intervals for the same seed and others for another seed', () => {
    const first = estimatePolicyValue(stochastic, { resamples: 200, seed: 3 });
    const again = estimatePolicyValue(stochastic, { resamples: 200, seed: 3 });
    const other = estimatePolicyValue(stochastic, { resamples: 200, seed: 4 });
    expect(again.estimates).toEqual(first.estimates);
    expect(other.estimates.map((estimate) => estimate.bootstrapInterval)).not.toEqual(first.estimates.map((estimate) => estimate.bootstrapInterval));
  });

  it('clipping lowers IPS on non-negative rewards and leaves SNIPS alone', () => {
    const unclipped = estimatePolicyValue(stochastic, { resamples: 10 });
    const clipped = estimatePolicyValue(stochastic, { resamples: 10, clipWeight: 2 });
    const value = (report: typeof clipped, name: string): number => report.estimates.find((estimate) => estimate.estimator === name)?.value ?? NaN;
    expect(value(clipped, 'ips')).toBeLessThan(value(unclipped, 'ips'));
    expect(value(clipped, 'snips')).toBe(value(unclipped, 'snips'));
    expect(clipped.weights.clippedShare).toBeGreaterThan(0);
  });

  it('Switch-DR with tau 0 is DM and with tau infinite is unclipped DR', () => {
    const dmLike = estimatePolicyValue(stochastic, { resamples: 10, switchThreshold: 0 }).estimates;
    const drLike = estimatePolicyValue(stochastic, { resamples: 10, switchThreshold: Infinity }).estimates;
    const pick = (list: typeof dmLike, name: string): number => list.find((estimate) => estimate.estimator === name)?.value ?? NaN;
    expect(pick(dmLike, 'switch-dr')).toBeCloseTo(pick(dmLike, 'dm'), 14);
    expect(pick(drLike, 'switch-dr')).toBeCloseTo(pick(drLike, 'dr'), 14);
  });

  it('reports a policy that never takes a logged action as degenerate instead of throwing', () => {
    const report = estimatePolicyValue(
      { actionCount: 2, actions: [0, 0, 0], propensities: [0.5, 0.5, 0.5], rewards: [1, 0, 1], evaluationPolicy: { actions: [1, 1, 1] } },
      { resamples: 20 },
    );
    const snips = report.estimates.find((estimate) => estimate.estimator === 'snips');
    expect(snips?.value).toBeNaN();
    expect(snips?.degeneracy).toMatch(/never takes a logged action/);
    expect(report.estimates.find((estimate) => estimate.estimator === 'ips')?.value).toBe(0);
  });

  it('rejects bad logs with every problem and its path', () => {
    const bad: LoggedBanditData = {
      actionCount: 2,
      actions: [0, 2, 1],
      propensities: [0.5, 0, 0.4],
      rewards: [1, NaN, 0],
      evaluationPolicy: { probabilities: [0.5, 0.5, 0.9, 0.3, 0, 1] },
    };
    const thrown = (() => {
      try {
        estimatePolicyValue(bad);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(thrown).toBeInstanceOf(MlcycleError);
    const error = thrown as MlcycleError;
    expect(error.code).toBe('invalid_input');
    expect(error.issues.map((issue) => issue.path)).toEqual(['actions[1]', 'propensities[1]', 'rewards[1]', 'evaluationPolicy.probabilities']);
    expect(error.issues[3]?.message).toMatch(/row 1: probabilities sum to 1.2/);
    expect(() => estimatePolicyValue({ ...bad, actions: [0, 1] })).toThrow(/problem/);
    expect(() => estimatePolicyValue(stochastic, { estimators: ['dm'], resamples: 10 })).not.toThrow();
    const withoutModel: LoggedBanditData = { ...stochastic };
    delete withoutModel.rewardPredictions;
    expect(() => estimatePolicyValue(withoutModel, { estimators: ['dr'] })).toThrow(/dr need rewardPredictions/);
    expect(() => estimatePolicyValue(stochastic, { clipWeight: 0 })).toThrow(/clipWeight: must be positive/);
    expect(() => estimatePolicyValue(stochastic, { estimators: ['ips', 'magic' as never] })).toThrow(/estimators: unknown: magic/);
    expect(() => estimatePolicyValue(stochastic, { confidenceLevel: 1 })).toThrow(MlcycleError);
  });
});

describe('sortedQuantile', () => {
  it('interpolates linearly as numpy does', () => {
    expect(sortedQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(sortedQuantile([1, 2, 3, 4], 0)).toBe(1);
    expect(sortedQuantile([1, 2, 3, 4], 1)).toBe(4);
    expect(sortedQuantile([0, 10], 0.025)).toBeCloseTo(0.25, 15);
  });
});

describe('forEachResample', () => {
  it("draws the rows seededRandom's sequence picks", () => {
    for (const [seed, rows] of [[0, 7], [12345, 100], [4294967295, 1]] as const) {
      const random = seededRandom(seed);
      forEachResample(seed, rows, 3, (counts) => {
        const expected = new Uint32Array(rows);
        for (let draw = 0; draw < rows; draw++) {
          const row = Math.floor(random() * rows);
          expected[row] = (expected[row] as number) + 1;
        }
        expect(Array.from(counts)).toEqual(Array.from(expected));
      });
    }
  });
});
