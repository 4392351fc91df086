/**
 * Guardrail metrics: a one-sided non-inferiority test with a margin (Kohavi, Tang and Xu 2020, ch. 21;
 * Schuirmann 1987 for the one-sided construction). The null hypothesis is that the treatment harms the
 * metric by at least the margin; rejecting it shows the harm, if any, is smaller than the margin.
 */
import type { Effect } from './effect.js';
import { testEffect, type Interval } from './hypothesis-test.js';

/** Which way a metric is good: up (revenue, conversion) or down (latency, errors). */
export type Direction = 'increase' | 'decrease';

export interface NonInferiorityOptions {
  /** The largest tolerable harm, positive, on the effect's scale (e.g. 0.01 for one percent when relative). */
  margin: number;
  direction: Direction;
  alpha: number;
  degreesOfFreedom: number;
}

export interface NonInferiorityResult {
  margin: number;
  pValue: number;
  /** The one-sided 1 - alpha interval; its finite bound is compared with the margin. */
  interval: Interval;
  /** True when the harm is shown to be smaller than the margin. */
  nonInferior: boolean;
  /** Fixed-horizon, or one-sided sequential (sequential-one-sided.ts) when the experiment is watched continuously. */
  inference?: 'fixed-horizon' | 'confidence-sequence' | 'mixture-sprt';
}

/** Tests H0: harm >= margin against H1: harm < margin. */
export function testNonInferiority(effect: Effect, options: NonInferiorityOptions): NonInferiorityResult {
  const increase = options.direction === 'increase';
  const result = testEffect(effect, {
    alternative: increase ? 'greater' : 'less',
    alpha: options.alpha,
    degreesOfFreedom: options.degreesOfFreedom,
    nullValue: increase ? -options.margin : options.margin,
  });
  return { margin: options.margin, pValue: result.pValue, interval: result.interval, nonInferior: result.pValue < options.alpha };
}
