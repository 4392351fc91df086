/**
 * A seeded nonparametric bootstrap for statistics that are ratios of sums over rows, sum a_i / sum b_i
 * (a mean when b_i = 1). Each resample draws n row indices uniformly with replacement,
 * floor(u * n) for u from the mulberry32 sequence of `seededRandom(seed)`, so a script can replay the very same
 * resamples; all statistics share the resamples.
 * Intervals are percentile intervals (Efron and Tibshirani 1993, section 13.3) with numpy's default
 * linear interpolation, as Open Bandit Pipeline's `estimate_confidence_interval_by_bootstrap` takes them.
 */
import { invalidInput } from './invalid-input.js';
import { sortedQuantile } from '../../stats/bootstrap.js';

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

/** Checks bootstrap settings; throws an invalid-input error naming the bad one. */
export function checkBootstrapSettings(settings: BootstrapSettings): void {
  if (!Number.isInteger(settings.resamples) || settings.resamples < 1) throw invalidInput('resamples', `must be a positive integer, got ${settings.resamples}`);
  if (!(settings.confidenceLevel > 0 && settings.confidenceLevel < 1))
    throw invalidInput('confidenceLevel', `must lie in (0, 1), got ${settings.confidenceLevel}`);
  if (!Number.isInteger(settings.seed)) throw invalidInput('seed', `must be an integer, got ${settings.seed}`);
}

/** A statistic sum_i a_i / sum_i b_i over rows; `denominators` null means b_i = 1 (a mean). */
export interface RatioStatistic {
  numerators: Float64Array;
  denominators: Float64Array | null;
}

/**
 * Percentile intervals of ratio-of-sums statistics over the same rows. Each resample counts how often
 * each row is drawn (the n draws in order, as described above), then forms every statistic in one
 * sequential pass over its typed arrays: random writes touch only the counts, not the terms, which keeps
 * a million-row bootstrap in cache-friendly passes.
 */
export function bootstrapRatioIntervals(statistics: readonly RatioStatistic[], rowCount: number, settings: BootstrapSettings): BootstrapIntervals {
  checkBootstrapSettings(settings);
  for (const statistic of statistics) {
    if (statistic.numerators.length !== rowCount || (statistic.denominators !== null && statistic.denominators.length !== rowCount))
      throw invalidInput('statistics', `every statistic needs ${rowCount} terms`);
  }
  const { resamples } = settings;
  const replicates = statistics.map(() => new Float64Array(resamples));
  forEachResample(settings.seed, rowCount, resamples, (counts, resample) => {
    statistics.forEach((statistic, s) => {
      const { numerators, denominators } = statistic;
      let numerator = 0;
      for (let row = 0; row < rowCount; row++) numerator += (counts[row] as number) * (numerators[row] as number);
      let denominator = rowCount;
      if (denominators !== null) {
        denominator = 0;
        for (let row = 0; row < rowCount; row++) denominator += (counts[row] as number) * (denominators[row] as number);
      }
      (replicates[s] as Float64Array)[resample] = numerator / denominator;
    });
  });
  const alpha = 1 - settings.confidenceLevel;
  const lower = new Float64Array(statistics.length);
  const upper = new Float64Array(statistics.length);
  const undefinedResamples = new Uint32Array(statistics.length);
  replicates.forEach((replicate, s) => {
    const values = replicate.sort();
    let undefinedCount = 0;
    for (const value of values) if (Number.isNaN(value)) undefinedCount++;
    undefinedResamples[s] = undefinedCount;
    // As numpy.percentile(values, [100 a / 2, 100 (1 - a / 2)]), which divides its percentiles by 100.
    lower[s] = undefinedCount > 0 ? NaN : sortedQuantile(values, (100 * alpha) / 2 / 100);
    upper[s] = undefinedCount > 0 ? NaN : sortedQuantile(values, (100 * (1 - alpha / 2)) / 100);
  });
  return { lower, upper, undefinedResamples };
}

/**
 * Calls `visit` with each resample's draw counts per row (the same array, refilled). The uniforms are
 * `seededRandom(seed)`'s mulberry32 sequence, its steps written out here because a closure call per draw
 * cost four times the whole loop on a million rows; the tests check that both give the same draws.
 */
export function forEachResample(seed: number, rowCount: number, resamples: number, visit: (counts: Uint32Array, resample: number) => void): void {
  const counts = new Uint32Array(rowCount);
  let state = seed >>> 0;
  for (let resample = 0; resample < resamples; resample++) {
    counts.fill(0);
    for (let draw = 0; draw < rowCount; draw++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
      mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
      const uniform = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
      const row = Math.floor(uniform * rowCount);
      counts[row] = (counts[row] as number) + 1;
    }
    visit(counts, resample);
  }
}

/** A percentile interval of the mean of `values` (one statistic, b_i = 1). */
export function bootstrapMeanInterval(values: ArrayLike<number>, settings: BootstrapSettings): { lower: number; upper: number } {
  const intervals = bootstrapRatioIntervals([{ numerators: Float64Array.from(values), denominators: null }], values.length, settings);
  return { lower: intervals.lower[0] as number, upper: intervals.upper[0] as number };
}
