/** The metrics early stopping watches, on predictions after the link (probabilities for classifiers). */
import { logLoss } from '../../evaluate/ranking-metrics.js';

export const VALIDATION_METRICS = ['auc', 'logloss', 'multi-logloss', 'rmse', 'mae'] as const;
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

const SIGN = 0x80000000;
const RADIX_MIN_ROWS = 1 << 16;

/**
 * Sorts doubles ascending in place by a least-significant-digit radix sort, 16 bits a pass, on keys that
 * order as the numbers do (the IEEE 754 bits with the sign bit flipped for positives and every bit flipped
 * for negatives, as in Herf's "Radix Tricks"). Linear in the rows, where the typed arrays' own sort is
 * n log n; passes whose digit is the same for every value are skipped. Typed arrays throughout. Below
 * RADIX_MIN_ROWS values the typed array's own sort is faster: four passes over 65,536 counters cost more
 * than n log n comparisons there (a validation set of 8,000 rows sorted in 3.6 ms rather than 0.5 ms).
 */
export function radixSortFloat64(values: Float64Array): void {
  const n = values.length;
  if (n < 2) return;
  if (n < RADIX_MIN_ROWS) {
    values.sort();
    return;
  }
  // Little-endian word pairs: [low, high] per value.
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  for (let index = 0; index < n; index++) {
    const high = words[index * 2 + 1] as number;
    if (high & SIGN) {
      words[index * 2] = ~(words[index * 2] as number);
      words[index * 2 + 1] = ~high;
    } else words[index * 2 + 1] = (high | SIGN) >>> 0;
  }
  let source: Uint32Array = words;
  let target: Uint32Array = new Uint32Array(n * 2);
  const counts = new Uint32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let index = 0; index < n; index++) {
      const slot = (((source[index * 2 + word] as number) >>> shift) & 0xffff) + 1;
      counts[slot] = (counts[slot] as number) + 1;
    }
    let constant = false;
    for (let digit = 1; digit <= 65536 && !constant; digit++) constant = counts[digit] === n;
    if (constant) continue;
    for (let digit = 1; digit <= 65536; digit++) counts[digit] = (counts[digit] as number) + (counts[digit - 1] as number);
    for (let index = 0; index < n; index++) {
      const digit = ((source[index * 2 + word] as number) >>> shift) & 0xffff;
      const position = counts[digit] as number;
      counts[digit] = position + 1;
      target[position * 2] = source[index * 2] as number;
      target[position * 2 + 1] = source[index * 2 + 1] as number;
    }
    [source, target] = [target, source];
  }
  if (source !== words) words.set(source);
  for (let index = 0; index < n; index++) {
    const high = words[index * 2 + 1] as number;
    if (high & SIGN) words[index * 2 + 1] = (high & ~SIGN) >>> 0;
    else {
      words[index * 2] = ~(words[index * 2] as number);
      words[index * 2 + 1] = ~high;
    }
  }
}

/**
 * ROC AUC as the Mann-Whitney U statistic, ties counted half (as scikit-learn's roc_auc_score), from the
 * positives' and negatives' scores each radix-sorted and then merged: linear in the rows, where sorting row
 * indices with a comparator is n log n with a slow constant; it matters when a validation set of half a
 * million rows is scored after every boosting round. NaN when only one class is present.
 */
export function sortedRocAuc(scores: ArrayLike<number>, label: ArrayLike<number>): number {
  let positives = 0;
  for (let row = 0; row < label.length; row++) if ((label[row] as number) > 0.5) positives++;
  const negatives = label.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const positive = new Float64Array(positives);
  const negative = new Float64Array(negatives);
  let p = 0;
  let n = 0;
  for (let row = 0; row < label.length; row++) {
    if ((label[row] as number) > 0.5) positive[p++] = scores[row] as number;
    else negative[n++] = scores[row] as number;
  }
  radixSortFloat64(positive);
  radixSortFloat64(negative);
  // For each positive: the negatives below it count 1, those equal to it 1/2. Both counts only grow.
  let below = 0;
  let atOrBelow = 0;
  let u = 0;
  for (let index = 0; index < positives; index++) {
    const value = positive[index] as number;
    while (below < negatives && (negative[below] as number) < value) below++;
    if (atOrBelow < below) atOrBelow = below;
    while (atOrBelow < negatives && (negative[atOrBelow] as number) <= value) atOrBelow++;
    u += below + (atOrBelow - below) / 2;
  }
  return u / (positives * negatives);
}

/** The metric's value; rows x outputs predictions, labels as class indices for multi-logloss. */
export function metricValue(metric: ValidationMetric, predictions: Float64Array, label: Float64Array, outputs: number): number {
  const rows = label.length;
  switch (metric) {
    case 'auc':
      return sortedRocAuc(predictions, label);
    case 'logloss':
      return logLoss(predictions, label);
    case 'multi-logloss': {
      let sum = 0;
      for (let row = 0; row < rows; row++) sum -= Math.log(Math.max(predictions[row * outputs + (label[row] as number)] as number, 1e-15));
      return sum / rows;
    }
    case 'rmse':
    case 'mae': {
      let sum = 0;
      for (let row = 0; row < rows; row++) {
        const error = (predictions[row] as number) - (label[row] as number);
        sum += metric === 'rmse' ? error * error : Math.abs(error);
      }
      return metric === 'rmse' ? Math.sqrt(sum / rows) : sum / rows;
    }
  }
}
