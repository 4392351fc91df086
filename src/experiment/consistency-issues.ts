/**
 * Sufficient statistics that no data could produce, found before any analysis runs: the schema checks
 * types, these check that the numbers fit together (README.md, "Analysing an experiment", lists the rules).
 *
 * Sums exported from a warehouse carry rounding error, so the moment inequalities (a sum of squares at least
 * sum^2 / n; Cauchy-Schwarz for a cross-product) allow a relative slack of 4 n u with u = 2^-53: recursive
 * summation of n doubles is off by at most (n - 1) u times the sum of the magnitudes (Higham 2002, "Accuracy
 * and Stability of Numerical Algorithms", 2nd ed., eq. 4.4), and both sides of each inequality are such sums.
 */
import type { PathSegment, SpecIssue } from '../problem/spec-issues.js';
import type { AnalysisInput, MetricInput } from './analysis-input.js';
import type { RatioCovariateStatistics, RatioStatistics } from './sufficient-statistics.js';

const UNIT_ROUNDOFF = 2 ** -53;

/** Every inconsistency of a schema-valid input, each with its field path and the reason. */
export function consistencyIssues(input: AnalysisInput): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const units = new Map(input.arms.map((arm) => [arm.id, arm.units]));
  input.metrics.forEach((metric, metricIndex) => {
    const base: PathSegment[] = ['metrics', metricIndex];
    for (const [arm, statistics] of Object.entries(metric.arms)) {
      const path = [...base, 'arms', arm];
      issues.push(...armIssues(metric, statistics, path));
      const assigned = units.get(arm);
      if (assigned !== undefined && statistics.n > assigned) {
        issues.push({ segments: [...path, 'n'], message: `${statistics.n} units measured but arms[].units gives ${assigned} assigned to "${arm}"` });
      }
    }
    const segmentTotals = new Map<string, number>();
    for (const [segment, arms] of Object.entries(metric.segments ?? {})) {
      for (const [arm, statistics] of Object.entries(arms as Record<string, ArmStatistics>)) {
        const path = [...base, 'segments', segment, arm];
        issues.push(...armIssues(metric, statistics, path));
        const whole = (metric.arms as Record<string, { n: number; successes?: number }>)[arm];
        if (whole === undefined) continue;
        if (statistics.n > whole.n) issues.push({ segments: [...path, 'n'], message: `the segment has ${statistics.n} units, more than the arm's ${whole.n}` });
        const successes = (statistics as { successes?: number }).successes;
        if (successes !== undefined && whole.successes !== undefined && successes > whole.successes) {
          issues.push({ segments: [...path, 'successes'], message: `the segment has ${successes} successes, more than the arm's ${whole.successes}` });
        }
        segmentTotals.set(arm, (segmentTotals.get(arm) ?? 0) + statistics.n);
      }
    }
    for (const [arm, total] of segmentTotals) {
      const whole = metric.arms[arm]?.n;
      if (whole !== undefined && total > whole) {
        issues.push({ segments: [...base, 'segments'], message: `the segments of "${arm}" hold ${total} units together, more than the arm's ${whole} (segments must be disjoint)` });
      }
    }
  });
  issues.push(...optionIssues(input));
  return issues;
}

/** Options that cannot be combined: the pooled score test has neither a sequential nor a CUPED form here. */
function optionIssues(input: AnalysisInput): SpecIssue[] {
  if (input.options.proportionTest !== 'pooled-z') return [];
  const at: PathSegment[] = ['options', 'proportionTest'];
  if (input.options.sequential !== null) return [{ segments: at, message: 'pooled-z is a fixed-horizon test; with options.sequential use the default unpooled-t' }];
  const adjusted = input.metrics.findIndex((metric) => metric.kind === 'proportion' && Object.values(metric.arms).some((arm) => (arm as { covariate?: object }).covariate !== undefined));
  if (input.options.cuped && adjusted >= 0) {
    return [{ segments: at, message: `pooled-z has no CUPED form, and metrics[${adjusted}] carries covariates; set options.cuped: false or use the default unpooled-t` }];
  }
  return [];
}

type ArmStatistics = MetricInput['arms'][string];

/** The rules of one arm's (or one segment's) statistics for its metric's kind. */
function armIssues(metric: MetricInput, statistics: ArmStatistics, path: PathSegment[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const at = (field: string, message: string) => issues.push({ segments: [...path, ...field.split('.')], message });
  if (metric.kind === 'proportion') {
    const arm = statistics as { n: number; successes: number; covariate?: Moments & { metricCovariateSum: number } };
    if (arm.successes > arm.n) at('successes', `${arm.successes} successes out of ${arm.n} units: a proportion cannot exceed 1`);
    if (arm.covariate !== undefined) {
      if (arm.covariate.sum > arm.n) at('covariate.sum', `${arm.covariate.sum} exceeds the ${arm.n} units: a 0/1 covariate sums to at most n`);
      momentIssues(arm.n, { sum: arm.successes, sumSquares: arm.successes }, arm.covariate, arm.covariate.metricCovariateSum, 'covariate', at);
    }
  } else if (metric.kind === 'mean') {
    const arm = statistics as Moments & { n: number; covariate?: Moments & { metricCovariateSum: number } };
    varianceIssue(arm.n, arm, '', at);
    if (arm.covariate !== undefined) momentIssues(arm.n, arm, arm.covariate, arm.covariate.metricCovariateSum, 'covariate', at);
  } else if (metric.kind === 'ratio') {
    ratioIssues(statistics as RatioArm, at);
  } else {
    const arm = statistics as { n: number; estimate: number; lower: number; upper: number };
    if (arm.lower > arm.upper) at('lower', `the band's lower end ${arm.lower} is above its upper end ${arm.upper}`);
    else if (arm.estimate < arm.lower || arm.estimate > arm.upper) at('estimate', `${arm.estimate} lies outside its band [${arm.lower}, ${arm.upper}]`);
  }
  return issues;
}

interface Moments {
  sum: number;
  sumSquares: number;
}

type RatioArm = RatioStatistics & { covariate?: RatioCovariateStatistics };

type Report = (field: string, message: string) => void;

/** The numerator, the denominator, their pre-period versions, and every cross-product between them. */
function ratioIssues(arm: RatioArm, at: Report): void {
  const numerator = { sum: arm.numeratorSum, sumSquares: arm.numeratorSumSquares };
  const denominator = { sum: arm.denominatorSum, sumSquares: arm.denominatorSumSquares };
  varianceIssue(arm.n, numerator, 'numerator', at);
  varianceIssue(arm.n, denominator, 'denominator', at);
  crossIssue(arm.n, numerator, denominator, arm.numeratorDenominatorSum, 'numeratorDenominatorSum', at);
  const pre = arm.covariate;
  if (pre === undefined) return;
  const preNumerator = { sum: pre.numeratorSum, sumSquares: pre.numeratorSumSquares };
  const preDenominator = { sum: pre.denominatorSum, sumSquares: pre.denominatorSumSquares };
  varianceIssue(arm.n, preNumerator, 'covariate.numerator', at);
  varianceIssue(arm.n, preDenominator, 'covariate.denominator', at);
  crossIssue(arm.n, preNumerator, preDenominator, pre.numeratorDenominatorSum, 'covariate.numeratorDenominatorSum', at);
  crossIssue(arm.n, numerator, preNumerator, pre.postNumeratorNumeratorSum, 'covariate.postNumeratorNumeratorSum', at);
  crossIssue(arm.n, numerator, preDenominator, pre.postNumeratorDenominatorSum, 'covariate.postNumeratorDenominatorSum', at);
  crossIssue(arm.n, denominator, preNumerator, pre.postDenominatorNumeratorSum, 'covariate.postDenominatorNumeratorSum', at);
  crossIssue(arm.n, denominator, preDenominator, pre.postDenominatorDenominatorSum, 'covariate.postDenominatorDenominatorSum', at);
}

/** A metric and its covariate: each one's variance, and their cross-product. */
function momentIssues(n: number, metric: Moments, covariate: Moments, crossSum: number, prefix: string, at: Report): void {
  varianceIssue(n, covariate, prefix, at);
  crossIssue(n, metric, covariate, crossSum, `${prefix}.metricCovariateSum`, at);
}

/** `prefix` names the fields: '' gives sum and sumSquares, 'numerator' numeratorSum and numeratorSumSquares. */
function fieldName(prefix: string, field: 'Sum' | 'SumSquares'): string {
  if (prefix === '') return field === 'Sum' ? 'sum' : 'sumSquares';
  if (prefix === 'covariate') return `covariate.${field === 'Sum' ? 'sum' : 'sumSquares'}`;
  return `${prefix}${field}`;
}

/** The centred sum of squares and the rounding slack it is allowed, or a reason it cannot be. */
function centred(n: number, moments: Moments): { value: number; slack: number } | string {
  if (n === 0) return moments.sum === 0 && moments.sumSquares === 0 ? { value: 0, slack: 0 } : 'no units, yet the sums are not 0';
  const squaredMean = (moments.sum * moments.sum) / n;
  if (!Number.isFinite(squaredMean)) return `sum^2 overflows a double (sum ${moments.sum}); rescale the metric`;
  return { value: moments.sumSquares - squaredMean, slack: 4 * n * UNIT_ROUNDOFF * (Math.abs(moments.sumSquares) + squaredMean) };
}

/** A sum of squares below sum^2 / n is a negative variance. */
function varianceIssue(n: number, moments: Moments, prefix: string, at: Report): void {
  const squares = fieldName(prefix, 'SumSquares');
  if (moments.sumSquares < 0) return at(squares, `${moments.sumSquares} is negative: a sum of squares is at least 0`);
  const spread = centred(n, moments);
  if (typeof spread === 'string') return at(fieldName(prefix, 'Sum'), spread);
  if (spread.value < -spread.slack) {
    at(squares, `${moments.sumSquares} is below sum^2 / n = ${moments.sumSquares - spread.value}: that is a negative variance`);
  }
}

/** Cauchy-Schwarz: a centred cross-product is at most the geometric mean of the two centred sums of squares. */
function crossIssue(n: number, x: Moments, y: Moments, crossSum: number, field: string, at: Report): void {
  const [spreadX, spreadY] = [centred(n, x), centred(n, y)];
  if (typeof spreadX === 'string' || typeof spreadY === 'string' || x.sumSquares < 0 || y.sumSquares < 0) return;
  const product = (x.sum * y.sum) / n;
  if (n === 0) {
    if (crossSum !== 0) at(field, 'no units, yet the cross-product is not 0');
    return;
  }
  if (!Number.isFinite(product)) return at(field, 'the product of the two sums overflows a double; rescale the metric');
  const covariance = crossSum - product;
  const slack = 4 * n * UNIT_ROUNDOFF * (Math.abs(crossSum) + Math.abs(product));
  const bound = Math.sqrt(Math.max(spreadX.value + spreadX.slack, 0) * Math.max(spreadY.value + spreadY.slack, 0));
  if (Math.abs(covariance) > bound + slack) {
    at(field, `${crossSum} is impossible with these sums (Cauchy-Schwarz: |${field} - sumX sumY / n| = ${Math.abs(covariance)} exceeds ${bound})`);
  }
}
