/**
 * One-sided sequential tests, for a metric expected to move one way and for guardrails (non-inferiority)
 * watched continuously: the bound on the tested side stays valid however often it is looked at.
 *
 * One-sided asymptotic confidence sequence (Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas 2023,
 * arXiv:2103.06476, the one-sided Gaussian-mixture boundary), as gbstats implements it
 * (`sequential_interval_halfwidth_one_sided`, SequentialOneSidedTreatmentGreaterTTest / LesserTTest): with
 * n units, per-unit variance s^2 = n Var(effect) and k = n rho^2 + 1,
 *   half-width = sqrt(s^2 * 2 k / (n rho)^2 * ln(1 + sqrt(k) / (2 alpha))),
 * and rho chosen as for the two-sided sequence at level 2 alpha. gbstats finds the p-value (the smallest
 * alpha whose bound excludes the null value) by bisection with rho held fixed; solving the same equation
 * for alpha gives it in closed form: with L = (estimate - null)^2 / (s^2 2 k / (n rho)^2),
 *   p = sqrt(k) / (2 (e^L - 1)) on the tested side of the null value, and 1 on the other.
 *
 * One-sided mixture SPRT (Robbins 1970, "Statistical methods related to the law of the iterated logarithm";
 * Johari, Koomen, Pekelis and Walsh 2017, "Peeking at A/B Tests", section 4, with the mixture restricted to
 * the alternative): mixing the likelihood ratio of effect theta against the null over a half-normal
 * theta ~ |N(0, tau^2)| on the tested side gives, with V = Var(effect) and z = estimate - null signed
 * towards the alternative,
 *   Lambda = 2 sqrt(V / (V + tau^2)) exp(tau^2 z^2 / (2 V (V + tau^2))) Phi(z tau / sqrt(V (V + tau^2))).
 * Each ratio in the mixture is a martingale at the null and a supermartingale for effects on the other side
 * of it, so by Ville's inequality P(sup Lambda >= 1/alpha) <= alpha for the whole one-sided null; the
 * always-valid p-value is the running minimum of min(1, 1 / Lambda), and the bound is its inversion.
 */
import { normalCdf } from '../stats/distributions.js';
import type { Effect } from './effect.js';
import type { Interval } from './hypothesis-test.js';
import { DEFAULT_TUNING_PARAMETER, sequentialRho } from './sequential.js';

/** The tested side: treatment greater than the null value, or less. */
export type OneSidedAlternative = 'greater' | 'less';

export interface OneSidedSequentialResult {
  method: 'confidence-sequence' | 'mixture-sprt';
  alternative: OneSidedAlternative;
  nullValue: number;
  /** [bound, Infinity] for 'greater', [-Infinity, bound] for 'less'. */
  interval: Interval;
  /** Always valid against H0: effect <= nullValue ('greater') or effect >= nullValue ('less'). */
  pValue: number;
}

/** How far the estimate lies from the null value towards the alternative (negative when on the null side). */
function towardsAlternative(effect: Effect, alternative: OneSidedAlternative, nullValue: number): number {
  return alternative === 'greater' ? effect.estimate - nullValue : nullValue - effect.estimate;
}

function oneSidedInterval(effect: Effect, alternative: OneSidedAlternative, halfWidth: number): Interval {
  return alternative === 'greater' ? [effect.estimate - halfWidth, Infinity] : [-Infinity, effect.estimate + halfWidth];
}

/** The one-sided asymptotic confidence sequence of an effect measured on `units` units (both arms). */
export function oneSidedConfidenceSequence(
  effect: Effect,
  units: number,
  alpha: number,
  alternative: OneSidedAlternative,
  options: { tuningParameter?: number; nullValue?: number } = {},
): OneSidedSequentialResult {
  const nullValue = options.nullValue ?? 0;
  const rho = sequentialRho(2 * alpha, options.tuningParameter ?? DEFAULT_TUNING_PARAMETER);
  const perUnitVariance = effect.standardError ** 2 * units;
  const spread = units * rho * rho + 1;
  const scale = (perUnitVariance * 2 * spread) / (units * rho) ** 2;
  const halfWidth = Math.sqrt(scale * Math.log(1 + Math.sqrt(spread) / (2 * alpha)));
  const distance = towardsAlternative(effect, alternative, nullValue);
  const pValue = distance <= 0 ? 1 : Math.min(1, Math.sqrt(spread) / (2 * Math.expm1((distance * distance) / scale)));
  return { method: 'confidence-sequence', alternative, nullValue, interval: oneSidedInterval(effect, alternative, halfWidth), pValue };
}

/** log Lambda of the one-sided mixture at a signed distance z from the null. */
function logMixtureRatio(distance: number, variance: number, mixtureVariance: number): number {
  const total = variance + mixtureVariance;
  return (
    Math.log(2) +
    0.5 * Math.log(variance / total) +
    (mixtureVariance * distance * distance) / (2 * variance * total) +
    Math.log(normalCdf((distance * Math.sqrt(mixtureVariance)) / Math.sqrt(variance * total)))
  );
}

/** The one-sided mixture SPRT at one look, with mixture scale tau on the effect's scale. */
export function oneSidedMixtureSprt(
  effect: Effect,
  mixtureStandardDeviation: number,
  alpha: number,
  alternative: OneSidedAlternative,
  nullValue = 0,
): OneSidedSequentialResult {
  const variance = effect.standardError ** 2;
  const mixtureVariance = mixtureStandardDeviation ** 2;
  const distance = towardsAlternative(effect, alternative, nullValue);
  const pValue = Math.min(1, Math.exp(-logMixtureRatio(distance, variance, mixtureVariance)));
  // The bound: the null value d at which Lambda(estimate - d) = 1 / alpha; Lambda grows with the distance.
  const target = -Math.log(alpha);
  let low = 0;
  let high = effect.standardError;
  while (logMixtureRatio(high, variance, mixtureVariance) < target) high *= 2;
  for (let iteration = 0; iteration < 200 && high - low > 1e-12 * high; iteration += 1) {
    const middle = (low + high) / 2;
    if (logMixtureRatio(middle, variance, mixtureVariance) < target) low = middle;
    else high = middle;
  }
  return { method: 'mixture-sprt', alternative, nullValue, interval: oneSidedInterval(effect, alternative, (low + high) / 2), pValue };
}
