/**
 * The Bayesian view of an effect: a Gaussian model on the (absolute or relative) lift, as in gbstats'
 * effect-level Bayesian test (`gbstats/bayesian/tests.py`, EffectBayesianABTest). The likelihood is the
 * effect estimate's normal approximation N(lift, se^2); with a proper prior N(m0, v0) the posterior is the
 * conjugate update (precision 1/v0 + 1/se^2), without one it is N(estimate, se^2). Chance to beat control
 * and the expected losses are closed forms of the normal distribution: for X ~ N(mu, s^2),
 * E[max(X, 0)] = s phi(mu/s) + mu Phi(mu/s).
 */
import { normalCdf, normalDensity, normalQuantile } from '../stats/distributions.js';
import type { Interval } from './hypothesis-test.js';

/** A proper normal prior on the lift, on the same scale as the effect. */
export interface GaussianPrior {
  mean: number;
  variance: number;
}

export interface BayesianResult {
  posteriorMean: number;
  posteriorStandardDeviation: number;
  /** P(lift > 0): the chance that treatment beats control (for a metric where higher is better). */
  chanceToBeatControl: number;
  /** E[max(-lift, 0)]: what shipping the treatment loses on average if it is worse (the "risk"). */
  expectedLossOfShipping: number;
  /** E[max(lift, 0)]: what keeping the control loses on average if the treatment is better. */
  expectedLossOfKeepingControl: number;
  /** The equal-tailed credible interval with probability 1 - alpha. */
  credibleInterval: Interval;
}

/** The posterior of the lift given its estimate and standard error; `prior` null for a flat prior. */
export function bayesianLift(estimate: number, standardError: number, prior: GaussianPrior | null, alpha: number): BayesianResult {
  let mean = estimate;
  let variance = standardError * standardError;
  if (prior !== null && prior.variance > 0) {
    const precision = 1 / prior.variance + 1 / variance;
    mean = (prior.mean / prior.variance + estimate / variance) / precision;
    variance = 1 / precision;
  }
  const deviation = Math.sqrt(variance);
  const standardised = mean / deviation;
  const density = deviation * normalDensity(standardised);
  const z = normalQuantile(1 - alpha / 2);
  return {
    posteriorMean: mean,
    posteriorStandardDeviation: deviation,
    chanceToBeatControl: normalCdf(standardised),
    expectedLossOfShipping: density - mean * normalCdf(-standardised),
    expectedLossOfKeepingControl: density + mean * normalCdf(standardised),
    credibleInterval: [mean - z * deviation, mean + z * deviation],
  };
}
