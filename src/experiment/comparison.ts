/**
 * Comparisons of a treatment arm with the control arm: Welch's t-test for means, ratios and CUPED-adjusted
 * estimates, and the two-proportion z-test for conversion rates.
 */
import { DEGENERACY_MESSAGES, type ArmEstimate, type Degeneracy } from './arm-estimate.js';
import { cupedRelativeEffect } from './cuped-relative.js';
import type { CupedAdjustment } from './cuped.js';
import { estimateEffect, welchSatterthwaiteDegreesOfFreedom, type Effect, type EffectScale } from './effect.js';
import { testEffect, type Alternative, type Interval } from './hypothesis-test.js';

export interface ComparisonOptions {
  scale: EffectScale;
  alternative: Alternative;
  alpha: number;
}

/** A comparison that could be computed. */
export interface Comparison {
  degeneracy: null;
  method: 'welch-t' | 'two-proportion-z' | 'quantile-z';
  control: ArmEstimate;
  treatment: ArmEstimate;
  effect: Effect;
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  interval: Interval;
}

/** A comparison that could not be computed, and why. */
export interface DegenerateComparison {
  degeneracy: Degeneracy;
  message: string;
}

export type ComparisonResult = Comparison | DegenerateComparison;

/** Turns a degeneracy into a result. */
export function degenerate(degeneracy: Degeneracy): DegenerateComparison {
  return { degeneracy, message: DEGENERACY_MESSAGES[degeneracy] };
}

/**
 * Welch's unequal-variances t-test (Welch 1947) with Welch-Satterthwaite degrees of freedom, on any pair of
 * arm estimates; for a relative effect the delta-method standard error is used with the same degrees of
 * freedom, as gbstats does (`gbstats/frequentist/tests.py`, TwoSidedTTest).
 */
export function welchTest(control: ArmEstimate | Degeneracy, treatment: ArmEstimate | Degeneracy, options: ComparisonOptions): ComparisonResult {
  if (typeof control === 'string') return degenerate(control);
  if (typeof treatment === 'string') return degenerate(treatment);
  const effect = estimateEffect(control, treatment, options.scale);
  if (typeof effect === 'string') return degenerate(effect);
  const degreesOfFreedom = welchSatterthwaiteDegreesOfFreedom(control, treatment);
  const test = testEffect(effect, { alternative: options.alternative, alpha: options.alpha, degreesOfFreedom });
  return { degeneracy: null, method: 'welch-t', control, treatment, effect, ...test };
}

/**
 * Welch's t-test on CUPED-adjusted arms, as gbstats' TwoSidedTTest on RegressionAdjustedStatistic (or
 * RegressionAdjustedRatioStatistic): the degrees of freedom come from the adjusted arms' variances; an
 * absolute effect is the adjusted difference, a relative effect the adjusted difference over the UNADJUSTED
 * control mean with gbstats' variance (cuped-relative.ts).
 */
export function cupedWelchTest(adjustment: CupedAdjustment, controlIndex: number, treatmentIndex: number, options: ComparisonOptions): ComparisonResult {
  const control = adjustment.adjusted[controlIndex] ?? 'too-few-units';
  const treatment = adjustment.adjusted[treatmentIndex] ?? 'too-few-units';
  if (options.scale === 'absolute') return welchTest(control, treatment, options);
  if (typeof control === 'string') return degenerate(control);
  if (typeof treatment === 'string') return degenerate(treatment);
  const effect = cupedRelativeEffect(adjustment, controlIndex, treatmentIndex);
  if (typeof effect === 'string') return degenerate(effect);
  const degreesOfFreedom = welchSatterthwaiteDegreesOfFreedom(control, treatment);
  const test = testEffect(effect, { alternative: options.alternative, alpha: options.alpha, degreesOfFreedom });
  return { degeneracy: null, method: 'welch-t', control, treatment, effect, ...test };
}

/**
 * The difference of quantiles (quantile-metric.ts): a z-test, since the quantile's standard error comes
 * from an order-statistic band rather than from a sample variance with degrees of freedom.
 */
export function quantileTest(control: ArmEstimate | Degeneracy, treatment: ArmEstimate | Degeneracy, options: ComparisonOptions): ComparisonResult {
  if (typeof control === 'string') return degenerate(control);
  if (typeof treatment === 'string') return degenerate(treatment);
  const effect = estimateEffect(control, treatment, options.scale);
  if (typeof effect === 'string') return degenerate(effect);
  const test = testEffect(effect, { alternative: options.alternative, alpha: options.alpha, degreesOfFreedom: Infinity });
  return { degeneracy: null, method: 'quantile-z', control, treatment, effect, ...test };
}

/** Successes out of units in one arm. */
export interface ProportionCounts {
  n: number;
  successes: number;
}

/**
 * The two-proportion z-test with the unpooled (Wald) standard error sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2),
 * used for both the p-value and the interval, on the absolute scale (statsmodels' `test_proportions_2indep`
 * and `confint_proportions_2indep`, method "wald") and on the relative scale (delta method), so the interval
 * excludes the null exactly when p < alpha. The standard errors are gbstats' (ProportionStatistic's
 * p (1 - p) unit variance, `frequentist_variance`), but gbstats refers them to Student's t with
 * Welch-Satterthwaite degrees of freedom where this test uses the normal; the p-values then differ by a
 * relative amount that shrinks like 1 / n and grows with |z| (gbstats-reference.test.ts prints it). With a
 * pre-period covariate a proportion is analysed as gbstats does instead (cupedWelchTest on cupedForMeans with
 * `proportion: true`).
 */
export function twoProportionTest(control: ProportionCounts, treatment: ProportionCounts, options: ComparisonOptions): ComparisonResult {
  if (control.n < 2 || treatment.n < 2) return degenerate('too-few-units');
  const controlArm = proportionArm(control);
  const treatmentArm = proportionArm(treatment);
  const effect = estimateEffect(controlArm, treatmentArm, options.scale);
  if (typeof effect === 'string') return degenerate(effect);
  const test = testEffect(effect, { alternative: options.alternative, alpha: options.alpha, degreesOfFreedom: Infinity });
  return { degeneracy: null, method: 'two-proportion-z', control: controlArm, treatment: treatmentArm, effect, ...test };
}

function proportionArm(counts: ProportionCounts): ArmEstimate {
  const rate = counts.successes / counts.n;
  return { n: counts.n, estimate: rate, variance: (rate * (1 - rate)) / counts.n };
}
