/**
 * Binary metrics from data sorted once by descending score. Every metric of binary-metrics.ts is read in
 * one pass over the sorted rows from weighted counts, so a bootstrap replicate (the same rows with new
 * Poisson weights) costs one linear pass and no re-sort. Per-row loss terms and calibration bins are
 * computed once. Typed arrays throughout: this is the hot loop of the evaluation bootstrap.
 */
import { MlcycleError } from '../error.js';
import { POISSON_ONE_TABLE } from '../stats/bootstrap.js';
import { logLossTerm } from '../metrics/log-loss.js';
import { checkInputs, descendingOrder, type SampleWeights } from '../metrics/score-order.js';

export interface BinaryMetricOptions {
  /** The decision `score >= threshold` for accuracy, precision, recall and F1 (default 0.5). */
  threshold?: number;
  /** k of lift and gain at k% (default 10). */
  liftPercent?: number;
  /** Equal-width bins of the expected calibration error (default 10). */
  calibrationBins?: number;
}

/** The binary metrics, named as in the ML metric catalogue (src/problem/ml-metric-catalogue.ts). */
export interface BinaryMetricValues {
  roc_auc: number;
  pr_auc: number;
  log_loss: number;
  brier: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  ece: number;
  lift_at_k: number;
  gain_at_k: number;
}

export interface SortedBinary {
  rows: number;
  /** In descending score order from here on. */
  order: Uint32Array;
  positive: Uint8Array;
  scores: Float64Array;
  /** 1 where the next row has a different score (the end of a tie group). */
  groupEnd: Uint8Array;
  baseWeights: Float64Array | undefined;
  logLossTerm: Float64Array;
  brierTerm: Float64Array;
  decided: Uint8Array;
  bin: Uint8Array;
  options: Required<BinaryMetricOptions>;
}

/** Sorts the rows once and computes every per-row term. */
export function sortBinary(labels: ArrayLike<number>, scores: ArrayLike<number>, weights?: SampleWeights, options: BinaryMetricOptions = {}): SortedBinary {
  checkInputs(labels, scores, weights, 'scores');
  const resolved = { threshold: options.threshold ?? 0.5, liftPercent: options.liftPercent ?? 10, calibrationBins: options.calibrationBins ?? 10 };
  if (!(resolved.liftPercent > 0 && resolved.liftPercent <= 100)) throw new MlcycleError('invalid_input', `lift at k%: k must be in (0, 100], got ${resolved.liftPercent}`);
  if (!Number.isInteger(resolved.calibrationBins) || resolved.calibrationBins < 1 || resolved.calibrationBins > 255) {
    throw new MlcycleError('invalid_input', `calibration bins: expected a whole number from 1 to 255, got ${resolved.calibrationBins}`);
  }
  const rows = labels.length;
  const order = descendingOrder(scores);
  const sorted: SortedBinary = {
    rows,
    order,
    positive: new Uint8Array(rows),
    scores: new Float64Array(rows),
    groupEnd: new Uint8Array(rows),
    baseWeights: weights === undefined ? undefined : new Float64Array(rows),
    logLossTerm: new Float64Array(rows),
    brierTerm: new Float64Array(rows),
    decided: new Uint8Array(rows),
    bin: new Uint8Array(rows),
    options: resolved,
  };
  // The inner edges of calibrationBins (scikit-learn's calibration_curve binning).
  const step = (1 + 1e-8) / resolved.calibrationBins;
  for (let position = 0; position < rows; position++) {
    const row = order[position] as number;
    const score = scores[row] as number;
    const positive = (labels[row] as number) > 0.5 ? 1 : 0;
    sorted.positive[position] = positive;
    sorted.scores[position] = score;
    if (sorted.baseWeights !== undefined) sorted.baseWeights[position] = (weights as ArrayLike<number>)[row] as number;
    sorted.logLossTerm[position] = logLossTerm(positive === 1, score);
    sorted.brierTerm[position] = (positive - score) ** 2;
    sorted.decided[position] = score >= resolved.threshold ? 1 : 0;
    let bin = 0;
    while (bin < resolved.calibrationBins - 1 && (bin + 1) * step < score) bin++;
    sorted.bin[position] = bin;
  }
  for (let position = 0; position < rows; position++) sorted.groupEnd[position] = position === rows - 1 || sorted.scores[position + 1] !== sorted.scores[position] ? 1 : 0;
  return sorted;
}

/**
 * Every binary metric in one pass (after one pass for the totals). `resample` holds extra per-row
 * weights in sorted order (bootstrap counts); absent, the metrics are the plain point estimates.
 */
export function binaryMetricsFromSorted(sorted: SortedBinary, resample?: Float64Array): BinaryMetricValues {
  const { positive, groupEnd, logLossTerm, brierTerm, decided, bin, baseWeights } = sorted;
  // The weight of a sorted row: its sample weight times the resample's count, either of which may be absent.
  const weightAt = (position: number): number =>
    (baseWeights === undefined ? 1 : (baseWeights[position] as number)) * (resample === undefined ? 1 : (resample[position] as number));
  let total = 0;
  let totalPositive = 0;
  for (let position = 0; position < sorted.rows; position++) {
    const w = weightAt(position);
    total += w;
    if (positive[position] === 1) totalPositive += w;
  }
  const totalNegative = total - totalPositive;
  const bins = sorted.options.calibrationBins;
  const binWeight = new Float64Array(bins);
  const binPredicted = new Float64Array(bins);
  const binObserved = new Float64Array(bins);
  const liftWanted = (sorted.options.liftPercent / 100) * total;
  let area = 0;
  let positiveAbove = 0;
  let negativeAbove = 0;
  let groupPositive = 0;
  let groupNegative = 0;
  let averagePrecision = 0;
  let liftTaken = 0;
  let liftCaptured = 0;
  let logLoss = 0;
  let brier = 0;
  let tp = 0;
  let fp = 0;
  for (let position = 0; position < sorted.rows; position++) {
    const w = weightAt(position);
    const isPositive = positive[position] === 1;
    if (isPositive) groupPositive += w;
    else groupNegative += w;
    logLoss += w * (logLossTerm[position] as number);
    brier += w * (brierTerm[position] as number);
    if (decided[position] === 1) {
      if (isPositive) tp += w;
      else fp += w;
    }
    const b = bin[position] as number;
    binWeight[b] = (binWeight[b] as number) + w;
    binPredicted[b] = (binPredicted[b] as number) + w * (sorted.scores[position] as number);
    if (isPositive) binObserved[b] = (binObserved[b] as number) + w;
    if (groupEnd[position] === 1) {
      area += groupNegative * (positiveAbove + 0.5 * groupPositive);
      const size = groupPositive + groupNegative;
      if (liftTaken < liftWanted && size > 0) {
        const share = Math.min(1, (liftWanted - liftTaken) / size);
        liftCaptured += share * groupPositive;
        liftTaken += share * size;
      }
      positiveAbove += groupPositive;
      negativeAbove += groupNegative;
      if (groupPositive > 0) averagePrecision += (groupPositive / totalPositive) * (positiveAbove / (positiveAbove + negativeAbove));
      groupPositive = 0;
      groupNegative = 0;
    }
  }
  const fn = totalPositive - tp;
  const tn = totalNegative - fp;
  const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const w = binWeight[b] as number;
    if (w > 0) ece += (w / total) * Math.abs((binObserved[b] as number) / w - (binPredicted[b] as number) / w);
  }
  const gain = totalPositive === 0 ? NaN : liftCaptured / totalPositive;
  const bothClasses = totalPositive > 0 && totalNegative > 0;
  return {
    roc_auc: bothClasses ? area / (totalPositive * totalNegative) : NaN,
    pr_auc: totalPositive > 0 ? averagePrecision : NaN,
    log_loss: logLoss / total,
    brier: brier / total,
    accuracy: ratio(tp + tn, total),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    ece,
    lift_at_k: gain / (sorted.options.liftPercent / 100),
    gain_at_k: gain,
  };
}

/**
 * `resamples` Poisson-bootstrap replicates of ROC AUC over the once-sorted rows: each replicate gives each
 * row a Poisson(1) count and sums weighted positives and negatives per tie group in sorted order, with no
 * re-sort. This is the 1M-row benchmark's hot path, so the loop is turned inside out: rows outside,
 * replicates inside, each replicate's running sums in typed arrays that stay in cache, so the branch on
 * the row's label and tie group is taken once per row, and the draws (the generator of PoissonOneStream
 * inlined, two counts per 32-bit word) are consumed row by row.
 */
export function bootstrapAucReplicates(sorted: SortedBinary, resamples: number, seed: number): Float64Array {
  const rows = sorted.rows;
  const base = sorted.baseWeights;
  const table = POISSON_ONE_TABLE;
  const area = new Float64Array(resamples);
  const positiveAbove = new Float64Array(resamples);
  const negativeTotal = new Float64Array(resamples);
  const groupPositive = new Float64Array(resamples);
  const groupNegative = new Float64Array(resamples);
  const counts = new Float64Array(resamples);
  const pairs = resamples - (resamples % 2);
  let state = seed | 0;
  for (let position = 0; position < rows; position++) {
    const positive = sorted.positive[position] === 1;
    const groupStart = position === 0 || sorted.groupEnd[position - 1] === 1;
    const groupEnd = sorted.groupEnd[position] === 1;
    if (groupStart && groupEnd && base === undefined && pairs === resamples) {
      // A score of its own (no tie) and no sample weights, the common case: draw straight into the sums.
      // Two loops rather than a branch inside one: the label is the same for every replicate of the row.
      if (positive) {
        for (let replicate = 0; replicate < pairs; replicate += 2) {
          state = (state + 0x6d2b79f5) | 0;
          let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
          mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
          mixed ^= mixed >>> 14;
          positiveAbove[replicate] = (positiveAbove[replicate] as number) + (table[mixed >>> 16] as number);
          positiveAbove[replicate + 1] = (positiveAbove[replicate + 1] as number) + (table[mixed & 0xffff] as number);
        }
      } else {
        for (let replicate = 0; replicate < pairs; replicate += 2) {
          state = (state + 0x6d2b79f5) | 0;
          let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
          mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
          mixed ^= mixed >>> 14;
          const first = table[mixed >>> 16] as number;
          const second = table[mixed & 0xffff] as number;
          area[replicate] = (area[replicate] as number) + first * (positiveAbove[replicate] as number);
          negativeTotal[replicate] = (negativeTotal[replicate] as number) + first;
          area[replicate + 1] = (area[replicate + 1] as number) + second * (positiveAbove[replicate + 1] as number);
          negativeTotal[replicate + 1] = (negativeTotal[replicate + 1] as number) + second;
        }
      }
      continue;
    }
    for (let replicate = 0; replicate < resamples; replicate += 2) {
      state = (state + 0x6d2b79f5) | 0;
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
      mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
      mixed ^= mixed >>> 14;
      counts[replicate] = table[mixed >>> 16] as number;
      if (replicate + 1 < resamples) counts[replicate + 1] = table[mixed & 0xffff] as number;
    }
    if (base !== undefined) {
      const weight = base[position] as number;
      for (let replicate = 0; replicate < resamples; replicate++) counts[replicate] = (counts[replicate] as number) * weight;
    }
    if (groupStart && groupEnd) {
      // A score of its own (no tie): no group to keep.
      if (positive) for (let replicate = 0; replicate < resamples; replicate++) positiveAbove[replicate] = (positiveAbove[replicate] as number) + (counts[replicate] as number);
      else {
        for (let replicate = 0; replicate < resamples; replicate++) {
          const w = counts[replicate] as number;
          area[replicate] = (area[replicate] as number) + w * (positiveAbove[replicate] as number);
          negativeTotal[replicate] = (negativeTotal[replicate] as number) + w;
        }
      }
      continue;
    }
    const group = positive ? groupPositive : groupNegative;
    for (let replicate = 0; replicate < resamples; replicate++) group[replicate] = (group[replicate] as number) + (counts[replicate] as number);
    if (groupEnd) {
      for (let replicate = 0; replicate < resamples; replicate++) {
        const gp = groupPositive[replicate] as number;
        const gn = groupNegative[replicate] as number;
        area[replicate] = (area[replicate] as number) + gn * ((positiveAbove[replicate] as number) + 0.5 * gp);
        positiveAbove[replicate] = (positiveAbove[replicate] as number) + gp;
        negativeTotal[replicate] = (negativeTotal[replicate] as number) + gn;
      }
      groupPositive.fill(0);
      groupNegative.fill(0);
    }
  }
  const replicates = new Float64Array(resamples);
  for (let replicate = 0; replicate < resamples; replicate++) {
    const p = positiveAbove[replicate] as number;
    const n = negativeTotal[replicate] as number;
    replicates[replicate] = p > 0 && n > 0 ? (area[replicate] as number) / (p * n) : NaN;
  }
  return replicates;
}
