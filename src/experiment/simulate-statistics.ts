/**
 * Sufficient statistics drawn directly from their sampling distributions, so that simulations of thousands
 * of experiments cost a few draws each instead of a draw per unit. For n units of a bivariate normal
 * (metric, covariate) with means mu and covariance S, the mean vector is N(mu, S / n) and, independently,
 * the scatter matrix about the mean is Wishart(n - 1, S) (Anderson 2003, theorem 3.3.2), drawn here by the
 * Bartlett decomposition.
 */
import { chiSquareVariate, standardNormal } from '../stats/random-variates.js';
import type { Random } from '../stats/random.js';
import type { CovariateStatistics, MeanStatistics } from './sufficient-statistics.js';

/** A bivariate normal population of (metric, covariate) per unit. */
export interface BivariateNormal {
  metricMean: number;
  covariateMean: number;
  metricDeviation: number;
  covariateDeviation: number;
  correlation: number;
}

/** The statistics of n units of a normal metric. */
export function simulateMeanStatistics(random: Random, n: number, mean: number, deviation: number): MeanStatistics {
  const sampleMean = mean + (deviation / Math.sqrt(n)) * standardNormal(random);
  const scatter = deviation * deviation * chiSquareVariate(random, n - 1);
  return { n, sum: n * sampleMean, sumSquares: scatter + n * sampleMean * sampleMean };
}

/** The statistics of n units of a (metric, covariate) pair, the covariate's as CUPED consumes them. */
export function simulateBivariateStatistics(random: Random, n: number, population: BivariateNormal): { metric: MeanStatistics; covariate: CovariateStatistics } {
  const { metricDeviation: sy, covariateDeviation: sx, correlation: r } = population;
  // Cholesky factor of the covariance, covariate first: x = sx z1, y = sy (r z1 + sqrt(1 - r^2) z2).
  const lower = [sx, 0, sy * r, sy * Math.sqrt(1 - r * r)] as const;
  const z1 = standardNormal(random);
  const z2 = standardNormal(random);
  const meanX = population.covariateMean + (lower[0] * z1) / Math.sqrt(n);
  const meanY = population.metricMean + (lower[2] * z1 + lower[3] * z2) / Math.sqrt(n);
  // Bartlett: B = [[c1, 0], [g, c2]] with c1^2 ~ chi2(k), c2^2 ~ chi2(k - 1), g ~ N(0, 1); scatter = (L B)(L B)^T.
  const degrees = n - 1;
  const c1 = Math.sqrt(chiSquareVariate(random, degrees));
  const c2 = Math.sqrt(chiSquareVariate(random, degrees - 1));
  const g = standardNormal(random);
  const a11 = lower[0] * c1;
  const a21 = lower[2] * c1 + lower[3] * g;
  const a22 = lower[3] * c2;
  const scatterXX = a11 * a11;
  const scatterXY = a11 * a21;
  const scatterYY = a21 * a21 + a22 * a22;
  return {
    metric: { n, sum: n * meanY, sumSquares: scatterYY + n * meanY * meanY },
    covariate: { sum: n * meanX, sumSquares: scatterXX + n * meanX * meanX, metricCovariateSum: scatterXY + n * meanX * meanY },
  };
}
