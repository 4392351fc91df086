/**
 * The effect of a treatment on a metric, absolute (treatment - control) or relative (treatment / control - 1),
 * with its standard error. The relative effect's variance comes from the delta method (Kohavi, Tang and Xu
 * 2020, ch. 18; Deng, Knoblich and Lu 2018, eq. 3): for R = B / A with independent arms,
 * Var(R) ~ Var(B) / A^2 + B^2 Var(A) / A^4, the same approximation gbstats uses.
 */
import type { ArmEstimate, Degeneracy } from './arm-estimate.js';

export type EffectScale = 'absolute' | 'relative';

export interface Effect {
  scale: EffectScale;
  /** The point estimate of the effect on its scale. */
  estimate: number;
  standardError: number;
}

/** The effect of `treatment` against `control` on a scale, or why it cannot be computed. */
export function estimateEffect(control: ArmEstimate, treatment: ArmEstimate, scale: EffectScale): Effect | Degeneracy {
  if (control.variance <= 0 && treatment.variance <= 0) return 'zero-variance';
  if (scale === 'absolute') {
    return { scale, estimate: treatment.estimate - control.estimate, standardError: Math.sqrt(control.variance + treatment.variance) };
  }
  if (control.estimate === 0) return 'zero-control-mean';
  const controlSquared = control.estimate * control.estimate;
  const variance = treatment.variance / controlSquared + (treatment.estimate * treatment.estimate * control.variance) / (controlSquared * controlSquared);
  const estimate = treatment.estimate / control.estimate - 1;
  // A control mean that is zero to within rounding overflows the ratio.
  if (!Number.isFinite(estimate) || !Number.isFinite(variance)) return 'zero-control-mean';
  return { scale, estimate, standardError: Math.sqrt(variance) };
}

/**
 * Welch-Satterthwaite degrees of freedom for the difference of two estimates with variances v1, v2 from n1,
 * n2 units: (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1)) (Welch 1947). Infinite when both variances
 * vanish, which callers have ruled out.
 */
export function welchSatterthwaiteDegreesOfFreedom(control: ArmEstimate, treatment: ArmEstimate): number {
  const numerator = (control.variance + treatment.variance) ** 2;
  const denominator = control.variance ** 2 / (control.n - 1) + treatment.variance ** 2 / (treatment.n - 1);
  return denominator === 0 ? Infinity : numerator / denominator;
}
