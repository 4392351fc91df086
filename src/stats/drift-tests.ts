/**
 * Two-sample statistics that compare a column's reference values with its current values, as drift
 * monitors use them: the Kolmogorov-Smirnov test, the chi-square test of current category counts against
 * the reference's proportions, the two-proportion z-test, the Wasserstein distance, and the distances of
 * binned distributions (Jensen-Shannon, population stability index, Kullback-Leibler). Each matches the
 * scipy function Evidently calls (scipy 1.10: `ks_2samp`, `chisquare`, `wasserstein_distance`,
 * `distance.jensenshannon`); the fixtures in test/fixtures/monitor/ hold scipy's values. Hot loops run over
 * sorted Float64Arrays.
 */
import { radixSortFloat64 } from '../metrics/radix-sort.js';
import { chiSquareSurvival, normalSurvival } from './distributions.js';

/** A Kolmogorov-Smirnov result: the largest gap between the two empirical CDFs and its p-value. */
export interface KsResult {
  statistic: number;
  pValue: number;
  /** `exact` (Hodges' lattice paths, as scipy for samples up to 10,000) or `asymptotic`. */
  method: 'exact' | 'asymptotic';
}

/** Ascending copy, NaN dropped (a radix sort: the same order as the typed array's sort, -0 before +0). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let count = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (!Number.isNaN(value)) out[count++] = value;
  }
  const sorted = out.subarray(0, count);
  radixSortFloat64(sorted);
  return sorted;
}

/**
 * The two-sided two-sample Kolmogorov-Smirnov test on sorted samples. Like scipy's `ks_2samp` (method
 * "auto"), the p-value is exact when neither sample exceeds 10,000 values: the probability that a random
 * lattice path leaves the band |x/m - y/n| < d, by Hodges' inside method in the 1 - p form of Viehmann
 * (2021, arXiv:2102.08037), or the closed sum for equal sizes. Above that it is the limiting Kolmogorov
 * distribution at Stephens' corrected argument (sqrt(en) + 0.12 + 0.11 / sqrt(en)) d, en = m n / (m + n),
 * where scipy evaluates the finite-n distribution `kstwo` at round(en): the two differ by a few percent of
 * the p-value at en in the hundreds and agree as en grows.
 */
export function kolmogorovSmirnov(reference: Float64Array, current: Float64Array): KsResult {
  const n1 = reference.length;
  const n2 = current.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Kolmogorov-Smirnov needs values in both samples');
  // The largest |F1 - F2| over every observed value, with ties stepping both CDFs together.
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < n1 && j < n2) {
    const value = Math.min(reference[i] as number, current[j] as number);
    while (i < n1 && reference[i] === value) i += 1;
    while (j < n2 && current[j] === value) j += 1;
    statistic = Math.max(statistic, Math.abs(i / n1 - j / n2));
  }
  if (Math.max(n1, n2) <= 10_000) {
    const divisor = greatestCommonDivisor(n1, n2);
    const lcm = (n1 / divisor) * n2;
    const h = Math.round(statistic * lcm);
    const exact = h === 0 ? 1 : n1 === n2 ? probabilityOutsideSquare(n1, h) : probabilityOutsideBand(n1, n2, divisor, h);
    if (Number.isFinite(exact) && exact >= 0 && exact <= 1) return { statistic: h / lcm, pValue: exact, method: 'exact' };
  }
  const en = (n1 * n2) / (n1 + n2);
  const lambda = (Math.sqrt(en) + 0.12 + 0.11 / Math.sqrt(en)) * statistic;
  return { statistic, pValue: Math.min(1, Math.max(0, kolmogorovSurvival(lambda))), method: 'asymptotic' };
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * P(D >= h / n) for two samples of size n: 2 (A0 - A0 A1 + A0 A1 A2 - ...), each Ak a ratio of binomials
 * reduced to h factors, summed from the innermost term outwards so that nothing cancels.
 */
function probabilityOutsideSquare(n: number, h: number): number {
  let total = 0;
  for (let k = Math.floor(n / h); k >= 0; k -= 1) {
    let term = 1;
    for (let step = 0; step < h; step += 1) term = ((n - k * h - step) * term) / (n + k * h + step + 1);
    total = term * (1 - total);
  }
  return 2 * total;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| < h / lcm(m, n), by
 * column: each cell holds the probability that a path through it has already left, so the recursion
 * carries 1 - p and keeps its precision for small p-values (Viehmann 2021).
 */
function probabilityOutsideBand(first: number, second: number, divisor: number, h: number): number {
  const m = Math.max(first, second);
  const n = Math.min(first, second);
  const mg = m / divisor;
  const ng = n / divisor;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let length = maxJ - minJ;
  const cells = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  cells.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i += 1) {
    const lastMinJ = minJ;
    const lastLength = length;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let offset = 0; offset < maxJ - minJ; offset += 1) {
      const j = offset + minJ;
      value = ((cells[offset + minJ - lastMinJ] as number) * i + value * j) / (i + j);
      cells[offset] = value;
    }
    length = maxJ - minJ;
    if (lastLength > length) cells.fill(1, length, length + (lastLength - length));
  }
  return cells[maxJ - minJ - 1] as number;
}

/** The limiting Kolmogorov distribution's survival function, 2 sum (-1)^(k-1) exp(-2 k^2 x^2). */
function kolmogorovSurvival(x: number): number {
  if (x <= 0) return 1;
  if (x < 0.2) return 1;
  let total = 0;
  for (let k = 1; k <= 100; k += 1) {
    const term = Math.exp(-2 * k * k * x * x);
    total += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return 2 * total;
}

/**
 * Pearson's chi-square test of observed counts against expected counts (scipy's `chisquare` with `f_exp`),
 * k - 1 degrees of freedom.
 */
export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): { statistic: number; pValue: number } {
  let statistic = 0;
  for (let index = 0; index < observed.length; index += 1) {
    const e = expected[index] as number;
    const difference = (observed[index] as number) - e;
    statistic += (difference * difference) / e;
  }
  return { statistic, pValue: chiSquareSurvival(statistic, observed.length - 1) };
}

/** The two-sided z-test of two proportions with the pooled standard error (Evidently's `z_stat_test`). */
export function proportionsZTest(referenceSuccesses: number, referenceCount: number, currentSuccesses: number, currentCount: number): { statistic: number; pValue: number } {
  const p1 = referenceSuccesses / referenceCount;
  const p2 = currentSuccesses / currentCount;
  const pooled = (referenceSuccesses + currentSuccesses) / (referenceCount + currentCount);
  const statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / referenceCount + 1 / currentCount));
  return { statistic, pValue: 2 * normalSurvival(Math.abs(statistic)) };
}

/**
 * The first Wasserstein distance between two empirical distributions on the line: the area between their
 * CDFs (scipy's `wasserstein_distance` with equal weights), over sorted samples.
 */
export function wassersteinDistance(reference: Float64Array, current: Float64Array): number {
  const n1 = reference.length;
  const n2 = current.length;
  let i = 0;
  let j = 0;
  let area = 0;
  let previous = Math.min(reference[0] as number, current[0] as number);
  while (i < n1 || j < n2) {
    const next = Math.min(i < n1 ? (reference[i] as number) : Infinity, j < n2 ? (current[j] as number) : Infinity);
    area += Math.abs(i / n1 - j / n2) * (next - previous);
    while (i < n1 && reference[i] === next) i += 1;
    while (j < n2 && current[j] === next) j += 1;
    previous = next;
  }
  return area;
}

/** The population standard deviation (numpy's `std`), by Welford's update. */
export function populationStandardDeviation(values: Float64Array): number {
  let mean = 0;
  let squares = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    const delta = value - mean;
    mean += delta / (index + 1);
    squares += delta * (value - mean);
  }
  return Math.sqrt(squares / values.length);
}

/**
 * The Jensen-Shannon distance between two distributions given as weights (scipy's
 * `distance.jensenshannon`, natural logarithm): each normalised to sum to one, then
 * sqrt((KL(p || m) + KL(q || m)) / 2) with m their average.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [pn, qn] = [normalise(p), normalise(q)];
  let divergence = 0;
  for (let index = 0; index < pn.length; index += 1) {
    const a = pn[index] as number;
    const b = qn[index] as number;
    const m = (a + b) / 2;
    if (a > 0) divergence += a * Math.log(a / m);
    if (b > 0) divergence += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** The population stability index, sum (r - c) ln(r / c), over shares with no zeros (fillZeroShares). */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < reference.length; index += 1) {
    const r = reference[index] as number;
    const c = current[index] as number;
    total += (r - c) * Math.log(r / c);
  }
  return total;
}

/** The Kullback-Leibler divergence KL(reference || current) of normalised shares (scipy's `entropy(p, q)`). */
export function kullbackLeibler(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const [p, q] = [normalise(reference), normalise(current)];
  let total = 0;
  for (let index = 0; index < p.length; index += 1) {
    const a = p[index] as number;
    if (a > 0) total += a * Math.log(a / (q[index] as number));
  }
  return total;
}

/**
 * Shares with their zeros replaced, as Evidently's `get_binned_data` does before PSI and KL: by the
 * smallest non-zero share over a million when that share is at most 0.0001, else by 0.0001.
 */
export function fillZeroShares(shares: Float64Array): Float64Array {
  let smallest = Infinity;
  for (const share of shares) if (share > 0 && share < smallest) smallest = share;
  const fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
  return shares.map((share) => (share === 0 ? fill : share));
}

function normalise(values: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[index] as number;
  return Float64Array.from({ length: values.length }, (_, index) => (values[index] as number) / sum);
}

/**
 * numpy's `histogram_bin_edges(values, bins="sturges")` and `histogram` counts for two sorted samples on
 * the edges of their union: ceil(log2 N) + 1 equal bins from the minimum to the maximum, each half-open
 * but the last, with numpy's rounding corrections at the edges.
 */
export function sturgesHistograms(reference: Float64Array, current: Float64Array): { edges: Float64Array; reference: Float64Array; current: Float64Array } {
  const total = reference.length + current.length;
  const low = Math.min(reference[0] as number, current[0] as number);
  let high = Math.max(reference[reference.length - 1] as number, current[current.length - 1] as number);
  const spread = high - low;
  let first = low;
  if (first === high) {
    first -= 0.5;
    high += 0.5;
  }
  // numpy: the width ptp / (log2 N + 1), then ceil(range / width) bins, and linspace's start + index * step.
  const width = spread / (Math.log2(total) + 1);
  const bins = width > 0 ? Math.ceil((high - first) / width) : 1;
  const step = (high - first) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, index) => (index === bins ? high : first + index * step));
  const count = (values: Float64Array) => {
    const counts = new Float64Array(bins);
    const norm = bins / (high - first);
    for (const value of values) {
      let bin = Math.floor((value - first) * norm);
      if (bin === bins) bin -= 1;
      if (value < (edges[bin] as number)) bin -= 1;
      else if (bin !== bins - 1 && value >= (edges[bin + 1] as number)) bin += 1;
      counts[bin] = (counts[bin] as number) + 1;
    }
    return counts;
  };
  return { edges, reference: count(reference), current: count(current) };
}
