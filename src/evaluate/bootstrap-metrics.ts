/**
 * Bootstrap intervals of evaluation metrics, seeded and reproducible. Every resample is a Poisson
 * bootstrap (src/stats/bootstrap.ts): each row (or each query, for ranking) gets a Poisson(1) count that
 * multiplies its sample weight, so every metric that takes sample weights is resampled the same way, and
 * binary metrics are read from data sorted once (sorted-binary.ts). Paired comparisons give the champion
 * and the challenger the same counts on the same rows and take the percentile interval of the difference.
 */
import { MlcycleError } from '../error.js';
import { percentileInterval, PoissonOneStream, type BootstrapInterval } from '../stats/bootstrap.js';
import { binaryMetricsFromSorted, bootstrapAucReplicates, sortBinary, type BinaryMetricOptions, type BinaryMetricValues, type SortedBinary } from './sorted-binary.js';
import type { SampleWeights } from '../metrics/score-order.js';

export interface BootstrapOptions {
  /** Resamples (default 1,000). */
  resamples?: number;
  /** The seed of the Poisson counts (default 1). */
  seed?: number;
  /** The interval's confidence level (default 0.95). */
  level?: number;
}

/** A metric's point estimate with its percentile bootstrap interval. */
export interface MetricEstimate extends BootstrapInterval {
  estimate: number;
}

/** Metric name to estimate. */
export type MetricEstimates = Record<string, MetricEstimate>;

interface ResolvedBootstrap {
  resamples: number;
  seed: number;
  level: number;
}

/** Fills in defaults and refuses resample counts and levels that make no interval. */
export function resolveBootstrap(options: BootstrapOptions = {}): ResolvedBootstrap {
  const resolved = { resamples: options.resamples ?? 1000, seed: options.seed ?? 1, level: options.level ?? 0.95 };
  if (!Number.isInteger(resolved.resamples) || resolved.resamples < 2 || resolved.resamples > 100_000) {
    throw new MlcycleError('invalid_input', `bootstrap resamples: expected a whole number from 2 to 100000, got ${resolved.resamples}`);
  }
  if (!(resolved.level > 0 && resolved.level < 1)) throw new MlcycleError('invalid_input', `confidence level must be between 0 and 1, got ${resolved.level}`);
  if (!Number.isInteger(resolved.seed)) throw new MlcycleError('invalid_input', `bootstrap seed: expected a whole number, got ${resolved.seed}`);
  return resolved;
}

/** Clusters for the resampling unit: one index per row (queries in ranking); rows of a cluster share a count. */
export interface Clusters {
  index: Int32Array;
  count: number;
}

/** Cluster indices of a column of ids, in order of first appearance. */
export function clustersOf(ids: ArrayLike<string | number>): Clusters {
  const seen = new Map<string | number, number>();
  const index = new Int32Array(ids.length);
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row] as string | number;
    let cluster = seen.get(id);
    if (cluster === undefined) seen.set(id, (cluster = seen.size));
    index[row] = cluster;
  }
  return { index, count: seen.size };
}

function estimates(point: Record<string, number>, replicates: Record<string, Float64Array>, level: number): MetricEstimates {
  const out: MetricEstimates = {};
  for (const [name, estimate] of Object.entries(point)) out[name] = { estimate, ...percentileInterval(replicates[name] as Float64Array, level) };
  return out;
}

/**
 * Any set of metrics computed by `compute(weights)` (weights: one per row, the sample weight times the
 * resample's count; undefined for the point estimate with no sample weights), with intervals.
 */
export function bootstrapMetrics(rows: number, compute: (weights: Float64Array | undefined) => Record<string, number>, sampleWeights: SampleWeights, options: BootstrapOptions = {}, clusters?: Clusters): MetricEstimates {
  const { resamples, seed, level } = resolveBootstrap(options);
  const base = sampleWeights === undefined ? undefined : Float64Array.from(sampleWeights);
  const point = compute(base);
  const replicates: Record<string, Float64Array> = Object.fromEntries(Object.keys(point).map((name) => [name, new Float64Array(resamples)]));
  const stream = new PoissonOneStream(seed);
  const counts = new Float64Array(rows);
  for (let replicate = 0; replicate < resamples; replicate++) {
    stream.fill(counts, clusters);
    if (base !== undefined) for (let row = 0; row < rows; row++) counts[row] = (counts[row] as number) * (base[row] as number);
    const values = safely(() => compute(counts));
    for (const name of Object.keys(point)) (replicates[name] as Float64Array)[replicate] = values?.[name] ?? NaN;
  }
  return estimates(point, replicates, level);
}

/** A replicate whose metric cannot be computed (every count zero, say) is undefined, not a failure. */
function safely<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch (error) {
    if (error instanceof MlcycleError && error.code === 'invalid_input') return undefined;
    throw error;
  }
}

/** Gathers per-row counts into a sorted model's order. */
function inSortedOrder(sorted: SortedBinary, counts: Float64Array, out: Float64Array): Float64Array {
  for (let position = 0; position < sorted.rows; position++) out[position] = counts[sorted.order[position] as number] as number;
  return out;
}

/** Every binary metric with its interval, from one sort and one pass per resample. */
export function bootstrapBinaryMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, weights: SampleWeights, metricOptions: BinaryMetricOptions = {}, options: BootstrapOptions = {}): MetricEstimates {
  const sorted = sortBinary(labels, scores, weights, metricOptions);
  return bootstrapSortedBinary(sorted, options);
}

/** As bootstrapBinaryMetrics, for rows already sorted. */
export function bootstrapSortedBinary(sorted: SortedBinary, options: BootstrapOptions = {}): MetricEstimates {
  const { resamples, seed, level } = resolveBootstrap(options);
  const point = binaryMetricsFromSorted(sorted) as unknown as Record<string, number>;
  const replicates: Record<string, Float64Array> = Object.fromEntries(Object.keys(point).map((name) => [name, new Float64Array(resamples)]));
  const stream = new PoissonOneStream(seed);
  const counts = new Float64Array(sorted.rows);
  for (let replicate = 0; replicate < resamples; replicate++) {
    // Row order does not matter for independent counts: fill in sorted order directly.
    const values = binaryMetricsFromSorted(sorted, stream.fill(counts)) as unknown as Record<string, number>;
    for (const name of Object.keys(point)) (replicates[name] as Float64Array)[replicate] = values[name] as number;
  }
  return estimates(point, replicates, level);
}

/** ROC AUC with its interval by the specialised once-sorted Poisson bootstrap (the large-data path). */
export function bootstrapAuc(labels: ArrayLike<number>, scores: ArrayLike<number>, weights?: SampleWeights, options: BootstrapOptions = {}): MetricEstimate {
  const { resamples, seed, level } = resolveBootstrap(options);
  const sorted = sortBinary(labels, scores, weights);
  return { estimate: binaryMetricsFromSorted(sorted).roc_auc, ...percentileInterval(bootstrapAucReplicates(sorted, resamples, seed), level) };
}

/** A paired difference (challenger minus champion) with its interval and the champion's and challenger's estimates. */
export interface PairedDifference extends MetricEstimate {
  champion: number;
  challenger: number;
}

/**
 * Paired bootstrap of every binary metric: both models' rows get the same counts, and the interval is the
 * percentile interval of the per-replicate difference, challenger minus champion.
 */
export function pairedBinaryBootstrap(champion: SortedBinary, challenger: SortedBinary, options: BootstrapOptions = {}): Record<keyof BinaryMetricValues, PairedDifference> {
  if (champion.rows !== challenger.rows) throw new MlcycleError('invalid_input', `a paired comparison needs the same rows: ${champion.rows} against ${challenger.rows}`);
  const { resamples, seed, level } = resolveBootstrap(options);
  const championPoint = binaryMetricsFromSorted(champion);
  const challengerPoint = binaryMetricsFromSorted(challenger);
  const names = Object.keys(championPoint) as (keyof BinaryMetricValues)[];
  const replicates = Object.fromEntries(names.map((name) => [name, new Float64Array(resamples)])) as Record<keyof BinaryMetricValues, Float64Array>;
  const stream = new PoissonOneStream(seed);
  const counts = new Float64Array(champion.rows);
  const championCounts = new Float64Array(champion.rows);
  const challengerCounts = new Float64Array(challenger.rows);
  for (let replicate = 0; replicate < resamples; replicate++) {
    stream.fill(counts);
    const a = binaryMetricsFromSorted(champion, inSortedOrder(champion, counts, championCounts));
    const b = binaryMetricsFromSorted(challenger, inSortedOrder(challenger, counts, challengerCounts));
    for (const name of names) replicates[name][replicate] = b[name] - a[name];
  }
  return Object.fromEntries(
    names.map((name) => [name, { estimate: challengerPoint[name] - championPoint[name], champion: championPoint[name], challenger: challengerPoint[name], ...percentileInterval(replicates[name], level) }]),
  ) as Record<keyof BinaryMetricValues, PairedDifference>;
}

/** Paired bootstrap of any metrics computed by `compute(model, weights)` for two models on the same rows. */
export function pairedBootstrap(
  rows: number,
  compute: (model: 'champion' | 'challenger', weights: Float64Array | undefined) => Record<string, number>,
  sampleWeights: SampleWeights,
  options: BootstrapOptions = {},
  clusters?: Clusters,
): Record<string, PairedDifference> {
  const { resamples, seed, level } = resolveBootstrap(options);
  const base = sampleWeights === undefined ? undefined : Float64Array.from(sampleWeights);
  const championPoint = compute('champion', base);
  const challengerPoint = compute('challenger', base);
  const names = Object.keys(championPoint);
  const replicates: Record<string, Float64Array> = Object.fromEntries(names.map((name) => [name, new Float64Array(resamples)]));
  const stream = new PoissonOneStream(seed);
  const counts = new Float64Array(rows);
  for (let replicate = 0; replicate < resamples; replicate++) {
    stream.fill(counts, clusters);
    if (base !== undefined) for (let row = 0; row < rows; row++) counts[row] = (counts[row] as number) * (base[row] as number);
    const a = safely(() => compute('champion', counts));
    const b = safely(() => compute('challenger', counts));
    for (const name of names) (replicates[name] as Float64Array)[replicate] = (b?.[name] ?? NaN) - (a?.[name] ?? NaN);
  }
  return Object.fromEntries(
    names.map((name) => {
      const champion = championPoint[name] as number;
      const challenger = challengerPoint[name] as number;
      return [name, { estimate: challenger - champion, champion, challenger, ...percentileInterval(replicates[name] as Float64Array, level) }];
    }),
  );
}
