/**
 * The pooled (score) test of two proportions and the confidence interval that inverts it, the named option
 * `proportionTest: pooled-z` beside the default unpooled t (comparison.ts, gbstats' way).
 *
 * The score statistic for a hypothesised difference d = p1 - p0 (or ratio r = p1 / p0) divides the observed
 * difference by its standard error under the null, with both proportions at their maximum-likelihood values
 * constrained to the null (Miettinen and Nurminen 1985, as statsmodels' `score_test_proportions_2indep`; the
 * maximum is found by bisection for a difference, by the quadratic's closed form for a ratio). At d = 0 (r = 1) the constrained proportions are the pooled rate, so the statistic is exactly the
 * pooled z-test of statsmodels' `proportions_ztest`. The interval collects every d (or r) the test does not
 * reject, so it excludes 0 exactly when the pooled p-value is below alpha, on either scale (Mee 1984 for the
 * difference, Koopman 1984 for the ratio; without Miettinen and Nurminen's n / (n - 1) factor, which
 * `proportions_ztest` does not apply either).
 */
import { normalCdf, normalQuantile, normalSurvival } from '../stats/distributions.js';
import type { EffectScale } from './effect.js';
import type { Alternative, Interval } from './hypothesis-test.js';

/** Successes out of units in one arm. */
export interface ProportionCounts {
  n: number;
  successes: number;
}

export interface ScoreTestOptions {
  scale: EffectScale;
  alternative: Alternative;
  alpha: number;
  /** The effect under the null on the scale's terms: a difference (absolute) or ratio - 1 (relative); 0 by default. */
  nullValue?: number;
}

export interface ScoreTestResult {
  statistic: number;
  pValue: number;
  interval: Interval;
}

/**
 * The score test of treatment against control and its inverted interval; null when the pooled rate is 0 or 1
 * (no variance under the null), or on the relative scale when the control has no successes.
 */
export function pooledScoreTest(control: ProportionCounts, treatment: ProportionCounts, options: ScoreTestOptions): ScoreTestResult | null {
  const compare = options.scale === 'absolute' ? 'diff' : 'ratio';
  if (compare === 'ratio' && control.successes === 0) return null;
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  if (!(pooled > 0 && pooled < 1)) return null;
  const nullValue = compare === 'diff' ? (options.nullValue ?? 0) : 1 + (options.nullValue ?? 0);
  const statistic = scoreStatistic(control, treatment, compare, nullValue);
  const pValue =
    options.alternative === 'two-sided'
      ? Math.min(1, 2 * normalSurvival(Math.abs(statistic)))
      : options.alternative === 'greater'
        ? normalSurvival(statistic)
        : normalCdf(statistic);
  const critical = normalQuantile(1 - (options.alternative === 'two-sided' ? options.alpha / 2 : options.alpha));
  const lower = options.alternative === 'less' ? -Infinity : invert(control, treatment, compare, critical);
  const upper = options.alternative === 'greater' ? Infinity : invert(control, treatment, compare, -critical);
  const shift = compare === 'ratio' ? 1 : 0;
  return { statistic, pValue, interval: [lower - shift, upper - shift] };
}

/**
 * The score statistic at a hypothesised difference p1 - p0 or ratio p1 / p0 (1 = treatment, 0 = control):
 * the observed difference (or p1 - r p0) over its standard error at the constrained maximum-likelihood
 * proportions.
 */
export function scoreStatistic(control: ProportionCounts, treatment: ProportionCounts, compare: 'diff' | 'ratio', value: number): number {
  const { n: n0, successes: x0 } = control;
  const { n: n1, successes: x1 } = treatment;
  const p0 = x0 / n0;
  const p1 = x1 / n1;
  const [prop0, prop1] = constrainedProportions(control, treatment, compare, value);
  const variance = compare === 'diff' ? (prop1 * (1 - prop1)) / n1 + (prop0 * (1 - prop0)) / n0 : (prop1 * (1 - prop1)) / n1 + (value * value * prop0 * (1 - prop0)) / n0;
  return (compare === 'diff' ? p1 - p0 - value : p1 - value * p0) / Math.sqrt(variance);
}

/**
 * The proportions (control, treatment) that maximise the likelihood subject to the null.
 */
function constrainedProportions(control: ProportionCounts, treatment: ProportionCounts, compare: 'diff' | 'ratio', value: number): [number, number] {
  const { n: n0, successes: x0 } = control;
  const { n: n1, successes: x1 } = treatment;
  const nobs = n0 + n1;
  const count = x0 + x1;
  if ((compare === 'diff' && value === 0) || (compare === 'ratio' && value === 1)) return [count / nobs, count / nobs];
  if (compare === 'ratio') {
    // The smaller root of nobs r p^2 - (n1 r + x1 + n0 + x0 r) p + count = 0, written as 2c / (-b + sqrt(D))
    // so that a tiny ratio does not cancel it away.
    const a = nobs * value;
    const b = -(n1 * value + x1 + n0 + x0 * value);
    const root = (2 * count) / (-b + Math.sqrt(Math.max(0, b * b - 4 * a * count)));
    const prop0 = Math.min(Math.max(root, 0), Math.min(1, 1 / value));
    return [prop0, prop0 * value];
  }
  // For a difference the log-likelihood is concave in p0 on the proportions the null allows, so its
  // maximum is where the score g(p0) (decreasing) crosses zero, or on the boundary: bisection finds it to the
  // last bit, and lands on the boundary when an arm without successes puts the maximum there. (statsmodels
  // 0.13 solves Farrington and Manning's cubic instead, with a wrong coefficient: statsmodels issue #10269.)
  const d = value;
  let low = Math.max(0, -d);
  let high = Math.min(1, 1 - d);
  const term = (count: number, rate: number) => (count === 0 ? 0 : count / rate);
  const score = (p0: number) => term(x0, p0) - term(n0 - x0, 1 - p0) + term(x1, p0 + d) - term(n1 - x1, 1 - p0 - d);
  for (let step = 0; step < 200; step += 1) {
    const middle = (low + high) / 2;
    if (middle === low || middle === high) break;
    if (score(middle) > 0) low = middle;
    else high = middle;
  }
  const prop0 = (low + high) / 2;
  return [prop0, prop0 + d];
}

/**
 * The hypothesised value where the statistic equals `target`: the statistic falls as the hypothesised
 * difference (or ratio) rises, so a positive target lies below the estimate and a negative one above it.
 * The root is bracketed by stepping out from the estimate in doubling multiples of the unpooled standard
 * error (the constrained proportions lose precision at the parameter's very edge, so the search does not
 * start there), then bisected to the last bit. Where the statistic never reaches the target inside the
 * parameter's range, the bound is that range's own limit (-1 or 1 for a difference, 0 or infinity for a
 * ratio).
 */
function invert(control: ProportionCounts, treatment: ProportionCounts, compare: 'diff' | 'ratio', target: number): number {
  const p0 = control.successes / control.n;
  const p1 = treatment.successes / treatment.n;
  const downward = target > 0;
  // Ratios are searched on the log scale, where (0, infinity) is the whole line.
  const ratio = compare === 'ratio';
  if (ratio && p1 === 0 && downward) return 0;
  const [low, high] = ratio ? [-60, 60] : [-1, 1];
  // With no treatment success the ratio's estimate is 0, the bottom of the log scale.
  const start = ratio ? Math.max(Math.log(p1 / p0), low) : p1 - p0;
  const toValue = ratio ? Math.exp : (x: number) => x;
  const standardError = Math.sqrt((p1 * (1 - p1)) / treatment.n + (p0 * (1 - p0)) / control.n);
  const scale = ratio ? Math.max(standardError / Math.max(p1, p0), 1e-3) : Math.max(standardError, 1e-6);
  const gap = (x: number) => scoreStatistic(control, treatment, compare, toValue(x)) - target;
  const startSign = Math.sign(gap(start));
  let outside: number | null = null;
  for (let widen = 1; widen < 2 ** 40; widen *= 2) {
    const candidate = downward ? Math.max(start - widen * scale, low) : Math.min(start + widen * scale, high);
    const value = gap(candidate);
    if (Number.isFinite(value) && Math.sign(value) !== startSign) {
      outside = candidate;
      break;
    }
    if (candidate === low || candidate === high) break;
  }
  if (outside === null) return ratio ? (downward ? 0 : Infinity) : downward ? -1 : 1;
  let inside = start;
  let beyond: number = outside;
  for (let step = 0; step < 2000; step += 1) {
    const middle = (inside + beyond) / 2;
    if (middle === inside || middle === beyond) break;
    if (Math.sign(gap(middle)) === startSign) inside = middle;
    else beyond = middle;
  }
  return toValue((inside + beyond) / 2);
}
