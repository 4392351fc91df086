/**
 * Simulation test of the claim: on synthetic logs with a known true policy value
 * (synthetic-bandit.ts states the generator), each estimator's 95% bootstrap interval covers the truth in
 * at least 90% of 200 seeds. 2,000 rows and 200 resamples per seed; Switch-DR switches at tau = 2 (about
 * 17% of rows have larger weights). IPS is not clipped here: clipping biases it and the claim is about
 * unbiased estimators; the reward model is noisy but unbiased, so DM, DR and Switch-DR are unbiased too.
 */
import { describe, expect, it } from 'vitest';
import { OFF_POLICY_ESTIMATORS, type OffPolicyEstimator } from './estimators.js';
import { estimatePolicyValue } from './estimate-policy-value.js';
import { generateSyntheticBandit, syntheticExpectedReward } from './synthetic-bandit.js';

const SEEDS = 200;

describe('off-policy intervals on synthetic logs with a known value', () => {
  it('the true value is the exact sum over contexts of pi_e times q', () => {
    // Context x = 0 of 3 actions: q = 0.5, 0.5 + 0.35 sin(2 pi / 3), 0.5 + 0.35 sin(4 pi / 3); the best is action 1.
    expect(syntheticExpectedReward(0, 1, 3)).toBeCloseTo(0.5 + 0.35 * Math.sqrt(3) / 2, 15);
    const single = generateSyntheticBandit(1, { contextCount: 1, rowCount: 10, epsilon: 0 });
    expect(single.truePolicyValue).toBeCloseTo(0.5 + 0.35 * Math.sqrt(3) / 2, 15);
    const uniform = generateSyntheticBandit(1, { contextCount: 1, rowCount: 10, epsilon: 1 });
    expect(uniform.truePolicyValue).toBeCloseTo(0.5, 15);
  });

  it('each bootstrap interval covers the truth in at least 90% of 200 seeds, and the estimates centre on it', () => {
    const covered = new Map<OffPolicyEstimator, number>(OFF_POLICY_ESTIMATORS.map((name) => [name, 0]));
    const normalCovered = new Map<OffPolicyEstimator, number>(OFF_POLICY_ESTIMATORS.map((name) => [name, 0]));
    const sums = new Map<OffPolicyEstimator, { sum: number; squares: number }>(OFF_POLICY_ESTIMATORS.map((name) => [name, { sum: 0, squares: 0 }]));
    let truth = NaN;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { data, truePolicyValue } = generateSyntheticBandit(seed, { rowCount: 2000 });
      truth = truePolicyValue;
      const report = estimatePolicyValue(data, { resamples: 200, seed, switchThreshold: 2 });
      for (const estimate of report.estimates) {
        const [lower, upper] = estimate.bootstrapInterval;
        if (lower <= truePolicyValue && truePolicyValue <= upper) covered.set(estimate.estimator, (covered.get(estimate.estimator) ?? 0) + 1);
        const [normalLower, normalUpper] = estimate.normalInterval;
        if (normalLower <= truePolicyValue && truePolicyValue <= normalUpper)
          normalCovered.set(estimate.estimator, (normalCovered.get(estimate.estimator) ?? 0) + 1);
        const moments = sums.get(estimate.estimator) as { sum: number; squares: number };
        moments.sum += estimate.value;
        moments.squares += estimate.value * estimate.value;
      }
    }
    for (const name of OFF_POLICY_ESTIMATORS) {
      expect(covered.get(name), `${name} bootstrap coverage of ${SEEDS}`).toBeGreaterThanOrEqual(0.9 * SEEDS);
      expect(normalCovered.get(name), `${name} normal coverage of ${SEEDS}`).toBeGreaterThanOrEqual(0.9 * SEEDS);
      // Unbiasedness: the mean of the 200 estimates lies within 4 of its standard errors of the truth.
      const { sum, squares } = sums.get(name) as { sum: number; squares: number };
      const mean = sum / SEEDS;
      const standardError = Math.sqrt((squares / SEEDS - mean * mean) / (SEEDS - 1));
      expect(Math.abs(mean - truth), `${name} mean ${mean} against ${truth}`).toBeLessThanOrEqual(4 * standardError);
    }
  });

  it('clipping the weights biases IPS downwards on the same logs', () => {
    let clippedSum = 0;
    let truthSum = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { data, truePolicyValue } = generateSyntheticBandit(seed, { rowCount: 2000 });
      const ips = estimatePolicyValue(data, { estimators: ['ips'], resamples: 1, clipWeight: 1 }).estimates[0];
      clippedSum += ips?.value ?? NaN;
      truthSum += truePolicyValue;
    }
    expect(clippedSum / 20).toBeLessThan(0.9 * (truthSum / 20));
  });
});
