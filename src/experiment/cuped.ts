/**
 * CUPED: variance reduction with a pre-period covariate (Deng, Xu, Kohavi and Walker 2013, "Improving the
 * Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment Data"). Each arm's estimate Y is
 * replaced by Y - theta (X - mean of X over all units), which leaves the effect unbiased (X is measured
 * before assignment) and shrinks its variance by the factor 1 - rho^2. As in gbstats, theta is computed from
 * the two arms being compared (`compute_theta` over their joint statistics for means and proportions,
 * `compute_theta_regression_adjusted_ratio` for ratios), so that it does not depend on the treatment; callers
 * with more arms compare control with each treatment as its own pair, as gbstats does.
 *
 * Ratio metrics follow gbstats' RegressionAdjustedRatioStatistic (packages/stats/gbstats/models/statistics.py):
 * the post- and pre-period ratios are linearised by the delta method (Deng, Knoblich and Lu 2018), a unit
 * contributing (m - R d) / mean(d), and theta = sum over arms of Cov(post, pre) / sum over arms of Var(pre),
 * the arms' unit-level moments added without weights. Proportion metrics use gbstats' ProportionStatistic
 * conventions: variances p (1 - p) and covariances over n, not n - 1 (`compute_covariance`).
 *
 * The relative effect of adjusted arms is in cuped-relative.ts (gbstats divides by the unadjusted control mean).
 */
import { meanArmEstimate, type ArmEstimate, type Degeneracy } from './arm-estimate.js';
import { ratioMoments, ratioUnitVariance } from './ratio-metric.js';
import { sampleCovariance, type CovariateStatistics, type MeanStatistics, type RatioCovariateStatistics, type RatioStatistics } from './sufficient-statistics.js';

/** What the relative effect needs of a mean (or proportion) arm: its unadjusted moments (unit level). */
export interface MeanCupedMoments {
  kind: 'mean';
  n: number;
  postMean: number;
  postVariance: number;
  preVariance: number;
  /** Cov(metric, covariate) per unit. */
  covariance: number;
}

/**
 * What the relative effect needs of a ratio arm: the means of (post numerator, post denominator, pre
 * numerator, pre denominator) per unit and their 4 x 4 unit-level covariance (gbstats' betahat and lambda_matrix).
 */
export interface RatioCupedMoments {
  kind: 'ratio';
  n: number;
  means: [number, number, number, number];
  covariance: number[][];
}

/** The CUPED-adjusted estimates of every arm, with the adjustment and what it achieved. */
export interface CupedAdjustment {
  /** The regression coefficient of the metric on the covariate. */
  theta: number;
  /** Adjusted arm estimates, in the order of the input, or why an arm cannot be estimated. */
  adjusted: (ArmEstimate | Degeneracy)[];
  /** The same arms without adjustment. */
  unadjusted: (ArmEstimate | Degeneracy)[];
  /** Per arm, the moments behind its estimate (for the relative effect, cuped-relative.ts). */
  moments: (MeanCupedMoments | RatioCupedMoments | Degeneracy)[];
}

/** An arm of a mean metric with its pre-period covariate. */
export interface MeanArmWithCovariate {
  metric: MeanStatistics;
  covariate: CovariateStatistics;
}

export interface CupedMeanOptions {
  /**
   * A 0/1 metric (and covariate): moments as gbstats' ProportionStatistic, variance p (1 - p) and covariances
   * divided by n instead of n - 1. Theta is the same either way; the variances are (n - 1) / n of the others.
   */
  proportion?: boolean;
}

/** Cov of two per-unit quantities from their sums: unbiased (n - 1), or over n for proportions (gbstats `compute_covariance`). */
function covarianceOf(n: number, sumX: number, sumY: number, sumXY: number, proportion: boolean): number {
  if (n < 2) return 0;
  return proportion ? sumXY / n - (sumX * sumY) / (n * n) : sampleCovariance(n, sumX, sumY, sumXY);
}

/** CUPED for mean and proportion metrics (gbstats RegressionAdjustedStatistic and compute_theta). */
export function cupedForMeans(arms: readonly MeanArmWithCovariate[], options: CupedMeanOptions = {}): CupedAdjustment {
  const proportion = options.proportion === true;
  let n = 0;
  let sumY = 0;
  let sumYY = 0;
  let sumX = 0;
  let sumXX = 0;
  let sumXY = 0;
  for (const { metric, covariate } of arms) {
    n += metric.n;
    sumY += metric.sum;
    sumYY += metric.sumSquares;
    sumX += covariate.sum;
    sumXX += covariate.sumSquares;
    sumXY += covariate.metricCovariateSum;
  }
  // compute_theta: 0 (no adjustment) when the joint metric or covariate does not vary.
  const covariateVariance = covarianceOf(n, sumX, sumX, sumXX, proportion);
  const metricVariance = covarianceOf(n, sumY, sumY, sumYY, proportion);
  const theta = covariateVariance > 0 && metricVariance > 0 ? covarianceOf(n, sumY, sumX, sumXY, proportion) / covariateVariance : 0;
  const pooledCovariateMean = n === 0 ? 0 : sumX / n;
  const moments = arms.map(({ metric, covariate }): MeanCupedMoments | Degeneracy => {
    if (metric.n < 2) return 'too-few-units';
    const postMean = metric.sum / metric.n;
    return {
      kind: 'mean',
      n: metric.n,
      postMean,
      postVariance: proportion ? postMean * (1 - postMean) : covarianceOf(metric.n, metric.sum, metric.sum, metric.sumSquares, false),
      preVariance: covarianceOf(metric.n, covariate.sum, covariate.sum, covariate.sumSquares, proportion),
      covariance: covarianceOf(metric.n, metric.sum, covariate.sum, covariate.metricCovariateSum, proportion),
    };
  });
  const adjusted = moments.map((arm, index): ArmEstimate | Degeneracy => {
    const covariate = arms[index]?.covariate;
    if (typeof arm === 'string' || covariate === undefined) return typeof arm === 'string' ? arm : 'too-few-units';
    const unitVariance = Math.max(0, arm.postVariance + theta * theta * arm.preVariance - 2 * theta * arm.covariance);
    const estimate = arm.postMean - theta * (covariate.sum / arm.n - pooledCovariateMean);
    return { n: arm.n, estimate, variance: unitVariance / arm.n };
  });
  const unadjusted = moments.map((arm): ArmEstimate | Degeneracy => (typeof arm === 'string' ? arm : { n: arm.n, estimate: arm.postMean, variance: arm.postVariance / arm.n }));
  return { theta, adjusted, unadjusted: proportion ? unadjusted : arms.map(({ metric }) => meanArmEstimate(metric)), moments };
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
  moments: RatioCupedMoments;
}

/**
 * CUPED for ratio metrics, on the delta-method linearisations of the post- and pre-period ratios, with
 * gbstats' theta (`compute_theta_regression_adjusted_ratio`): the sum over arms of Cov(post, pre) over the sum
 * over arms of Var(pre), unweighted. The adjusted unit variance Var(post) - 2 theta Cov + theta^2 Var(pre) is
 * RegressionAdjustedRatioStatistic.variance (nabla' lambda nabla).
 */
export function cupedForRatios(arms: readonly RatioArmWithCovariate[]): CupedAdjustment {
  const linearised = arms.map(linearise);
  let covarianceSum = 0;
  let preVarianceSum = 0;
  let preNumerator = 0;
  let preDenominator = 0;
  linearised.forEach((arm, index) => {
    if (typeof arm !== 'string') {
      covarianceSum += arm.covariance;
      preVarianceSum += arm.preVariance;
    }
    preNumerator += arms[index]?.covariate.numeratorSum ?? 0;
    preDenominator += arms[index]?.covariate.denominatorSum ?? 0;
  });
  // gbstats reverts to the unadjusted ratio when |theta| < 1e-8 (BaseABTest.initialize_theta); theta 0 is that.
  const raw = preVarianceSum > 0 ? covarianceSum / preVarianceSum : 0;
  const theta = Math.abs(raw) < 1e-8 ? 0 : raw;
  const pooledPre = preDenominator === 0 ? 0 : preNumerator / preDenominator;
  const adjusted = linearised.map((arm): ArmEstimate | Degeneracy => {
    if (typeof arm === 'string') return arm;
    const unitVariance = Math.max(0, arm.postVariance + theta * theta * arm.preVariance - 2 * theta * arm.covariance);
    return { n: arm.n, estimate: arm.post - theta * (arm.pre - pooledPre), variance: unitVariance / arm.n };
  });
  const unadjusted = linearised.map((arm): ArmEstimate | Degeneracy => (typeof arm === 'string' ? arm : { n: arm.n, estimate: arm.post, variance: arm.postVariance / arm.n }));
  return { theta, adjusted, unadjusted, moments: linearised.map((arm) => (typeof arm === 'string' ? arm : arm.moments)) };
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
  const sums = [metric.numeratorSum, metric.denominatorSum, covariate.numeratorSum, covariate.denominatorSum] as const;
  // Sums of products of (m post, d post, m pre, d pre), gbstats' lambda_matrix order.
  const products = [
    [metric.numeratorSumSquares, metric.numeratorDenominatorSum, covariate.postNumeratorNumeratorSum, covariate.postNumeratorDenominatorSum],
    [metric.numeratorDenominatorSum, metric.denominatorSumSquares, covariate.postDenominatorNumeratorSum, covariate.postDenominatorDenominatorSum],
    [covariate.postNumeratorNumeratorSum, covariate.postDenominatorNumeratorSum, covariate.numeratorSumSquares, covariate.numeratorDenominatorSum],
    [covariate.postNumeratorDenominatorSum, covariate.postDenominatorDenominatorSum, covariate.numeratorDenominatorSum, covariate.denominatorSumSquares],
  ];
  const lambda = products.map((row, i) => row.map((product, j) => sampleCovariance(n, sums[i] ?? 0, sums[j] ?? 0, product)));
  const at = (i: number, j: number): number => lambda[i]?.[j] ?? 0;
  // Cov((m - R d) / d_bar, (m' - P d') / d'_bar), expanded into the four cross-covariances.
  const crossCovariance = at(0, 2) - pre * at(0, 3) - post * at(1, 2) + post * pre * at(1, 3);
  const denominatorMeans = (metric.denominatorSum / n) * (covariate.denominatorSum / n);
  return {
    n,
    post,
    pre,
    postVariance: ratioUnitVariance(ratioMoments(metric)),
    preVariance: ratioUnitVariance(ratioMoments(preStatistics)),
    covariance: crossCovariance / denominatorMeans,
    moments: { kind: 'ratio', n, means: [sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n], covariance: lambda },
  };
}

/** The share of the effect's variance that CUPED removed: 1 - adjusted / unadjusted (about rho^2). */
export function varianceReduction(control: ArmEstimate, treatment: ArmEstimate, unadjustedControl: ArmEstimate, unadjustedTreatment: ArmEstimate): number {
  const before = unadjustedControl.variance + unadjustedTreatment.variance;
  return before > 0 ? 1 - (control.variance + treatment.variance) / before : 0;
}
