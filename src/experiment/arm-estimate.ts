/**
 * An arm's estimate of a metric: a point estimate, the variance of that estimate, and the units behind it.
 * Every metric kind (mean, proportion, ratio, CUPED-adjusted) reduces to this, so one test serves them all.
 */
import { sampleMean, sampleVariance, type MeanStatistics } from './sufficient-statistics.js';

export interface ArmEstimate {
  /** Units in the arm. */
  n: number;
  /** The arm's estimate of the metric (a mean, a proportion, a ratio). */
  estimate: number;
  /** The variance of `estimate` (for a mean: the unit variance over n). */
  variance: number;
}

/** Why an arm or a comparison cannot be tested: a field of the result, never an exception. */
export type Degeneracy = 'too-few-units' | 'zero-variance' | 'zero-control-mean' | 'zero-denominator';

/** Plain-words explanations of each degeneracy, for reports. */
export const DEGENERACY_MESSAGES: Record<Degeneracy, string> = {
  'too-few-units': 'an arm has fewer than two units',
  'zero-variance': 'the metric does not vary, so its uncertainty cannot be estimated',
  'zero-control-mean': 'the control mean is zero, so a relative effect is undefined',
  'zero-denominator': 'a ratio metric\'s denominator sums to zero in an arm',
};

/** The arm estimate of a mean (or a proportion given as a 0/1 mean): the sample mean and s^2 / n. */
export function meanArmEstimate(statistics: MeanStatistics): ArmEstimate | Degeneracy {
  if (statistics.n < 2) return 'too-few-units';
  return { n: statistics.n, estimate: sampleMean(statistics), variance: sampleVariance(statistics) / statistics.n };
}
