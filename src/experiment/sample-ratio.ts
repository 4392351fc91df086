/**
 * The sample ratio mismatch check (Kohavi, Tang and Xu 2020, ch. 21; Fabijan et al. 2019, "Diagnosing
 * Sample Ratio Mismatch in Online Controlled Experiments"): Pearson's chi-square goodness-of-fit test of the
 * units per arm against the planned split. A mismatch means the assignment or the logging is broken and no
 * effect estimate can be trusted; it is flagged at p < 0.001, as the literature recommends.
 */
import { chiSquareSurvival } from '../stats/distributions.js';

/** The p-value below which a sample ratio mismatch is flagged. */
export const SAMPLE_RATIO_THRESHOLD = 0.001;

export interface SampleRatioCheck {
  observed: number[];
  expected: number[];
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  mismatch: boolean;
}

/** Tests observed units per arm against planned weights (any positive numbers; they are normalised). */
export function checkSampleRatio(observed: readonly number[], plannedWeights: readonly number[], threshold = SAMPLE_RATIO_THRESHOLD): SampleRatioCheck {
  const total = observed.reduce((sum, count) => sum + count, 0);
  const weightTotal = plannedWeights.reduce((sum, weight) => sum + weight, 0);
  const expected = plannedWeights.map((weight) => (total * weight) / weightTotal);
  let statistic = 0;
  observed.forEach((count, index) => {
    const expectedCount = expected[index] ?? 0;
    if (expectedCount > 0) statistic += (count - expectedCount) ** 2 / expectedCount;
  });
  const degreesOfFreedom = observed.length - 1;
  const pValue = total === 0 || degreesOfFreedom < 1 ? 1 : chiSquareSurvival(statistic, degreesOfFreedom);
  return { observed: [...observed], expected, statistic, degreesOfFreedom, pValue, mismatch: pValue < threshold };
}
