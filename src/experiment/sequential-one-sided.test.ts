/**
 * One-sided sequential tests under peeking: over 2,000 seeded experiments looked at after every 100 units
 * (50 looks), the one-sided confidence sequence and the one-sided mSPRT reject a true one-sided null at most
 * alpha of the time, at zero effect and at a non-inferiority margin, while naive peeking of the fixed
 * one-sided test exceeds alpha. Agreement with the published formulas is in reference.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { meanArmEstimate } from './arm-estimate.js';
import { welchTest, type Comparison } from './comparison.js';
import { testEffect } from './hypothesis-test.js';
import { oneSidedConfidenceSequence, oneSidedMixtureSprt, type OneSidedAlternative } from './sequential-one-sided.js';
import { simulateMeanStatistics } from './simulate-statistics.js';
import { mergeMeanStatistics, type MeanStatistics } from './sufficient-statistics.js';

function computed(result: ReturnType<typeof welchTest>): Comparison {
  if (result.degeneracy !== null) throw new Error(result.message);
  return result;
}

/** Rates of ever rejecting H0 over 50 looks, when the true effect equals `nullValue` (the hardest null). */
function peekingRates(seed: number, alternative: OneSidedAlternative, nullValue: number): { naive: number; sequence: number; mixture: number } {
  const random = seededRandom(seed);
  const experiments = 2000;
  const counts = { naive: 0, sequence: 0, mixture: 0 };
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    let control: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
    let treatment: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
    const rejected = { naive: false, sequence: false, mixture: false };
    for (let look = 0; look < 50; look += 1) {
      control = mergeMeanStatistics(control, simulateMeanStatistics(random, 50, 10, 1));
      treatment = mergeMeanStatistics(treatment, simulateMeanStatistics(random, 50, 10 + nullValue, 1));
      const { effect, degreesOfFreedom } = computed(welchTest(meanArmEstimate(control), meanArmEstimate(treatment), { scale: 'absolute', alternative, alpha: 0.05 }));
      rejected.naive ||= testEffect(effect, { alternative, alpha: 0.05, degreesOfFreedom, nullValue }).pValue < 0.05;
      rejected.sequence ||= oneSidedConfidenceSequence(effect, control.n + treatment.n, 0.05, alternative, { nullValue }).pValue < 0.05;
      rejected.mixture ||= oneSidedMixtureSprt(effect, 0.1, 0.05, alternative, nullValue).pValue < 0.05;
    }
    for (const key of ['naive', 'sequence', 'mixture'] as const) if (rejected[key]) counts[key] += 1;
  }
  const rates = { naive: counts.naive / experiments, sequence: counts.sequence / experiments, mixture: counts.mixture / experiments };
  console.log(`simulation: one-sided (${alternative}, null ${nullValue}) under peeking: naive ${rates.naive}, confidence sequence ${rates.sequence}, mSPRT ${rates.mixture}`);
  return rates;
}

describe('one-sided sequential tests under peeking after every 100 units (2,000 experiments, 50 looks)', () => {
  it.each([
    ['greater', 0, 1101],
    ['less', 0, 1102],
    ['greater', -0.05, 1103], // non-inferiority of an increase metric, harm exactly at the margin
    ['less', 0.05, 1104], // non-inferiority of a decrease metric (latency), harm exactly at the margin
  ] as const)('%s with null %s: sequential false positive rates stay at or below alpha, naive peeking exceeds it', (alternative, nullValue, seed) => {
    const rates = peekingRates(seed, alternative, nullValue);
    expect(rates.naive).toBeGreaterThan(0.1);
    expect(rates.sequence).toBeLessThanOrEqual(0.05);
    expect(rates.mixture).toBeLessThanOrEqual(0.05);
  });

  it('bounds agree with p-values: the bound excludes the null value exactly when p < alpha', () => {
    const random = seededRandom(1105);
    for (let index = 0; index < 500; index += 1) {
      const effect = { scale: 'absolute' as const, estimate: (random() - 0.5) * 0.2, standardError: 0.01 + random() * 0.05 };
      for (const alternative of ['greater', 'less'] as const) {
        for (const result of [oneSidedConfidenceSequence(effect, 2000, 0.05, alternative, { nullValue: 0.01 }), oneSidedMixtureSprt(effect, 0.05, 0.05, alternative, 0.01)]) {
          const excludes = alternative === 'greater' ? result.interval[0] > 0.01 : result.interval[1] < 0.01;
          // Bisection and the closed form agree to far better than this margin; skip knife-edge cases.
          if (Math.abs(result.pValue - 0.05) > 1e-6) expect(excludes).toBe(result.pValue < 0.05);
        }
      }
    }
  });

  it('a real improvement is detected: power grows with the looks', () => {
    const random = seededRandom(1106);
    let detected = 0;
    for (let experiment = 0; experiment < 500; experiment += 1) {
      const effect = computed(welchTest(meanArmEstimate(simulateMeanStatistics(random, 2000, 10, 1)), meanArmEstimate(simulateMeanStatistics(random, 2000, 10.15, 1)), { scale: 'absolute', alternative: 'greater', alpha: 0.05 })).effect;
      if (oneSidedConfidenceSequence(effect, 4000, 0.05, 'greater').pValue < 0.05) detected += 1;
    }
    expect(detected / 500).toBeGreaterThan(0.8);
  });
});
