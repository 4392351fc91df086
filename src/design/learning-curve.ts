/**
 * Learning curves: the validation metric against training rows, fitted by an inverse power law
 *   metric(n) = a - b * n^(-c)        (a the asymptote, b > 0 and c > 0 for a curve that improves and saturates)
 * the form of Hestness et al. 2017 ("Deep learning scaling is predictable, empirically") and of
 * scikit-learn's learning_curve plots read by eye. A metric where lower is better is fitted on its negation.
 *
 * Phases: 1. group the points by size (means, spread); 2. profile c: for fixed c the law is linear in a
 * and b, so least squares gives them in closed form, and c is found by a log-grid then golden-section search;
 * 3. intervals from the Gauss-Newton covariance s^2 (J'J)^-1 with Student t quantiles on m - 3 degrees of
 * freedom (Bates and Watts 1988, ch. 2), extrapolations by the delta method; 4. flags for curves whose fit
 * should not be trusted. Sizes are scaled by the largest before fitting to keep J'J well conditioned.
 */
import { studentTQuantile } from '../stats/distributions.js';

export interface LearningCurvePoint {
  /** Training rows. */
  rows: number;
  /** Validation metric (one seed). */
  value: number;
}

export type CurveFlag = 'too-few-points' | 'not-monotone' | 'not-saturating' | 'getting-worse';

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export interface Extrapolation {
  /** The multiple of the largest training size. */
  multiple: number;
  rows: number;
  metric: Interval;
}

export interface LearningCurveFit {
  asymptote: Interval;
  scale: Interval;
  exponent: Interval;
  /** Root mean squared residual of the fit, in the metric's units. */
  residualError: number;
  extrapolations: Extrapolation[];
  flags: CurveFlag[];
  /** One line per flag, saying why. */
  warnings: string[];
}

export interface LearningCurveOptions {
  higherIsBetter: boolean;
  /** Multiples of the largest size to extrapolate to; 2, 5 and 10 unless given. */
  multiples?: readonly number[];
  /** Interval level; 0.95 unless given. */
  level?: number;
}

/** Fit the inverse power law to the points and extrapolate; a curve with under four sizes gets flags only. */
export function fitLearningCurve(points: readonly LearningCurvePoint[], options: LearningCurveOptions): LearningCurveFit | { flags: CurveFlag[]; warnings: string[] } {
  const sign = options.higherIsBetter ? 1 : -1;
  const level = options.level ?? 0.95;
  const sizes = [...new Set(points.map((point) => point.rows))].sort((x, y) => x - y);
  if (sizes.length < 4 || points.length < 5) {
    return { flags: ['too-few-points'], warnings: [`${sizes.length} training sizes and ${points.length} points; the law has 3 parameters, so at least 4 sizes are needed`] };
  }
  // 1. Scale and orient.
  const largest = sizes[sizes.length - 1] as number;
  const u = Float64Array.from(points, (point) => point.rows / largest);
  const y = Float64Array.from(points, (point) => sign * point.value);
  // 2. Profile the exponent.
  const exponent = profileExponent(u, y);
  const { a, b, residualSum } = linearFit(u, y, exponent);
  // 3. Covariance of (a, b', c) on the scaled sizes.
  const m = points.length;
  const variance = residualSum / (m - 3);
  const covariance = invert3(gaussNewtonInformation(u, b, exponent)).map((row) => row.map((entry) => entry * variance));
  const t = studentTQuantile(1 - (1 - level) / 2, m - 3);
  const interval = (estimate: number, gradient: readonly number[]): Interval => {
    const half = t * Math.sqrt(Math.max(0, quadraticForm(covariance, gradient)));
    return { estimate, lower: estimate - half, upper: estimate + half };
  };
  const oriented = (value: Interval): Interval => (sign > 0 ? value : { estimate: -value.estimate, lower: -value.upper, upper: -value.lower });
  const logLargest = Math.log(largest);
  const scaleInOriginalUnits = b * Math.exp(exponent * logLargest);
  const extrapolations = (options.multiples ?? [2, 5, 10]).map((multiple) => {
    const power = Math.pow(multiple, -exponent);
    const estimate = a - b * power;
    return { multiple, rows: Math.round(multiple * largest), metric: oriented(interval(estimate, [1, -power, b * power * Math.log(multiple)])) };
  });
  const fit: LearningCurveFit = {
    asymptote: oriented(interval(a, [1, 0, 0])),
    scale: interval(scaleInOriginalUnits, [0, Math.exp(exponent * logLargest), scaleInOriginalUnits * logLargest]),
    exponent: interval(exponent, [0, 0, 1]),
    residualError: Math.sqrt(residualSum / m),
    extrapolations,
    flags: [],
    warnings: [],
  };
  // 4. Flags.
  const means = sizes.map((size) => meanAndStandardError(points.filter((point) => point.rows === size).map((point) => sign * point.value), Math.sqrt(variance)));
  for (let index = 1; index < means.length; index += 1) {
    const previous = means[index - 1] as MeanAndError;
    const current = means[index] as MeanAndError;
    if (previous.mean - current.mean > 2 * Math.hypot(previous.standardError, current.standardError)) {
      fit.flags.push('not-monotone');
      fit.warnings.push(`the metric gets worse from ${sizes[index - 1]} to ${sizes[index]} rows by more than twice its noise`);
      break;
    }
  }
  if (b <= 0) {
    fit.flags.push('getting-worse');
    fit.warnings.push('the fitted curve does not improve with more data');
  }
  const observedRange = Math.max(...means.map((entry) => entry.mean)) - Math.min(...means.map((entry) => entry.mean));
  if (exponent <= MIN_EXPONENT * 1.001 || exponent >= MAX_EXPONENT * 0.999 || fit.asymptote.upper - fit.asymptote.lower > 2 * Math.max(observedRange, 1e-12)) {
    fit.flags.push('not-saturating');
    fit.warnings.push('the asymptote is not pinned down by these sizes: the curve shows no bend, so extrapolations are guesses');
  }
  return fit;
}

/** Whether the extrapolated metric reaches the target: 'yes' if the whole interval does, 'no' if none of it does. */
export function reachesTarget(metric: Interval, target: number, higherIsBetter: boolean): 'yes' | 'no' | 'uncertain' {
  const worst = higherIsBetter ? metric.lower : -metric.upper;
  const best = higherIsBetter ? metric.upper : -metric.lower;
  const goal = higherIsBetter ? target : -target;
  if (worst >= goal) return 'yes';
  if (best < goal) return 'no';
  return 'uncertain';
}

const MIN_EXPONENT = 1e-3;
const MAX_EXPONENT = 5;

interface MeanAndError {
  mean: number;
  standardError: number;
}

function meanAndStandardError(values: readonly number[], residualStandardDeviation: number): MeanAndError {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { mean, standardError: residualStandardDeviation / Math.sqrt(values.length) };
}

/** Least squares of y = a - b u^-c for fixed c, closed form. */
function linearFit(u: Float64Array, y: Float64Array, c: number): { a: number; b: number; residualSum: number } {
  const m = u.length;
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < m; i += 1) {
    sumX += Math.pow(u[i] as number, -c);
    sumY += y[i] as number;
  }
  const meanX = sumX / m;
  const meanY = sumY / m;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < m; i += 1) {
    const dx = Math.pow(u[i] as number, -c) - meanX;
    sxx += dx * dx;
    sxy += dx * ((y[i] as number) - meanY);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const a = meanY - slope * meanX;
  let residualSum = 0;
  for (let i = 0; i < m; i += 1) {
    const residual = (y[i] as number) - a - slope * Math.pow(u[i] as number, -c);
    residualSum += residual * residual;
  }
  return { a, b: -slope, residualSum };
}

function profileExponent(u: Float64Array, y: Float64Array): number {
  const rss = (logC: number): number => linearFit(u, y, Math.exp(logC)).residualSum;
  const low = Math.log(MIN_EXPONENT);
  const high = Math.log(MAX_EXPONENT);
  const steps = 120;
  let best = low;
  let bestValue = Infinity;
  for (let step = 0; step <= steps; step += 1) {
    const logC = low + ((high - low) * step) / steps;
    const value = rss(logC);
    if (value < bestValue) {
      bestValue = value;
      best = logC;
    }
  }
  // Golden-section search in the grid cell around the best point.
  const width = (high - low) / steps;
  let left = Math.max(low, best - width);
  let right = Math.min(high, best + width);
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let iteration = 0; iteration < 100 && right - left > 1e-12; iteration += 1) {
    const first = right - ratio * (right - left);
    const second = left + ratio * (right - left);
    if (rss(first) < rss(second)) right = second;
    else left = first;
  }
  return Math.exp((left + right) / 2);
}

/** J'J for the parameters (a, b, c) of a - b u^-c. */
function gaussNewtonInformation(u: Float64Array, b: number, c: number): number[][] {
  const information = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const value of u) {
    const power = Math.pow(value, -c);
    const gradient = [1, -power, b * power * Math.log(value)];
    for (let row = 0; row < 3; row += 1) for (let column = 0; column < 3; column += 1) (information[row] as number[])[column] = ((information[row] as number[])[column] as number) + (gradient[row] as number) * (gradient[column] as number);
  }
  return information;
}

function invert3(matrix: number[][]): number[][] {
  const at = (row: number, column: number): number => (matrix[row] as number[])[column] as number;
  const cofactor = (row: number, column: number): number => {
    const rows = [0, 1, 2].filter((index) => index !== row);
    const columns = [0, 1, 2].filter((index) => index !== column);
    const [r0, r1] = rows as [number, number];
    const [c0, c1] = columns as [number, number];
    return ((row + column) % 2 === 0 ? 1 : -1) * (at(r0, c0) * at(r1, c1) - at(r0, c1) * at(r1, c0));
  };
  const determinant = at(0, 0) * cofactor(0, 0) + at(0, 1) * cofactor(0, 1) + at(0, 2) * cofactor(0, 2);
  return [0, 1, 2].map((row) => [0, 1, 2].map((column) => cofactor(column, row) / determinant));
}

function quadraticForm(matrix: number[][], vector: readonly number[]): number {
  let total = 0;
  for (let row = 0; row < 3; row += 1) for (let column = 0; column < 3; column += 1) total += (vector[row] as number) * ((matrix[row] as number[])[column] as number) * (vector[column] as number);
  return total;
}
