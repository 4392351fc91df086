/**
 * A seeded nonparametric bootstrap for statistics that are ratios of sums over rows, sum a_i / sum b_i
 * (a mean when b_i = 1). Each resample draws n row indices uniformly with replacement,
 * floor(u * n) for u from `seededRandom(seed)` (mulberry32), so a script can replay the very same
 * resamples; all statistics share the resamples and are re-formed from them in one pass over typed arrays.
 * Intervals are percentile intervals (Efron and Tibshirani 1993, section 13.3) with numpy's default
 * linear interpolation, as Open Bandit Pipeline's `estimate_confidence_interval_by_bootstrap` takes them.
 */
import { seededRandom } from '../../stats/random.js';

/** How to bootstrap. */
export interface BootstrapSettings {
  /** Number of resamples. */
  resamples: number;
  /** Seed of the resampling generator; the same seed gives the same interval. */
  seed: number;
  /** Two-sided confidence level, e.g. 0.95. */
  confidenceLevel: number;
}

/** Lower and upper percentile bounds per statistic; NaN where some resample left a statistic undefined. */
export interface BootstrapIntervals {
  lower: Float64Array;
  upper: Float64Array;
  /** Per statistic, how many resamples gave no value (a zero denominator). */
  undefinedResamples: Uint32Array;
}

/** Checks bootstrap settings; throws RangeError naming the bad one. */
export function checkBootstrapSettings(settings: BootstrapSettings): void {
  if (!Number.isInteger(settings.resamples) || settings.resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${settings.resamples}`);
  if (!(settings.confidenceLevel > 0 && settings.confidenceLevel < 1))
    throw new RangeError(`confidenceLevel must lie in (0, 1), got ${settings.confidenceLevel}`);
  if (!Number.isInteger(settings.seed)) throw new RangeError(`seed must be an integer, got ${settings.seed}`);
}

/**
 * Percentile intervals of `statisticCount` ratio-of-sums statistics. `terms[(row * statisticCount + s) * 2]`
 * is row's a for statistic s and `+ 1` its b.
 */
export function bootstrapRatioIntervals(terms: Float64Array, rowCount: number, statisticCount: number, settings: BootstrapSettings): BootstrapIntervals {
  checkBootstrapSettings(settings);
  const { resamples } = settings;
  const random = seededRandom(settings.seed);
  const replicates = Array.from({ length: statisticCount }, () => new Float64Array(resamples));
  const numerators = new Float64Array(statisticCount);
  const denominators = new Float64Array(statisticCount);
  const width = statisticCount * 2;
  for (let resample = 0; resample < resamples; resample++) {
    numerators.fill(0);
    denominators.fill(0);
    for (let draw = 0; draw < rowCount; draw++) {
      const at = Math.floor(random() * rowCount) * width;
      for (let s = 0; s < statisticCount; s++) {
        numerators[s] = (numerators[s] as number) + (terms[at + 2 * s] as number);
        denominators[s] = (denominators[s] as number) + (terms[at + 2 * s + 1] as number);
      }
    }
    for (let s = 0; s < statisticCount; s++) (replicates[s] as Float64Array)[resample] = (numerators[s] as number) / (denominators[s] as number);
  }
  const alpha = 1 - settings.confidenceLevel;
  const lower = new Float64Array(statisticCount);
  const upper = new Float64Array(statisticCount);
  const undefinedResamples = new Uint32Array(statisticCount);
  for (let s = 0; s < statisticCount; s++) {
    const values = (replicates[s] as Float64Array).sort();
    let undefinedCount = 0;
    for (const value of values) if (Number.isNaN(value)) undefinedCount++;
    undefinedResamples[s] = undefinedCount;
    lower[s] = undefinedCount > 0 ? NaN : percentileOfSorted(values, (100 * alpha) / 2);
    upper[s] = undefinedCount > 0 ? NaN : percentileOfSorted(values, 100 * (1 - alpha / 2));
  }
  return { lower, upper, undefinedResamples };
}

/** A percentile interval of the mean of `values` (one statistic, b_i = 1). */
export function bootstrapMeanInterval(values: ArrayLike<number>, settings: BootstrapSettings): { lower: number; upper: number } {
  const terms = new Float64Array(values.length * 2);
  for (let row = 0; row < values.length; row++) {
    terms[2 * row] = values[row] as number;
    terms[2 * row + 1] = 1;
  }
  const intervals = bootstrapRatioIntervals(terms, values.length, 1, settings);
  return { lower: intervals.lower[0] as number, upper: intervals.upper[0] as number };
}

/**
 * The q-th percentile (0-100) of ascending `sorted`, numpy's default 'linear' method, with numpy's
 * two-sided interpolation formula (`numpy/lib/function_base.py`, `_lerp`) so results agree to the last bit.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, percentile: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = (percentile / 100) * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const fraction = position - below;
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  const difference = high - low;
  return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction;
}
