/**
 * Sequential tests that stay valid however often the results are looked at.
 *
 * Asymptotic confidence sequences (Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas 2023, "Time-uniform
 * central limit theory and asymptotic confidence sequences", arXiv:2103.06476, eq. 9), as gbstats implements
 * them (`sequential_rho`, `sequential_interval_halfwidth`, SequentialTwoSidedTTest): with n the units of both
 * arms and s^2 = n Var(effect) the per-unit variance, the half-width is
 *   sqrt(s^2) sqrt(2 (n rho^2 + 1) ln(sqrt(n rho^2 + 1) / alpha) / (n rho)^2),
 * where rho = sqrt((-2 ln alpha + ln(-2 ln alpha + 1)) / N) makes the sequence tightest near N units
 * (the tuning parameter, 5,000 by default as in GrowthBook). The matching always-valid p-value is the
 * reciprocal of the mixture e-value (eq. 155).
 *
 * The mixture sequential probability ratio test (Johari, Koomen, Pekelis and Walsh 2017, "Peeking at A/B
 * Tests", section 4): with a normal mixture N(0, tau^2) over the effect and V = Var(effect),
 *   Lambda = sqrt(V / (V + tau^2)) exp(tau^2 estimate^2 / (2 V (V + tau^2))),
 * and the always-valid p-value is the running minimum over looks of min(1, 1 / Lambda). The confidence
 * sequence above is the same statistic with tau^2 = rho^2 s^2, that is with a mixture scaled to the data.
 */
import type { Effect } from './effect.js';
import type { Interval } from './hypothesis-test.js';

/** GrowthBook's default tuning parameter: the sequence is narrowest around this many units. */
export const DEFAULT_TUNING_PARAMETER = 5000;

/** The mixing parameter rho for a two-sided sequence (eq. 161 of Waudby-Smith et al.). */
export function sequentialRho(alpha: number, tuningParameter: number): number {
  const logAlpha = Math.log(alpha);
  return Math.sqrt((-2 * logAlpha + Math.log(-2 * logAlpha + 1)) / tuningParameter);
}

export interface ConfidenceSequenceResult {
  method: 'confidence-sequence';
  tuningParameter: number;
  interval: Interval;
  /** Always valid: the probability that it ever falls below alpha under the null is at most alpha. */
  pValue: number;
}

/** The two-sided asymptotic confidence sequence of an effect measured on `units` units (both arms together). */
export function confidenceSequence(effect: Effect, units: number, alpha: number, tuningParameter = DEFAULT_TUNING_PARAMETER): ConfidenceSequenceResult {
  const rho = sequentialRho(alpha, tuningParameter);
  const variance = effect.standardError ** 2;
  const perUnitVariance = variance * units;
  const spread = units * rho * rho + 1;
  const halfWidth = Math.sqrt(perUnitVariance) * Math.sqrt((2 * spread * Math.log(Math.sqrt(spread) / alpha)) / (units * rho) ** 2);
  const logEValue = (rho * rho * ((effect.estimate ** 2 * units) / variance)) / (2 * spread) - 0.5 * Math.log(spread);
  return { method: 'confidence-sequence', tuningParameter, interval: [effect.estimate - halfWidth, effect.estimate + halfWidth], pValue: Math.min(1, Math.exp(-logEValue)) };
}

export interface MixtureSprtResult {
  method: 'mixture-sprt';
  mixtureStandardDeviation: number;
  /** The effects not rejected at level alpha: the inversion of the test, a confidence sequence itself. */
  interval: Interval;
  /** min(1, 1 / Lambda) at this look; take the running minimum over looks (`alwaysValidPValues`). */
  pValue: number;
}

/** The mixture SPRT of an effect at one look, with mixture standard deviation tau on the effect's scale. */
export function mixtureSprt(effect: Effect, mixtureStandardDeviation: number, alpha = 0.05): MixtureSprtResult {
  const variance = effect.standardError ** 2;
  const mixtureVariance = mixtureStandardDeviation ** 2;
  const logLambda = 0.5 * Math.log(variance / (variance + mixtureVariance)) + (mixtureVariance * effect.estimate ** 2) / (2 * variance * (variance + mixtureVariance));
  // 1 / Lambda(estimate - d) >= alpha  <=>  (estimate - d)^2 <= 2 V (V + tau^2) / tau^2 ln(sqrt((V + tau^2) / V) / alpha).
  const halfWidth = Math.sqrt(((2 * variance * (variance + mixtureVariance)) / mixtureVariance) * Math.log(Math.sqrt((variance + mixtureVariance) / variance) / alpha));
  return {
    method: 'mixture-sprt',
    mixtureStandardDeviation,
    interval: [effect.estimate - halfWidth, effect.estimate + halfWidth],
    pValue: Math.min(1, Math.exp(-logLambda)),
  };
}

/** The always-valid p-values of a series of looks: the running minimum of each look's p-value. */
export function alwaysValidPValues(pValuesPerLook: readonly number[]): number[] {
  let running = 1;
  return pValuesPerLook.map((pValue) => (running = Math.min(running, pValue)));
}
