/**
 * Target encoding: a category becomes the smoothed mean label of its training rows, the m-estimate
 * (sum + m * prior) / (count + m) of the grouped baseline (baselines.ts), so that a category seen a few
 * times stays near the prior. Training rows are encoded out of fold (each row by the other folds' rows,
 * as scikit-learn's TargetEncoder.fit_transform does), so that a row's own label never leaks into its
 * feature; prediction uses the encoding of all training rows. Missing and unseen categories get the prior.
 * Categories arrive as codes (NaN for missing); hot loops run over typed arrays.
 */
import type { Random } from '../../stats/random.js';

export interface TargetEncoding {
  smoothing: number;
  /** The mean training label: the value of missing and unseen categories. */
  prior: number;
  /** Category to its encoded value. */
  values: Record<string, number>;
}

/** Smoothed means per code, from the rows where `include` holds. */
function encodeCodes(codes: Float64Array, label: ArrayLike<number>, categories: number, smoothing: number, include: (row: number) => boolean): { prior: number; values: Float64Array } {
  const sums = new Float64Array(categories);
  const counts = new Float64Array(categories);
  let total = 0;
  let rows = 0;
  for (let row = 0; row < codes.length; row++) {
    if (!include(row)) continue;
    const value = label[row] as number;
    total += value;
    rows++;
    const code = codes[row] as number;
    if (code === code) {
      sums[code] = (sums[code] as number) + value;
      counts[code] = (counts[code] as number) + 1;
    }
  }
  const prior = rows === 0 ? 0 : total / rows;
  return { prior, values: sums.map((sum, code) => ((counts[code] as number) === 0 ? prior : (sum + smoothing * prior) / ((counts[code] as number) + smoothing))) };
}

/** The encoding learnt from every training row, as it is saved with the model. */
export function fitTargetEncoding(codes: Float64Array, categories: readonly string[], label: ArrayLike<number>, smoothing: number): TargetEncoding {
  const { prior, values } = encodeCodes(codes, label, categories.length, smoothing, () => true);
  return { smoothing, prior, values: Object.fromEntries(categories.map((category, code) => [category, values[code] as number])) };
}

/** Each training row's value from an encoding fitted on the other folds; folds drawn by `random`. */
export function outOfFoldEncoding(codes: Float64Array, categories: number, label: ArrayLike<number>, smoothing: number, folds: number, random: Random): Float64Array {
  const rows = codes.length;
  // A seeded shuffle (Fisher-Yates) dealt round-robin into folds of equal size.
  const order = Int32Array.from({ length: rows }, (_, row) => row);
  for (let index = rows - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const kept = order[index] as number;
    order[index] = order[other] as number;
    order[other] = kept;
  }
  const fold = new Int32Array(rows);
  order.forEach((row, position) => (fold[row] = position % folds));
  const encoded = new Float64Array(rows);
  for (let held = 0; held < folds; held++) {
    const { prior, values } = encodeCodes(codes, label, categories, smoothing, (row) => fold[row] !== held);
    for (let row = 0; row < rows; row++) {
      if (fold[row] !== held) continue;
      const code = codes[row] as number;
      encoded[row] = code === code ? (values[code] as number) : prior;
    }
  }
  return encoded;
}

/** Values of coded rows under a saved encoding; missing and unseen codes get the prior. */
export function applyTargetEncoding(encoding: TargetEncoding, codes: Float64Array, categories: readonly string[]): Float64Array {
  const byCode = categories.map((category) => (Object.hasOwn(encoding.values, category) ? (encoding.values[category] as number) : encoding.prior));
  return codes.map((code) => (code === code ? (byCode[code] ?? encoding.prior) : encoding.prior));
}
