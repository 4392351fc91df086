/**
 * Quantile metrics (p50 or p90 of order value, latency per user): the difference of a quantile between arms,
 * without a bootstrap. Each arm gives its sample quantile and two order statistics around it; their spread
 * is the distribution-free confidence interval of the quantile (the ranks n q -+ z sqrt(n q (1 - q)) of the
 * binomial count below the true quantile; Conover 1999, "Practical Nonparametric Statistics", section 3.2),
 * and dividing its width by 2 z turns it into a standard error. This is the "outer CI" method GrowthBook's
 * gbstats uses for quantile tests (QuantileStatistic.variance_init, growthbook/growthbook pull request 2223;
 * Statsig's percentile metrics describe the same) and needs no density estimate: asymptotically the width
 * is 2 z sqrt(q (1 - q) / n) / f(x_q), the Bahadur variance of the sample quantile. Arms are independent, so
 * the variance of the difference is the sum; the relative effect takes the delta method like any other.
 *
 * Conventions (so that a warehouse can compute the same numbers): values are one per unit; the estimate is
 * the order statistic of rank ceil(n q) (the inverse of the empirical distribution function, numpy's
 * "inverted_cdf", DuckDB's quantile_disc); the band's ranks are floor(n q - z s) and ceil(n q + z s), with
 * s = sqrt(n q (1 - q)) and z = 1.959964, clamped to [1, n]. The 95% band only measures spread: the test's
 * own alpha applies to the comparison.
 */
import type { ArmEstimate, Degeneracy } from './arm-estimate.js';

/** z of the band whose width gives the standard error (the 97.5% normal quantile). */
export const QUANTILE_BAND_Z = 1.959963984540054;

/** One arm's quantile: units, the sample quantile and the order statistics at the band's ranks. */
export interface QuantileStatistics {
  n: number;
  estimate: number;
  lower: number;
  upper: number;
}

/** The 1-based ranks of the estimate and of the band's lower and upper order statistics among n sorted values. */
export function quantileRanks(n: number, quantile: number): { rank: number; lowerRank: number; upperRank: number } {
  const centre = n * quantile;
  const spread = QUANTILE_BAND_Z * Math.sqrt(n * quantile * (1 - quantile));
  const clamp = (rank: number): number => Math.min(n, Math.max(1, rank));
  return { rank: clamp(Math.ceil(centre)), lowerRank: clamp(Math.floor(centre - spread)), upperRank: clamp(Math.ceil(centre + spread)) };
}

/** The arm estimate of a quantile: the sample quantile, with variance ((upper - lower) / (2 z))^2. */
export function quantileArmEstimate(statistics: QuantileStatistics): ArmEstimate | Degeneracy {
  if (statistics.n < 2) return 'too-few-units';
  const standardError = (statistics.upper - statistics.lower) / (2 * QUANTILE_BAND_Z);
  return { n: statistics.n, estimate: statistics.estimate, variance: standardError * standardError };
}

/** The statistics of one arm from its values (for tests and for data small enough to hold). */
export function quantileStatisticsOf(values: readonly number[], quantile: number): QuantileStatistics {
  const sorted = [...values].sort((a, b) => a - b);
  const { rank, lowerRank, upperRank } = quantileRanks(sorted.length, quantile);
  return { n: sorted.length, estimate: sorted[rank - 1] ?? NaN, lower: sorted[lowerRank - 1] ?? NaN, upper: sorted[upperRank - 1] ?? NaN };
}
