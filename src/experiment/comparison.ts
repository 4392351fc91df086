/**
 * Comparisons of a treatment arm with the control arm: Welch's t-test for means, ratios and CUPED-adjusted
 * estimates, and for conversion rates on their unpooled variances, as gbstats.
 */
import { DEGENERACY_MESSAGES, type ArmEstimate, type Degeneracy } from './arm-estimate.js';
import { cupedRelativeEffect } from './cuped-relative.js';
import type { CupedAdjustment } from './cuped.js';
import { estimateEffect, welchSatterthwaiteDegreesOfFreedom, type Effect, type EffectScale } from './effect.js';
import { testEffect, type Alternative, type Interval } from './hypothesis-test.js';
import { pooledScoreTest, type ProportionCounts } from './proportion-score.js';

export interface ComparisonOptions {
  scale: EffectScale;
  alternative: Alternative;
  alpha: number;
}

/** A comparison that could be computed. */
export interface Comparison {
  degeneracy: null;
  method: 'welch-t' | 'two-proportion-t' | 'pooled-z' | 'quantile-z';
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

export type { ProportionCounts } from './proportion-score.js';

/**
 * Two proportions compared as gbstats compares them: each arm's rate with its unpooled variance p (1 - p) / n
 * (ProportionStatistic), the effect's standard error on either scale from those (the delta method on the
 * relative scale), and Student's t with Welch-Satterthwaite degrees of freedom for both the p-value and the
 * interval (gbstats' TwoSidedTTest). Because the p-value and the interval come from one standard error and
 * one distribution, the interval excludes the null exactly when p < alpha, on both scales. (Until this
 * change the absolute p-value came from the pooled z-test, statsmodels' `proportions_ztest`, while the
 * interval used the unpooled error, and the two could contradict each other: control 106/2000 against
 * treatment 16/500 had an interval excluding 0 with p = 0.0512.) With a pre-period covariate a proportion is
 * analysed by cupedWelchTest on cupedForMeans with `proportion: true`, gbstats' way too.
 */
export function twoProportionTest(control: ProportionCounts, treatment: ProportionCounts, options: ComparisonOptions): ComparisonResult {
  if (control.n < 2 || treatment.n < 2) return degenerate('too-few-units');
  const controlArm = proportionArm(control);
  const treatmentArm = proportionArm(treatment);
  const effect = estimateEffect(controlArm, treatmentArm, options.scale);
  if (typeof effect === 'string') return degenerate(effect);
  const degreesOfFreedom = welchSatterthwaiteDegreesOfFreedom(controlArm, treatmentArm);
  const test = testEffect(effect, { alternative: options.alternative, alpha: options.alpha, degreesOfFreedom });
  return { degeneracy: null, method: 'two-proportion-t', control: controlArm, treatment: treatmentArm, effect, ...test };
}

/**
 * The named alternative for proportions, `proportionTest: pooled-z`: statsmodels' pooled z-test
 * (`proportions_ztest`) for the p-value and the score interval that inverts the same test
 * (proportion-score.ts), so the two never disagree. The effect's estimate and its unpooled standard error
 * are reported as for the default test.
 */
export function pooledProportionTest(control: ProportionCounts, treatment: ProportionCounts, options: ComparisonOptions): ComparisonResult {
  if (control.n < 2 || treatment.n < 2) return degenerate('too-few-units');
  const controlArm = proportionArm(control);
  const treatmentArm = proportionArm(treatment);
  const effect = estimateEffect(controlArm, treatmentArm, options.scale);
  if (typeof effect === 'string') return degenerate(effect);
  const test = pooledScoreTest(control, treatment, options);
  if (test === null) return degenerate('zero-variance');
  return { degeneracy: null, method: 'pooled-z', control: controlArm, treatment: treatmentArm, effect, degreesOfFreedom: Infinity, ...test };
}

function proportionArm(counts: ProportionCounts): ArmEstimate {
  const rate = counts.successes / counts.n;
  return { n: counts.n, estimate: rate, variance: (rate * (1 - rate)) / counts.n };
}
