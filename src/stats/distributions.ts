/**
 * The distribution functions the statistics engine needs, from stdlib (`@stdlib/stats-base-dists-*`),
 * whose algorithms follow Boost.Math and agree with scipy.stats to about 1e-15 relative. Upper tails are
 * computed directly (not as 1 - cdf) so that small p-values keep their relative precision.
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import chiSquareQuantileStdlib from '@stdlib/stats-base-dists-chisquare-quantile';
import normalCdfStdlib from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import studentTCdfStdlib from '@stdlib/stats-base-dists-t-cdf';
import studentTQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';

/** Standard normal cumulative distribution function, P(Z <= x). */
export function normalCdf(x: number): number {
  return normalCdfStdlib(x, 0, 1);
}

/** Standard normal upper tail, P(Z > x). */
export function normalSurvival(x: number): number {
  return normalCdfStdlib(-x, 0, 1);
}

/** Standard normal density. */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Standard normal quantile: the x with P(Z <= x) = p. */
export function normalQuantile(p: number): number {
  return normalQuantileStdlib(p, 0, 1);
}

/** Student's t cumulative distribution function with `degreesOfFreedom` (any positive real). */
export function studentTCdf(x: number, degreesOfFreedom: number): number {
  return degreesOfFreedom === Infinity ? normalCdf(x) : studentTCdfStdlib(x, degreesOfFreedom);
}

/** Student's t upper tail, P(T > x). */
export function studentTSurvival(x: number, degreesOfFreedom: number): number {
  return studentTCdf(-x, degreesOfFreedom);
}

/** Student's t quantile. */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  return degreesOfFreedom === Infinity ? normalQuantile(p) : studentTQuantileStdlib(p, degreesOfFreedom);
}

/** Chi-square upper tail P(X > x): the regularised upper incomplete gamma function Q(k/2, x/2). */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, degreesOfFreedom / 2, true, true);
}

/** Chi-square quantile. */
export function chiSquareQuantile(p: number, degreesOfFreedom: number): number {
  return chiSquareQuantileStdlib(p, degreesOfFreedom);
}
