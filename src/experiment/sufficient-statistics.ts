/**
 * Sufficient statistics of one metric in one arm (or segment of an arm): what a SQL engine aggregates
 * after summing each unit's events, so that no test ever needs the rows themselves. Deng, Knoblich and Lu
 * (2018, "Applying the Delta Method in Metric Analytics") and Kohavi, Tang and Xu (2020, ch. 18) describe
 * why the unit of aggregation must be the unit of randomisation.
 */

/** n units, the sum of their values and the sum of their squared values. */
export interface MeanStatistics {
  n: number;
  sum: number;
  sumSquares: number;
}

/** A ratio metric (e.g. clicks per session): sums of a numerator and a denominator per unit, and their cross-product. */
export interface RatioStatistics {
  n: number;
  numeratorSum: number;
  numeratorSumSquares: number;
  denominatorSum: number;
  denominatorSumSquares: number;
  /** Sum over units of numerator x denominator. */
  numeratorDenominatorSum: number;
}

/** A pre-period covariate of a mean metric, for CUPED: its sums and its cross-product with the metric. */
export interface CovariateStatistics {
  sum: number;
  sumSquares: number;
  /** Sum over units of metric x covariate. */
  metricCovariateSum: number;
}

/** The pre-period covariate of a ratio metric: the pre-period numerator and denominator and every cross-product with the post period. */
export interface RatioCovariateStatistics {
  numeratorSum: number;
  numeratorSumSquares: number;
  denominatorSum: number;
  denominatorSumSquares: number;
  /** pre numerator x pre denominator. */
  numeratorDenominatorSum: number;
  /** post numerator x pre numerator. */
  postNumeratorNumeratorSum: number;
  /** post numerator x pre denominator. */
  postNumeratorDenominatorSum: number;
  /** post denominator x pre numerator. */
  postDenominatorNumeratorSum: number;
  /** post denominator x pre denominator. */
  postDenominatorDenominatorSum: number;
}

/** The sample mean; 0 for no units (the caller reports the degeneracy). */
export function sampleMean(statistics: MeanStatistics): number {
  return statistics.n === 0 ? 0 : statistics.sum / statistics.n;
}

/** The unbiased sample variance (n - 1 in the denominator), clamped at 0 against rounding; 0 below two units. */
export function sampleVariance(statistics: MeanStatistics): number {
  return Math.max(sampleCovariance(statistics.n, statistics.sum, statistics.sum, statistics.sumSquares), 0);
}

/** The unbiased sample covariance of two per-unit quantities from their sums and the sum of their products. */
export function sampleCovariance(n: number, sumX: number, sumY: number, sumXY: number): number {
  if (n < 2) return 0;
  return (sumXY - (sumX * sumY) / n) / (n - 1);
}

/** Sufficient statistics of the union of two disjoint groups of units (sums add; associative and commutative). */
export function mergeMeanStatistics(first: MeanStatistics, second: MeanStatistics): MeanStatistics {
  return { n: first.n + second.n, sum: first.sum + second.sum, sumSquares: first.sumSquares + second.sumSquares };
}

/** The statistics of a proportion (a 0/1 outcome per unit): the sum of squares equals the sum. */
export function proportionStatistics(n: number, successes: number): MeanStatistics {
  return { n, sum: successes, sumSquares: successes };
}
