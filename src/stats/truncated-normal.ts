/**
 * The standard normal distribution truncated to [a, b], in log space so that far tails stay finite. The
 * algorithms are scipy's `truncnorm` as Optuna 3.1 vendors them (`optuna/samplers/_tpe/_truncnorm.py`):
 * the log CDF by an asymptotic series below -20, the log mass of [a, b] worked out in the left tail, and
 * the inverse CDF by bisection on the log CDF.
 */
import { erf, erfc } from './erf.js';

const LOG_SQRT_2PI = Math.log(Math.sqrt(2 * Math.PI));

/** The standard normal CDF, from erfc in the tails so that neither tail loses its relative precision. */
export function normalCdf(z: number): number {
  const x = z / Math.SQRT2;
  if (x < -Math.SQRT1_2) return 0.5 * erfc(-x);
  if (x < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  return 1 - 0.5 * erfc(x);
}

/** log Phi(z), finite for any z (scipy's `log_ndtr`). */
export function logNormalCdf(z: number): number {
  if (z > 6) return -normalCdf(-z); // log(1 - p) ~ -p for tiny p
  if (z > -20) return Math.log(normalCdf(z));
  // Asymptotic expansion of log Phi(z) for z -> -infinity (Abramowitz and Stegun 26.2.12).
  const logLeft = -0.5 * z * z - Math.log(-z) - 0.5 * Math.log(2 * Math.PI);
  const inverseSquare = 1 / (z * z);
  let previous = 0;
  let total = 1;
  let numerator = 1;
  let denominator = 1;
  let sign = 1;
  for (let i = 1; Math.abs(previous - total) > Number.EPSILON; i++) {
    previous = total;
    sign = -sign;
    denominator *= inverseSquare;
    numerator *= 2 * i - 1;
    total += sign * numerator * denominator;
  }
  return logLeft + Math.log(total);
}

/** log(exp(p) + exp(q)) as numpy's `logaddexp`. */
export function logAddExp(p: number, q: number): number {
  if (p === q) return p + Math.LN2;
  const difference = p - q;
  return difference > 0 ? p + Math.log1p(Math.exp(-difference)) : q + Math.log1p(Math.exp(difference));
}

/** log(exp(p) - exp(q)) for p >= q. */
function logSubtractExp(p: number, q: number): number {
  return p + Math.log1p(-Math.exp(q - p));
}

/** log(Phi(b) - Phi(a)): the log probability of [a, b] under the standard normal. */
export function logNormalMass(a: number, b: number): number {
  // The right tail is computed as the mirrored left tail, where the CDF keeps its precision.
  if (b <= 0) return logSubtractExp(logNormalCdf(b), logNormalCdf(a));
  if (a > 0) return logSubtractExp(logNormalCdf(-a), logNormalCdf(-b));
  // Both tails are small: 1 - Phi(a) - Phi(-b) avoids cancellation near a mass of 1.
  return Math.log1p(-(0.5 + 0.5 * erf(a / Math.SQRT2)) - (0.5 + 0.5 * erf(-b / Math.SQRT2)));
}

/** The z with log Phi(z) = logP, by bisection on [-100, 100] (Optuna's `_ndtri_exp`: 100 halvings at most). */
export function inverseLogNormalCdf(logP: number): number {
  let low = -100;
  let high = 100;
  let middle = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    middle = (low + high) / 2;
    const previousLow = low;
    const previousHigh = high;
    if (logNormalCdf(middle) < logP) low = middle;
    else high = middle;
    // Once the bracket stops shrinking every later halving repeats this one.
    if (low === previousLow && high === previousHigh) break;
  }
  return middle;
}

/** The quantile q of the standard normal truncated to [a, b] (scipy's `truncnorm.ppf`). */
export function truncatedNormalQuantile(q: number, a: number, b: number): number {
  if (a === b) return NaN;
  if (q === 0) return a;
  if (q === 1) return b;
  const logMass = logNormalMass(a, b);
  // The tail is chosen by a's sign, as Optuna's ppf does; near the far end of a wide interval the
  // bisection on log Phi loses digits (a = -5e-324, b = 7.98, q near 1 gave 7.9916), so the result is
  // clamped into [a, b], where a quantile of the truncated law must lie.
  const x = a < 0 ? inverseLogNormalCdf(logAddExp(logNormalCdf(a), Math.log(q) + logMass)) : -inverseLogNormalCdf(logAddExp(logNormalCdf(-b), Math.log1p(-q) + logMass));
  return Math.min(b, Math.max(a, x));
}

/** The log density at x of a normal(mu, sigma) truncated to [low, high]. */
export function truncatedNormalLogDensity(x: number, mu: number, sigma: number, low: number, high: number): number {
  if (x < low || x > high) return -Infinity;
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logNormalMass((low - mu) / sigma, (high - mu) / sigma);
}

/** The standard normal log density: log phi(z). */
export function normalLogDensity(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}
