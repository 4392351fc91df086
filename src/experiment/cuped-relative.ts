/**
 * The relative effect of CUPED-adjusted arms, as gbstats computes it (packages/stats/gbstats/frequentist/tests.py
 * and models/tests.py: `frequentist_diff` with `mean_a_unadjusted`, `frequentist_variance_relative_cuped` and
 * `frequentist_variance_relative_cuped_ratio`):
 *
 *   relative effect = (adjusted treatment - adjusted control) / UNADJUSTED control mean,
 *
 * i.e. the CUPED-adjusted difference expressed as a share of the control's observed level. Dividing by the
 * observed control mean (not by the adjusted one) keeps the denominator free of theta and of the covariate's
 * centring, so the lift reads the same as without CUPED; only its noise shrinks. Its variance is the delta
 * method over every per-unit quantity involved (metric and covariate means of both arms), which gbstats
 * writes out in closed form:
 *
 * - means and proportions, with U the control's unadjusted mean and V_b the treatment's adjusted unit variance,
 *     Var = V_b / (n_b U^2) + (s_a^2 ybar_b^2 / U^2 - 2 theta c_a ybar_b / U + theta^2 s_x,a^2) / (n_a U^2),
 *   where gbstats takes the control's gradient at the treatment's unadjusted mean ybar_b (a first-order
 *   simplification: under randomisation the covariate means of the arms differ by O(1 / sqrt(n)));
 * - ratios: the gradient of (adjusted ratio_b - adjusted ratio_a) / (m_a / d_a) with respect to (m, d, m_pre,
 *   d_pre) of each arm, applied to that arm's 4 x 4 unit covariance.
 *
 * Effects on the absolute scale need none of this: the adjusted arms' difference and summed variances
 * (effect.ts) are already gbstats' `frequentist_diff` / `frequentist_variance`.
 */
import type { ArmEstimate, Degeneracy } from './arm-estimate.js';
import type { CupedAdjustment, MeanCupedMoments, RatioCupedMoments } from './cuped.js';
import type { Effect } from './effect.js';

/** The relative effect of arm `treatmentIndex` against arm `controlIndex` of a CUPED adjustment, or why it cannot be computed. */
export function cupedRelativeEffect(adjustment: CupedAdjustment, controlIndex: number, treatmentIndex: number): Effect | Degeneracy {
  const control = adjustment.adjusted[controlIndex] ?? 'too-few-units';
  const treatment = adjustment.adjusted[treatmentIndex] ?? 'too-few-units';
  const controlMoments = adjustment.moments[controlIndex] ?? 'too-few-units';
  const treatmentMoments = adjustment.moments[treatmentIndex] ?? 'too-few-units';
  if (typeof control === 'string') return control;
  if (typeof treatment === 'string') return treatment;
  if (typeof controlMoments === 'string') return controlMoments;
  if (typeof treatmentMoments === 'string') return treatmentMoments;
  if (control.variance <= 0 && treatment.variance <= 0) return 'zero-variance';
  const result =
    controlMoments.kind === 'mean' && treatmentMoments.kind === 'mean'
      ? relativeOfMeans(adjustment.theta, control, treatment, controlMoments, treatmentMoments)
      : controlMoments.kind === 'ratio' && treatmentMoments.kind === 'ratio'
        ? relativeOfRatios(adjustment.theta, control, treatment, controlMoments, treatmentMoments)
        : null;
  if (result === null) throw new Error('CUPED arms of different metric kinds');
  if (typeof result === 'string') return result;
  if (!Number.isFinite(result.estimate) || !Number.isFinite(result.variance)) return 'zero-control-mean';
  if (result.variance <= 0) return 'zero-variance';
  return { scale: 'relative', estimate: result.estimate, standardError: Math.sqrt(result.variance) };
}

interface RelativeMoments {
  estimate: number;
  variance: number;
}

/** gbstats `frequentist_variance_relative_cuped`. */
function relativeOfMeans(theta: number, control: ArmEstimate, treatment: ArmEstimate, a: MeanCupedMoments, b: MeanCupedMoments): RelativeMoments | Degeneracy {
  const baseline = a.postMean;
  if (baseline === 0) return 'zero-control-mean';
  const baselineSquared = baseline * baseline;
  const treatmentUnitVariance = b.postVariance + theta * theta * b.preVariance - 2 * theta * b.covariance;
  const controlGradient = -b.postMean;
  const controlUnitVariance = (a.postVariance * controlGradient * controlGradient) / baselineSquared + (2 * theta * a.covariance * controlGradient) / baseline + theta * theta * a.preVariance;
  return {
    estimate: (treatment.estimate - control.estimate) / baseline,
    variance: treatmentUnitVariance / (b.n * baselineSquared) + controlUnitVariance / (a.n * baselineSquared),
  };
}

/** The gradient of an adjusted ratio m / d - theta m_pre / d_pre in (m, d, m_pre, d_pre): gbstats' nabla. */
function adjustedRatioGradient(theta: number, means: RatioCupedMoments['means']): [number, number, number, number] {
  const [m, d, mPre, dPre] = means;
  return [1 / d, -m / (d * d), -theta / dPre, (theta * mPre) / (dPre * dPre)];
}

function quadraticForm(vector: readonly number[], matrix: readonly (readonly number[])[]): number {
  let total = 0;
  vector.forEach((left, i) => vector.forEach((right, j) => (total += left * (matrix[i]?.[j] ?? 0) * right)));
  return total;
}

/** gbstats `frequentist_variance_relative_cuped_ratio` (which scales by |baseline|, as transcribed). */
function relativeOfRatios(theta: number, control: ArmEstimate, treatment: ArmEstimate, a: RatioCupedMoments, b: RatioCupedMoments): RelativeMoments | Degeneracy {
  const [m, d] = a.means;
  if (d === 0) return 'zero-denominator';
  const baseline = m / d;
  if (baseline === 0) return 'zero-control-mean';
  const difference = treatment.estimate - control.estimate;
  const scale = Math.abs(baseline);
  const controlAdjusted = adjustedRatioGradient(theta, a.means);
  const controlGradient = [
    -(scale + difference) / d / (scale * scale),
    (m * (scale + difference)) / (d * d) / (scale * scale),
    -controlAdjusted[2] / scale,
    -controlAdjusted[3] / scale,
  ];
  const treatmentGradient = adjustedRatioGradient(theta, b.means).map((value) => value / scale);
  return {
    estimate: difference / baseline,
    variance: quadraticForm(controlGradient, a.covariance) / a.n + quadraticForm(treatmentGradient, b.covariance) / b.n,
  };
}
