/**
 * CUPED: variance reduction with a pre-period covariate (Deng, Xu, Kohavi and Walker 2013, "Improving the
 * Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment Data"). Each arm's estimate Y is
 * replaced by Y - theta (X - mean of X over all units), which leaves the effect unbiased (X is measured
 * before assignment) and shrinks its variance by the factor 1 - rho^2. Theta is pooled across arms, as in
 * gbstats (`compute_theta`), so that it does not depend on the treatment.
 *
 * Ratio metrics are linearised first (the delta method of Deng, Knoblich and Lu 2018): a unit contributes
 * (m - R d) / mean(d) for the post period and the same with pre-period sums for the covariate; the moments of
 * these linearisations are exact functions of the sufficient statistics, and their covariances are pooled
 * across arms weighted by units.
 */
import { meanArmEstimate, type ArmEstimate, type Degeneracy } from './arm-estimate.js';
import { ratioMoments, ratioUnitVariance } from './ratio-metric.js';
import { sampleCovariance, type CovariateStatistics, type MeanStatistics, type RatioCovariateStatistics, type RatioStatistics } from './sufficient-statistics.js';

/** The CUPED-adjusted estimates of every arm, with the adjustment and what it achieved. */
export interface CupedAdjustment {
  /** The regression coefficient of the metric on the covariate, pooled over all units. */
  theta: number;
  /** Adjusted arm estimates, in the order of the input, or why an arm cannot be estimated. */
  adjusted: (ArmEstimate | Degeneracy)[];
  /** The same arms without adjustment. */
  unadjusted: (ArmEstimate | Degeneracy)[];
}

/** An arm of a mean metric with its pre-period covariate. */
export interface MeanArmWithCovariate {
  metric: MeanStatistics;
  covariate: CovariateStatistics;
}

/** CUPED for mean (and proportion) metrics. */
export function cupedForMeans(arms: readonly MeanArmWithCovariate[]): CupedAdjustment {
  let n = 0;
  let sumY = 0;
  let sumX = 0;
  let sumXX = 0;
  let sumXY = 0;
  for (const { metric, covariate } of arms) {
    n += metric.n;
    sumY += metric.sum;
    sumX += covariate.sum;
    sumXX += covariate.sumSquares;
    sumXY += covariate.metricCovariateSum;
  }
  const covariateVariance = sampleCovariance(n, sumX, sumX, sumXX);
  const theta = covariateVariance > 0 ? sampleCovariance(n, sumY, sumX, sumXY) / covariateVariance : 0;
  const pooledCovariateMean = n === 0 ? 0 : sumX / n;
  const adjusted = arms.map(({ metric, covariate }): ArmEstimate | Degeneracy => {
    if (metric.n < 2) return 'too-few-units';
    const metricVariance = sampleCovariance(metric.n, metric.sum, metric.sum, metric.sumSquares);
    const ownCovariateVariance = sampleCovariance(metric.n, covariate.sum, covariate.sum, covariate.sumSquares);
    const covariance = sampleCovariance(metric.n, metric.sum, covariate.sum, covariate.metricCovariateSum);
    const unitVariance = Math.max(0, metricVariance + theta * theta * ownCovariateVariance - 2 * theta * covariance);
    const estimate = metric.sum / metric.n - theta * (covariate.sum / metric.n - pooledCovariateMean);
    return { n: metric.n, estimate, variance: unitVariance / metric.n };
  });
  return { theta, adjusted, unadjusted: arms.map(({ metric }) => meanArmEstimate(metric)) };
}

/** An arm of a ratio metric with its pre-period numerator and denominator. */
export interface RatioArmWithCovariate {
  metric: RatioStatistics;
  covariate: RatioCovariateStatistics;
}

interface LinearisedRatioArm {
  n: number;
  post: number;
  pre: number;
  postVariance: number;
  preVariance: number;
  covariance: number;
}

/** CUPED for ratio metrics, on the delta-method linearisations of the post- and pre-period ratios. */
export function cupedForRatios(arms: readonly RatioArmWithCovariate[]): CupedAdjustment {
  const linearised = arms.map(linearise);
  let weightedCovariance = 0;
  let weightedPreVariance = 0;
  let preNumerator = 0;
  let preDenominator = 0;
  linearised.forEach((arm, index) => {
    if (typeof arm !== 'string') {
      weightedCovariance += arm.n * arm.covariance;
      weightedPreVariance += arm.n * arm.preVariance;
    }
    preNumerator += arms[index]?.covariate.numeratorSum ?? 0;
    preDenominator += arms[index]?.covariate.denominatorSum ?? 0;
  });
  const theta = weightedPreVariance > 0 ? weightedCovariance / weightedPreVariance : 0;
  const pooledPre = preDenominator === 0 ? 0 : preNumerator / preDenominator;
  const adjusted = linearised.map((arm): ArmEstimate | Degeneracy => {
    if (typeof arm === 'string') return arm;
    const unitVariance = Math.max(0, arm.postVariance + theta * theta * arm.preVariance - 2 * theta * arm.covariance);
    return { n: arm.n, estimate: arm.post - theta * (arm.pre - pooledPre), variance: unitVariance / arm.n };
  });
  const unadjusted = linearised.map((arm): ArmEstimate | Degeneracy => (typeof arm === 'string' ? arm : { n: arm.n, estimate: arm.post, variance: arm.postVariance / arm.n }));
  return { theta, adjusted, unadjusted };
}

function linearise({ metric, covariate }: RatioArmWithCovariate): LinearisedRatioArm | Degeneracy {
  const { n } = metric;
  if (n < 2) return 'too-few-units';
  if (metric.denominatorSum === 0 || covariate.denominatorSum === 0) return 'zero-denominator';
  const preStatistics: RatioStatistics = {
    n,
    numeratorSum: covariate.numeratorSum,
    numeratorSumSquares: covariate.numeratorSumSquares,
    denominatorSum: covariate.denominatorSum,
    denominatorSumSquares: covariate.denominatorSumSquares,
    numeratorDenominatorSum: covariate.numeratorDenominatorSum,
  };
  const post = metric.numeratorSum / metric.denominatorSum;
  const pre = covariate.numeratorSum / covariate.denominatorSum;
  const covarianceOf = (sumX: number, sumY: number, sumXY: number): number => sampleCovariance(n, sumX, sumY, sumXY);
  // Cov((m - R d) / d_bar, (m' - P d') / d'_bar), expanded into the four cross-covariances.
  const crossCovariance =
    covarianceOf(metric.numeratorSum, covariate.numeratorSum, covariate.postNumeratorNumeratorSum) -
    pre * covarianceOf(metric.numeratorSum, covariate.denominatorSum, covariate.postNumeratorDenominatorSum) -
    post * covarianceOf(metric.denominatorSum, covariate.numeratorSum, covariate.postDenominatorNumeratorSum) +
    post * pre * covarianceOf(metric.denominatorSum, covariate.denominatorSum, covariate.postDenominatorDenominatorSum);
  const denominatorMeans = (metric.denominatorSum / n) * (covariate.denominatorSum / n);
  return {
    n,
    post,
    pre,
    postVariance: ratioUnitVariance(ratioMoments(metric)),
    preVariance: ratioUnitVariance(ratioMoments(preStatistics)),
    covariance: crossCovariance / denominatorMeans,
  };
}

/** The share of the effect's variance that CUPED removed: 1 - adjusted / unadjusted (about rho^2). */
export function varianceReduction(control: ArmEstimate, treatment: ArmEstimate, unadjustedControl: ArmEstimate, unadjustedTreatment: ArmEstimate): number {
  const before = unadjustedControl.variance + unadjustedTreatment.variance;
  return before > 0 ? 1 - (control.variance + treatment.variance) / before : 0;
}
