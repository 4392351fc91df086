/**
 * A test of an effect against a null value, with a confidence interval, for a pivot that is Student's t
 * (Welch's test) or standard normal (z-tests, large samples). The interval matches the test: it excludes the
 * null value exactly when p < alpha.
 */
import { normalQuantile, studentTCdf, studentTQuantile, studentTSurvival } from '../stats/distributions.js';
import type { Effect } from './effect.js';

/** Which difference the test looks for: any, an increase, or a decrease of treatment over control. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** A confidence interval; an open side of a one-sided interval is +-Infinity (null in JSON). */
export type Interval = readonly [number, number];

export interface TestOptions {
  alternative: Alternative;
  /** The significance level; the interval's coverage is 1 - alpha. */
  alpha: number;
  /** Degrees of freedom of the t pivot; Infinity for a normal (z) pivot. */
  degreesOfFreedom: number;
  /** The effect under the null hypothesis (0, or a margin for non-inferiority). */
  nullValue?: number;
}

export interface TestResult {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  interval: Interval;
}

/** The p-value and confidence interval of an effect whose standard error is positive. */
export function testEffect(effect: Effect, options: TestOptions): TestResult {
  const { alternative, alpha, degreesOfFreedom } = options;
  const statistic = (effect.estimate - (options.nullValue ?? 0)) / effect.standardError;
  const pValue =
    alternative === 'two-sided'
      ? Math.min(1, 2 * studentTSurvival(Math.abs(statistic), degreesOfFreedom))
      : alternative === 'greater'
        ? studentTSurvival(statistic, degreesOfFreedom)
        : studentTCdf(statistic, degreesOfFreedom);
  const tail = alternative === 'two-sided' ? alpha / 2 : alpha;
  const halfWidth = criticalValue(1 - tail, degreesOfFreedom) * effect.standardError;
  const interval: Interval =
    alternative === 'two-sided'
      ? [effect.estimate - halfWidth, effect.estimate + halfWidth]
      : alternative === 'greater'
        ? [effect.estimate - halfWidth, Infinity]
        : [-Infinity, effect.estimate + halfWidth];
  return { statistic, degreesOfFreedom, pValue, interval };
}

function criticalValue(probability: number, degreesOfFreedom: number): number {
  return degreesOfFreedom === Infinity ? normalQuantile(probability) : studentTQuantile(probability, degreesOfFreedom);
}
