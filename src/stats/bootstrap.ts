/**
 * Bootstrap building blocks: Poisson(1) resampling weights from a seeded stream, and percentile intervals.
 *
 * The Poisson bootstrap (Hanley and MacGibbon 2006; Chamandy, Muralidharan, Najmi and Naidu 2012) gives
 * each row an independent Poisson(1) count instead of drawing n rows with replacement: the counts have the
 * multinomial's mean and nearly its variance, need no second pass, and let a statistic be computed from
 * weighted counts over data sorted once. Percentile intervals follow Efron and Tibshirani (1993, ch. 13),
 * with quantiles interpolated linearly between order statistics as numpy's default `percentile` does.
 */

/**
 * Poisson(1) counts by 16-bit lookup: entry u is the smallest k with u < round(P(X <= k) x 65536). The
 * probabilities are thus rounded to multiples of 2^-16 (counts above 7, P = 1e-5 together, are folded
 * into 7); a bootstrap statistic that is a ratio of weighted sums (AUC, means) does not see the scale.
 */
export const POISSON_ONE_TABLE: Uint8Array = (() => {
  const thresholds: number[] = [];
  let probability = Math.exp(-1);
  let cumulative = 0;
  for (let k = 0; k < 7; k++) {
    cumulative += probability;
    thresholds.push(Math.round(cumulative * 65536));
    probability /= k + 1;
  }
  thresholds.push(65536);
  const table = new Uint8Array(65536);
  let k = 0;
  for (let u = 0; u < 65536; u++) {
    while (u >= (thresholds[k] as number)) k++;
    table[u] = k;
  }
  return table;
})();

/**
 * A stream of Poisson(1) counts from a 32-bit seed: mulberry32 (the generator of random.ts's
 * `seededRandom`) read as integers, each 32-bit word giving two counts through POISSON_ONE_TABLE, so a
 * bootstrap's hot loop does no floating-point work per draw.
 */
export class PoissonOneStream {
  private state: number;
  private spare = -1;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next count: 0 with probability 1/e, 1 with 1/e, 2 with 1/(2e)... */
  next(): number {
    if (this.spare >= 0) {
      const count = this.spare;
      this.spare = -1;
      return count;
    }
    this.state = (this.state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    mixed ^= mixed >>> 14;
    this.spare = POISSON_ONE_TABLE[mixed & 0xffff] as number;
    return POISSON_ONE_TABLE[mixed >>> 16] as number;
  }

  /** Fills `out` with counts; with `clusters` (a cluster index per row), rows of one cluster share one count. */
  fill(out: Float64Array, clusters?: { index: Int32Array; count: number }): Float64Array {
    if (clusters === undefined) {
      for (let row = 0; row < out.length; row++) out[row] = this.next();
      return out;
    }
    const perCluster = new Float64Array(clusters.count);
    for (let cluster = 0; cluster < clusters.count; cluster++) perCluster[cluster] = this.next();
    for (let row = 0; row < out.length; row++) out[row] = perCluster[clusters.index[row] as number] as number;
    return out;
  }
}

/**
 * The q-quantile (0..1) of ascending values, interpolated linearly between order statistics (numpy's
 * default 'linear' method), with numpy's two-sided interpolation (`numpy/lib/function_base.py`, `_lerp`)
 * so that results agree with numpy to the last bit.
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = q * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const fraction = position - below;
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  const difference = high - low;
  return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction;
}

/** A percentile bootstrap interval, with how many replicates it rests on. */
export interface BootstrapInterval {
  lower: number;
  upper: number;
  level: number;
  /** Replicates with a defined value (a resample with one class only has no AUC). */
  resamples: number;
  /** Replicates left out because the statistic was undefined on them. */
  undefinedResamples: number;
  /** The replicates' standard deviation: the bootstrap standard error. */
  standardError: number;
}

/** The percentile interval at `level` (e.g. 0.95) of bootstrap replicates; NaN replicates are left out and counted. */
export function percentileInterval(replicates: ArrayLike<number>, level: number): BootstrapInterval {
  const defined = Float64Array.from(Array.prototype.filter.call(replicates, (value: number) => Number.isFinite(value)) as number[]).sort();
  const tail = (1 - level) / 2;
  let mean = 0;
  for (const value of defined) mean += value;
  mean /= defined.length;
  let squares = 0;
  for (const value of defined) squares += (value - mean) ** 2;
  return {
    lower: sortedQuantile(defined, tail),
    upper: sortedQuantile(defined, 1 - tail),
    level,
    resamples: defined.length,
    undefinedResamples: replicates.length - defined.length,
    standardError: defined.length > 1 ? Math.sqrt(squares / (defined.length - 1)) : NaN,
  };
}
