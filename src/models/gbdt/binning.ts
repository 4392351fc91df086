/**
 * Feature binning for histogram gradient boosting: each numeric feature gets at most MAX_BINS - 1 value
 * bins, cut at quantiles of a sample of its values (every distinct value its own bin when there are few),
 * and one more bin for missing values (NaN), as LightGBM and XGBoost's `hist` do.
 */

export const MAX_BINS = 255;
export const BIN_SAMPLE_ROWS = 200_000;

export interface FeatureBins {
  /** Numeric features: value bins 0..thresholds.length; v lands in the first bin b with v <= thresholds[b]. */
  thresholds: Float64Array;
  /** Categorical features: the category code of each bin, most frequent first. */
  categories?: Int32Array;
  /** The bin of missing values (and, for categories, of codes too rare to have a bin of their own). */
  missingBin: number;
}

/**
 * Bins for a categorical feature of non-negative integer codes: a bin per code, most frequent first, at
 * most maxBins - 1 of them; NaN, negative codes and rarer codes share the missing bin.
 */
export function fitCategoricalBins(values: ArrayLike<number>, maxBins = MAX_BINS): FeatureBins {
  const counts = new Map<number, number>();
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? NaN;
    if (Number.isNaN(value) || value < 0) continue;
    const code = Math.trunc(value);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxBins - 1);
  const categories = Int32Array.from(ordered, ([code]) => code);
  return { thresholds: new Float64Array(0), categories, missingBin: categories.length };
}

/** Cut points for one feature from its values (NaN ignored); `rows` of a large column are sampled evenly. */
export function fitFeatureBins(values: ArrayLike<number>, maxBins = MAX_BINS): FeatureBins {
  const step = Math.max(1, Math.floor(values.length / BIN_SAMPLE_ROWS));
  const taken = new Float64Array(Math.ceil(values.length / step));
  let size = 0;
  for (let index = 0; index < values.length; index += step) {
    const value = values[index] ?? NaN;
    if (!Number.isNaN(value)) taken[size++] = value;
  }
  // A typed array's own numeric sort (several times faster than a comparator): it orders -0 before 0 where
  // a comparator keeps their order, which changes no cut, since the two count as one distinct value.
  const sample = taken.subarray(0, size).sort();
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
  if (bins.categories !== undefined) {
    const bin = categoryBins(bins).get(Math.trunc(value));
    return bin ?? bins.missingBin;
  }
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

const categoryLookups = new WeakMap<FeatureBins, Map<number, number>>();

/** Code to bin, built once per feature. */
function categoryBins(bins: FeatureBins): Map<number, number> {
  let lookup = categoryLookups.get(bins);
  if (lookup === undefined) {
    lookup = new Map(Array.from(bins.categories ?? [], (code, bin) => [code, bin]));
    categoryLookups.set(bins, lookup);
  }
  return lookup;
}

/** Codes up to this bound are looked up in a table when a whole column is binned; larger ones in the map. */
const TABLE_CODES = 1 << 20;

/**
 * Bins a whole column into a byte per row: the same bins as `binOf` value by value, with the search
 * written out for numbers and a table for category codes (a map look-up per row took most of the time).
 */
export function binColumn(bins: FeatureBins, values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  const missingBin = bins.missingBin;
  if (bins.categories !== undefined) {
    const codes = bins.categories;
    let largest = -1;
    for (let bin = 0; bin < codes.length; bin++) largest = Math.max(largest, codes[bin] as number);
    if (largest >= TABLE_CODES) {
      for (let index = 0; index < values.length; index++) out[index] = binOf(bins, values[index] ?? NaN);
      return out;
    }
    const table = new Uint8Array(largest + 1).fill(missingBin);
    for (let bin = 0; bin < codes.length; bin++) table[codes[bin] as number] = bin;
    for (let index = 0; index < values.length; index++) {
      const code = Math.trunc(values[index] ?? NaN);
      // NaN, negative codes and codes past the table are all missing (the map has none of them either).
      out[index] = code >= 0 && code <= largest ? (table[code] as number) : missingBin;
    }
    return out;
  }
  const thresholds = bins.thresholds;
  const cuts = thresholds.length;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? NaN;
    if (Number.isNaN(value)) {
      out[index] = missingBin;
      continue;
    }
    let low = 0;
    let high = cuts;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (value <= (thresholds[middle] as number)) high = middle;
      else low = middle + 1;
    }
    out[index] = low;
  }
  return out;
}
