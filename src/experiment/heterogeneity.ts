/**
 * Does the effect differ across segments? Cochran's Q test (Cochran 1954; the standard test of heterogeneity
 * in meta-analysis, Higgins and Thompson 2002 for I^2): Q = sum of w_i (e_i - e_bar)^2 with inverse-variance
 * weights w_i = 1 / se_i^2 and e_bar their weighted mean, chi-square with k - 1 degrees of freedom under a
 * common effect. Segments must be disjoint, so their estimates are independent.
 */
import { chiSquareSurvival } from '../stats/distributions.js';
import type { Effect } from './effect.js';

export interface HeterogeneityTest {
  segments: number;
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  /** The share of the variation across segments beyond chance, max(0, (Q - df) / Q). */
  inconsistency: number;
}

/** Cochran's Q over segment effects; null with fewer than two usable segments. */
export function testHeterogeneity(effects: readonly Effect[]): HeterogeneityTest | null {
  const usable = effects.filter((effect) => effect.standardError > 0 && Number.isFinite(effect.standardError));
  if (usable.length < 2) return null;
  let weightSum = 0;
  let weightedSum = 0;
  for (const effect of usable) {
    const weight = 1 / effect.standardError ** 2;
    weightSum += weight;
    weightedSum += weight * effect.estimate;
  }
  const pooled = weightedSum / weightSum;
  const statistic = usable.reduce((sum, effect) => sum + (effect.estimate - pooled) ** 2 / effect.standardError ** 2, 0);
  const degreesOfFreedom = usable.length - 1;
  return {
    segments: usable.length,
    statistic,
    degreesOfFreedom,
    pValue: chiSquareSurvival(statistic, degreesOfFreedom),
    inconsistency: statistic > 0 ? Math.max(0, (statistic - degreesOfFreedom) / statistic) : 0,
  };
}
