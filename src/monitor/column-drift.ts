/**
 * Drift of one column between a reference and a current sample, with the test Evidently chooses by default
 * (evidently `get_default_stattest`, documented in its "data drift" preset):
 * - a reference of at most 1,000 rows: Kolmogorov-Smirnov for a numeric column with more than 5 distinct
 *   reference values, else (and for categories) chi-square when it has more than 2 values, the
 *   two-proportion z-test for 2 or fewer; drift when p < 0.05;
 * - a larger reference: the Wasserstein distance over the reference's standard deviation (at least 0.001)
 *   for a numeric column with more than 5 distinct values in both samples together, drift at 0.1; the
 *   Jensen-Shannon distance for the rest, drift at 0.1;
 * - PSI and Kullback-Leibler on request (drift at 0.1 each).
 * Missing values are left out of both samples first, as Evidently does.
 */
import {
  chiSquareTest,
  fillZeroShares,
  jensenShannonDistance,
  kolmogorovSmirnov,
  kullbackLeibler,
  populationStabilityIndex,
  populationStandardDeviation,
  proportionsZTest,
  sortedFinite,
  sturgesHistograms,
  wassersteinDistance,
} from '../stats/drift-tests.js';

export type DriftTest = 'ks' | 'chi-square' | 'z-test' | 'wasserstein' | 'jensen-shannon' | 'psi' | 'kl';

/** A column's samples: numbers (NaN for missing) or category labels (null for missing). */
export type ColumnSample = { kind: 'numeric'; values: Float64Array } | { kind: 'categorical'; values: readonly (string | null)[] };

export interface ColumnDrift {
  column: string;
  test: DriftTest;
  /** The p-value for tests, the distance or index for the others. */
  score: number;
  /** Whether `score` is a p-value (drift below the threshold) or a distance (drift at or above it). */
  scoreKind: 'p-value' | 'distance';
  threshold: number;
  drifted: boolean;
  referenceCount: number;
  currentCount: number;
}

/** The threshold of each test when none is given (Evidently's defaults). */
export const DEFAULT_THRESHOLDS: Record<DriftTest, number> = { ks: 0.05, 'chi-square': 0.05, 'z-test': 0.05, wasserstein: 0.1, 'jensen-shannon': 0.1, psi: 0.1, kl: 0.1 };

/** Evidently's default test for a column, from the reference's size and the number of distinct values. */
export function defaultDriftTest(kind: ColumnSample['kind'], referenceRows: number, referenceDistinct: number, combinedDistinct: number): DriftTest {
  if (referenceRows <= 1000) {
    if (kind === 'numeric' && referenceDistinct > 5) return 'ks';
    return referenceDistinct > 2 ? 'chi-square' : 'z-test';
  }
  return kind === 'numeric' && combinedDistinct > 5 ? 'wasserstein' : 'jensen-shannon';
}

/** Compares a column's current sample with its reference, with the given test or the default one. */
export function columnDrift(column: string, reference: ColumnSample, current: ColumnSample, options: { test?: DriftTest; threshold?: number } = {}): ColumnDrift {
  const labelled = categoriesOf(reference, current);
  const referenceRows = labelled.referenceCount;
  const test = options.test ?? defaultDriftTest(reference.kind, referenceRows, labelled.referenceDistinct, labelled.keys.length);
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[test];
  const base = { column, test, threshold, referenceCount: referenceRows, currentCount: labelled.currentCount };
  const pValue = (score: number): ColumnDrift => ({ ...base, score, scoreKind: 'p-value', drifted: score < threshold });
  const distance = (score: number): ColumnDrift => ({ ...base, score, scoreKind: 'distance', drifted: score >= threshold });
  if (test === 'ks' || test === 'wasserstein') {
    if (reference.kind !== 'numeric' || current.kind !== 'numeric') throw new RangeError(`${test} needs a numeric column; "${column}" is categorical`);
    const [a, b] = [sortedFinite(reference.values), sortedFinite(current.values)];
    if (test === 'ks') return pValue(kolmogorovSmirnov(a, b).pValue);
    return distance(wassersteinDistance(a, b) / Math.max(populationStandardDeviation(a), 0.001));
  }
  if (test === 'z-test') {
    // Evidently codes the first category seen as 0 and everything else as 1; a single shared value cannot drift.
    if (labelled.keys.length <= 1) return pValue(1);
    const [first] = labelled.keys;
    const referenceOthers = referenceRows - (labelled.referenceCounts.get(first as string) ?? 0);
    const currentOthers = labelled.currentCount - (labelled.currentCounts.get(first as string) ?? 0);
    return pValue(proportionsZTest(referenceOthers, referenceRows, currentOthers, labelled.currentCount).pValue);
  }
  if (test === 'chi-square') {
    const scale = labelled.currentCount / referenceRows;
    const observed = labelled.keys.map((key) => labelled.currentCounts.get(key) ?? 0);
    const expected = labelled.keys.map((key) => (labelled.referenceCounts.get(key) ?? 0) * scale);
    return pValue(chiSquareTest(observed, expected).pValue);
  }
  const shares = binnedShares(reference, current, labelled);
  if (test === 'jensen-shannon') return distance(jensenShannonDistance(shares.reference, shares.current));
  const [r, c] = [fillZeroShares(shares.reference), fillZeroShares(shares.current)];
  return distance(test === 'psi' ? populationStabilityIndex(r, c) : kullbackLeibler(r, c));
}

interface Labelled {
  /** Every distinct non-missing value of either sample, reference's first (in order of first sight). */
  keys: string[];
  referenceCounts: Map<string, number>;
  currentCounts: Map<string, number>;
  referenceCount: number;
  currentCount: number;
  referenceDistinct: number;
}

function categoriesOf(reference: ColumnSample, current: ColumnSample): Labelled {
  const count = (sample: ColumnSample) => {
    const counts = new Map<string, number>();
    let total = 0;
    for (const value of sample.values) {
      if (value === null || (typeof value === 'number' && Number.isNaN(value))) continue;
      const key = String(value);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total += 1;
    }
    return { counts, total };
  };
  const r = count(reference);
  const c = count(current);
  const keys = [...new Set([...r.counts.keys(), ...c.counts.keys()])];
  return { keys, referenceCounts: r.counts, currentCounts: c.counts, referenceCount: r.total, currentCount: c.total, referenceDistinct: r.counts.size };
}

/**
 * The shares Evidently's `get_binned_data` compares: a numeric column with more than 20 distinct reference
 * values in Sturges bins over both samples (numpy's `histogram_bin_edges(bins="sturges")`), anything else
 * by value.
 */
function binnedShares(reference: ColumnSample, current: ColumnSample, labelled: Labelled): { reference: Float64Array; current: Float64Array } {
  if (reference.kind === 'numeric' && current.kind === 'numeric' && labelled.referenceDistinct > 20) {
    const histograms = sturgesHistograms(sortedFinite(reference.values), sortedFinite(current.values));
    return { reference: histograms.reference.map((n) => n / labelled.referenceCount), current: histograms.current.map((n) => n / labelled.currentCount) };
  }
  return {
    reference: Float64Array.from(labelled.keys, (key) => (labelled.referenceCounts.get(key) ?? 0) / labelled.referenceCount),
    current: Float64Array.from(labelled.keys, (key) => (labelled.currentCounts.get(key) ?? 0) / labelled.currentCount),
  };
}

/** Dataset drift: at least this share of the columns drifted (Evidently's default 0.5). */
export function datasetDrift(columns: readonly ColumnDrift[], share = 0.5): { drifted: boolean; driftedColumns: number; share: number } {
  const driftedColumns = columns.filter((column) => column.drifted).length;
  const observed = columns.length === 0 ? 0 : driftedColumns / columns.length;
  return { drifted: columns.length > 0 && observed >= share, driftedColumns, share: observed };
}
