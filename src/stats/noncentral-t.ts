/**
 * The noncentral t distribution function, by Lenth's algorithm AS 243 (1989, "Cumulative distribution
 * function of the non-central t distribution", Applied Statistics 38: 185-189): a series in regularised
 * incomplete beta functions with Poisson weights, summed until the remainder bound is below 1e-14. Used
 * for the power of the t-test, where statsmodels' TTestIndPower uses scipy.stats.nct.
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammaln from '@stdlib/math-base-special-gammaln';
import { normalCdf } from './distributions.js';

const MAX_ITERATIONS = 10_000;
const MAX_ERROR = 1e-14;
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** P(T <= t) for T noncentral t with `degreesOfFreedom` and noncentrality `noncentrality`. */
export function noncentralTCdf(t: number, degreesOfFreedom: number, noncentrality: number): number {
  const negative = t < 0;
  const tt = negative ? -t : t;
  const delta = negative ? -noncentrality : noncentrality;
  let result = 0;
  if (tt > 0) {
    const x = (tt * tt) / (tt * tt + degreesOfFreedom);
    const lambda = delta * delta;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = Math.sqrt(2 / Math.PI) * p * delta;
    let s = 0.5 - p;
    let a = 0.5;
    const b = 0.5 * degreesOfFreedom;
    const rxb = (1 - x) ** b;
    const logBeta = LOG_SQRT_PI + gammaln(b) - gammaln(0.5 + b);
    let xOdd = betainc(x, a, b);
    let gOdd = 2 * rxb * Math.exp(a * Math.log(x) - logBeta);
    let xEven = 1 - rxb;
    let gEven = b * x * rxb;
    result = p * xOdd + q * xEven;
    for (let term = 1; term <= MAX_ITERATIONS; term += 1) {
      a += 1;
      xOdd -= gOdd;
      xEven -= gEven;
      gOdd *= (x * (a + b - 1)) / a;
      gEven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * term);
      q *= lambda / (2 * term + 1);
      s -= p;
      result += p * xOdd + q * xEven;
      if (2 * s * (xOdd - gOdd) <= MAX_ERROR) break;
    }
  }
  result += normalCdf(-delta);
  return negative ? 1 - result : result;
}

/** P(T > t) for the noncentral t. */
export function noncentralTSurvival(t: number, degreesOfFreedom: number, noncentrality: number): number {
  return noncentralTCdf(-t, degreesOfFreedom, -noncentrality);
}
