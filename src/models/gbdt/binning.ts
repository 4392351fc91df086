/**
 * Feature binning for histogram gradient boosting: each numeric feature gets at most MAX_BINS - 1 value
 * bins, cut at quantiles of a sample of its values (every distinct value its own bin when there are few),
 * and one more bin for missing values (NaN), as LightGBM and XGBoost's `hist` do.
 */

export const MAX_BINS = 255;
export const BIN_SAMPLE_ROWS = 200_000;

export interface FeatureBins {
  /** Value bins 0..thresholds.length; a value v lands in the first bin b with v <= thresholds[b], else the last. */
  thresholds: Float64Array;
  /** The bin of missing values: thresholds.length + 1. */
  missingBin: number;
}

/** Cut points for one feature from its values (NaN ignored); `rows` of a large column are sampled evenly. */
export function fitFeatureBins(values: ArrayLike<number>, maxBins = MAX_BINS): FeatureBins {
  const step = Math.max(1, Math.floor(values.length / BIN_SAMPLE_ROWS));
  const sample: number[] = [];
  for (let index = 0; index < values.length; index += step) {
    const value = values[index] ?? NaN;
    if (!Number.isNaN(value)) sample.push(value);
  }
  sample.sort((a, b) => a - b);
  const distinct: number[] = [];
  const counts: number[] = [];
  for (const value of sample) {
    if (distinct.length > 0 && distinct[distinct.length - 1] === value) counts[counts.length - 1] = (counts[counts.length - 1] ?? 0) + 1;
    else {
      distinct.push(value);
      counts.push(1);
    }
  }
  const valueBins = maxBins - 1;
  const cuts: number[] = [];
  if (distinct.length <= valueBins) {
    // Midpoints between neighbouring values, as LightGBM does for few distinct values.
    for (let index = 0; index + 1 < distinct.length; index++) cuts.push(((distinct[index] ?? 0) + (distinct[index + 1] ?? 0)) / 2);
  } else {
    // Equal-frequency cuts, never splitting one value across bins.
    const perBin = sample.length / valueBins;
    let seen = 0;
    let next = perBin;
    for (let index = 0; index + 1 < distinct.length; index++) {
      seen += counts[index] ?? 0;
      if (seen >= next) {
        cuts.push(((distinct[index] ?? 0) + (distinct[index + 1] ?? 0)) / 2);
        while (next <= seen) next += perBin;
        if (cuts.length >= valueBins - 1) break;
      }
    }
  }
  const thresholds = Float64Array.from(cuts);
  return { thresholds, missingBin: thresholds.length + 1 };
}

/** The bin of one value. */
export function binOf(bins: FeatureBins, value: number): number {
  if (Number.isNaN(value)) return bins.missingBin;
  const { thresholds } = bins;
  let low = 0;
  let high = thresholds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= (thresholds[middle] ?? Infinity)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Bins a whole column into a byte per row. */
export function binColumn(bins: FeatureBins, values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let index = 0; index < values.length; index++) out[index] = binOf(bins, values[index] ?? NaN);
  return out;
}
