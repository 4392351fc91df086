/**
 * Ratio metrics (clicks per session, revenue per order) whose unit of analysis is finer than the unit of
 * randomisation. The ratio of sums is estimated with the delta method (Deng, Knoblich and Lu 2018,
 * "Applying the Delta Method in Metric Analytics", eq. 4; Kohavi, Tang and Xu 2020, ch. 18), the variance
 * gbstats computes in `variance_of_ratios`:
 *   Var(M/D) ~ (1/n) (s_M^2 / D^2 - 2 M s_MD / D^3 + M^2 s_D^2 / D^4), with M, D the per-unit means.
 */
import type { ArmEstimate, Degeneracy } from './arm-estimate.js';
import { sampleCovariance, type RatioStatistics } from './sufficient-statistics.js';

/** The per-unit means, variances and covariance of a ratio metric's numerator and denominator. */
export interface RatioMoments {
  n: number;
  numeratorMean: number;
  denominatorMean: number;
  numeratorVariance: number;
  denominatorVariance: number;
  covariance: number;
}

/** Means, variances and covariance from the sufficient statistics. */
export function ratioMoments(statistics: RatioStatistics): RatioMoments {
  const { n } = statistics;
  return {
    n,
    numeratorMean: statistics.numeratorSum / n,
    denominatorMean: statistics.denominatorSum / n,
    numeratorVariance: Math.max(0, sampleCovariance(n, statistics.numeratorSum, statistics.numeratorSum, statistics.numeratorSumSquares)),
    denominatorVariance: Math.max(0, sampleCovariance(n, statistics.denominatorSum, statistics.denominatorSum, statistics.denominatorSumSquares)),
    covariance: sampleCovariance(n, statistics.numeratorSum, statistics.denominatorSum, statistics.numeratorDenominatorSum),
  };
}

/** The per-unit delta-method variance of a ratio of means (multiply by 1/n for the estimate's variance). */
export function ratioUnitVariance(moments: RatioMoments): number {
  const { numeratorMean: m, denominatorMean: d } = moments;
  const variance = moments.numeratorVariance / d ** 2 - (2 * m * moments.covariance) / d ** 3 + (m ** 2 * moments.denominatorVariance) / d ** 4;
  return Math.max(0, variance);
}

/** The arm estimate of a ratio metric: sum of numerators over sum of denominators, delta-method variance. */
export function ratioArmEstimate(statistics: RatioStatistics): ArmEstimate | Degeneracy {
  if (statistics.n < 2) return 'too-few-units';
  if (statistics.denominatorSum === 0) return 'zero-denominator';
  const moments = ratioMoments(statistics);
  return { n: statistics.n, estimate: statistics.numeratorSum / statistics.denominatorSum, variance: ratioUnitVariance(moments) / statistics.n };
}
