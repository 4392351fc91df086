/**
 * Column drift against a reference prepared once: a monitor compares many windows (and, for thresholds
 * from the reference's spread, many reference chunks) with the same reference, so its numbers are sorted
 * and its categories counted once instead of at every comparison. The tests and their choice are
 * column-drift.ts's (Evidently's defaults); this file only reuses the reference's preparation, and
 * gives the same score as `columnDrift` on the raw samples (monitor-drift.test.ts checks it).
 *
 * Thresholds from the reference's spread (NannyML's default for drift and performance): the statistic of
 * `chunks` reference chunks of a window's size, each against the whole reference, and the threshold
 * their mean plus three standard deviations. A window then drifts when it differs from the reference
 * more than the reference's own chunks do, which a large window's tiny sampling noise does not reach.
 */
import { sortedFinite, wassersteinDistance, populationStandardDeviation } from '../stats/drift-tests.js';
import { categoryCounts, columnDrift, DEFAULT_THRESHOLDS, type ColumnDrift, type DriftTest } from './column-drift.js';
import type { ColumnValues } from './monitor-samples.js';

export type PreparedColumn =
  | { kind: 'numeric'; raw: Float64Array; sorted: Float64Array; missing: number; std: number; min: number; max: number; counts?: Map<string, number> }
  | { kind: 'categorical'; raw: (string | null)[]; counts: Map<string, number>; rows: number; missing: number };

export function prepareColumn(column: ColumnValues): PreparedColumn {
  if (column.kind === 'numeric') {
    const sorted = sortedFinite(column.values);
    return { kind: 'numeric', raw: column.values, sorted, missing: column.values.length - sorted.length, std: populationStandardDeviation(sorted), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
  }
  const counts = categoryCounts(column.values);
  let rows = 0;
  for (const count of counts.values()) rows += count;
  return { kind: 'categorical', raw: column.values, counts, rows, missing: column.values.length - rows };
}

/** Distinct values of two ascending arrays together (one merge). */
function combinedDistinct(a: Float64Array, b: Float64Array, stopAbove: number): number {
  let i = 0;
  let j = 0;
  let distinct = 0;
  let last = NaN;
  while (i < a.length || j < b.length) {
    const value = j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number)) ? (a[i++] as number) : (b[j++] as number);
    if (value !== last) {
      distinct += 1;
      last = value;
      if (distinct > stopAbove) return distinct;
    }
  }
  return distinct;
}

function numericCounts(values: Float64Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) if (!Number.isNaN(value)) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  return counts;
}

/** The drift of a window's column against a prepared reference column, with Evidently's default test unless one is named. */
export function driftAgainst(name: string, reference: PreparedColumn, current: ColumnValues, options: { test?: DriftTest; threshold?: number } = {}): ColumnDrift {
  if (reference.kind === 'categorical' || current.kind === 'categorical') {
    const referenceCounts = reference.kind === 'categorical' ? reference.counts : (reference.counts ??= numericCounts(reference.raw));
    const currentCounts = current.kind === 'categorical' ? categoryCounts(current.values) : numericCounts(current.values);
    if (options.test === 'ks' || options.test === 'wasserstein') throw new RangeError(`${options.test} needs a numeric column; "${name}" is categorical`);
    return columnDrift(name, { kind: 'categorical', counts: referenceCounts }, { kind: 'categorical', counts: currentCounts }, options);
  }
  const rows = reference.sorted.length;
  const sorted = sortedFinite(current.values);
  // Small references, and tests named on request, go through columnDrift on the raw samples.
  if (rows <= 1000 || options.test !== undefined) return columnDrift(name, { kind: 'numeric', values: reference.raw }, { kind: 'numeric', values: current.values }, options);
  if (combinedDistinct(reference.sorted, sorted, 5) > 5) {
    const threshold = options.threshold ?? DEFAULT_THRESHOLDS.wasserstein;
    const score = wassersteinDistance(reference.sorted, sorted) / Math.max(reference.std, 0.001);
    return { column: name, test: 'wasserstein', score, scoreKind: 'distance', threshold, drifted: score >= threshold, referenceCount: rows, currentCount: sorted.length };
  }
  // Five distinct values or fewer: compared by value, as column-drift.ts does.
  reference.counts ??= numericCounts(reference.raw);
  return columnDrift(name, { kind: 'categorical', counts: reference.counts }, { kind: 'categorical', counts: numericCounts(current.values) }, options);
}

/**
 * `chunks` reference chunks of `size` rows: contiguous slices evenly spaced from the first row to the last
 * (NannyML's chunks, right when the reference is a period of the same traffic in time order), or seeded
 * random samples without replacement (right for a dataset whose file order says nothing about the order
 * requests arrive in: a training file sorted by time would give chunks of a few hours each).
 */
export function referenceChunks(column: PreparedColumn, size: number, chunks: number, mode: 'contiguous' | 'random', random: () => number): ColumnValues[] {
  const total = column.raw.length;
  if (total < size * 2) return [];
  return Array.from({ length: chunks }, (_, index) => {
    if (mode === 'contiguous') {
      const start = Math.floor((index * (total - size)) / Math.max(chunks - 1, 1));
      return column.kind === 'numeric' ? { kind: 'numeric', values: column.raw.subarray(start, start + size), invalid: 0 } : { kind: 'categorical', values: column.raw.slice(start, start + size), invalid: 0 };
    }
    // Floyd's algorithm: `size` distinct rows of `total`, in the order drawn.
    const rows = new Set<number>();
    for (let upper = total - size; upper < total; upper++) {
      const pick = Math.floor(random() * (upper + 1));
      rows.add(rows.has(pick) ? upper : pick);
    }
    const picked = [...rows];
    return column.kind === 'numeric' ? { kind: 'numeric', values: Float64Array.from(picked, (row) => column.raw[row] as number), invalid: 0 } : { kind: 'categorical', values: picked.map((row) => column.raw[row] ?? null), invalid: 0 };
  });
}

/**
 * The reference without one of its chunks: a chunk compared with a reference that contains it looks closer
 * than a new window of its size would (with a 3,000-row reference and 500-row chunks, a sixth of the
 * reference is the chunk itself), so each chunk is compared with the rest of the reference.
 */
export function withoutChunk(column: PreparedColumn, chunk: ColumnValues): PreparedColumn {
  if (column.kind === 'categorical' || chunk.kind === 'categorical') {
    const counts = new Map(column.kind === 'categorical' ? column.counts : (column.counts ??= numericCounts(column.raw)));
    const removed = chunk.kind === 'categorical' ? categoryCounts(chunk.values) : numericCounts(chunk.values);
    let rows = 0;
    for (const [key, count] of removed) counts.set(key, (counts.get(key) ?? 0) - count);
    for (const [key, count] of counts) {
      if (count <= 0) counts.delete(key);
      else rows += count;
    }
    if (column.kind === 'categorical') return { kind: 'categorical', raw: [], counts, rows, missing: 0 };
    const rest = withoutSorted(column.sorted, sortedFinite(chunk.values as Float64Array));
    return { kind: 'numeric', raw: rest, sorted: rest, missing: 0, std: populationStandardDeviation(rest), min: rest[0] ?? NaN, max: rest.at(-1) ?? NaN, counts };
  }
  const rest = withoutSorted(column.sorted, sortedFinite(chunk.values));
  return { kind: 'numeric', raw: rest, sorted: rest, missing: 0, std: populationStandardDeviation(rest), min: rest[0] ?? NaN, max: rest.at(-1) ?? NaN };
}

/** The ascending multiset `all` minus the ascending multiset `part` (a subset of it). */
function withoutSorted(all: Float64Array, part: Float64Array): Float64Array {
  const rest = new Float64Array(all.length - part.length);
  let j = 0;
  let k = 0;
  for (let i = 0; i < all.length; i++) {
    if (j < part.length && all[i] === part[j]) j++;
    else if (k < rest.length) rest[k++] = all[i] as number;
  }
  return k === rest.length ? rest : rest.subarray(0, k);
}

/** Mean plus three standard deviations (population) of the chunks' statistics: NannyML's default upper threshold. */
export function spreadThreshold(values: readonly number[]): { threshold: number; mean: number; sd: number } | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 3) return null;
  const mean = finite.reduce((sum, value) => sum + value, 0) / finite.length;
  const sd = Math.sqrt(finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / finite.length);
  return { threshold: mean + 3 * sd, mean, sd };
}
