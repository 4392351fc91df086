/**
 * Finding the best split of a leaf from its histogram: for numeric features a scan over the bins with
 * missing values tried on each side; for categorical ones LightGBM's method (one category against the rest
 * when there are few, otherwise categories sorted by sum(g) / (sum(h) + catSmooth) and cut from both ends).
 */
import type { FeatureBins } from './binning.js';
import type { GbdtParams } from './params.js';

export interface Split {
  gain: number;
  feature: number;
  /** Numeric splits: value bins 0..bin go left. */
  bin: number;
  /** Categorical splits: 1 for the bins that go left. */
  leftBins?: Uint8Array;
  defaultLeft: boolean;
  leftG: number;
  leftH: number;
  leftCount: number;
}

/** A leaf's row count, depth, gradient sums and histogram. */
export interface LeafStats {
  count: number;
  depth: number;
  g: number;
  h: number;
  histogram: Float64Array;
}

/** Where each feature's bins sit in a histogram (3 numbers per bin: g, h, count), and their kind. */
export interface HistogramLayout {
  offsets: Int32Array;
  bins: readonly FeatureBins[];
  categorical: readonly boolean[];
}

/** L1 soft-thresholding of a gradient sum (LightGBM's ThresholdL1). */
export function threshold(g: number, l1: number): number {
  return Math.sign(g) * Math.max(0, Math.abs(g) - l1);
}

/** The score of a leaf: thresholded G squared over H + L2 (XGBoost's structure score). */
export function leafScore(g: number, h: number, params: GbdtParams, extraL2 = 0): number {
  const t = threshold(g, params.lambdaL1);
  return (t * t) / (h + params.lambdaL2 + extraL2);
}

/** A leaf's optimal output, -thresholded G / (H + L2). */
export function leafOutput(g: number, h: number, params: GbdtParams): number {
  return -threshold(g, params.lambdaL1) / (h + params.lambdaL2);
}

/** The best split of a leaf over the allowed features, or undefined when no split gains. */
export function findBestSplit(leaf: LeafStats, allowed: Uint8Array, layout: HistogramLayout, params: GbdtParams): Split | undefined {
  const { offsets, bins, categorical } = layout;
  if (params.maxDepth > 0 && leaf.depth >= params.maxDepth) return undefined;
  const count = leaf.count;
  if (count < 2 * params.minDataInLeaf) return undefined;
  const parentScore = leafScore(leaf.g, leaf.h, params);
  let best: Split | undefined;
  for (let f = 0; f < categorical.length; f++) {
    if (allowed[f] === 0) continue;
    if (categorical[f]) {
      const split = bestCategoricalSplit(leaf, f, parentScore, layout, params);
      if (split !== undefined && (best === undefined || split.gain > best.gain)) best = split;
      continue;
    }
    const split = bestNumericSplit(leaf, f, parentScore, (offsets[f] ?? 0) * 3, bins[f]?.missingBin ?? 0, params);
    if (split !== undefined && (best === undefined || split.gain > best.gain)) best = split;
  }
  return best;
}

/**
 * The best split of one numeric feature: a scan over its value bins, each cut tried with missing values
 * right, then left (a strictly greater gain wins, so ties keep the earlier candidate). The hot loop of
 * split finding on small data: it reads the histogram (a typed array) directly and allocates nothing but
 * the split it returns.
 */
function bestNumericSplit(leaf: LeafStats, f: number, parentScore: number, offset: number, missingBin: number, params: GbdtParams): Split | undefined {
  const histogram = leaf.histogram;
  const { minDataInLeaf, minSumHessianInLeaf, minGainToSplit } = params;
  const count = leaf.count;
  const missing = offset + missingBin * 3;
  const missingG = histogram[missing] as number;
  const missingH = histogram[missing + 1] as number;
  const missingCount = histogram[missing + 2] as number;
  let bestGain = minGainToSplit;
  let found = false;
  let bestBin = 0;
  let bestLeft = false;
  let bestG = 0;
  let bestH = 0;
  let bestCount = 0;
  let g = 0;
  let h = 0;
  let c = 0;
  for (let bin = 0; bin < missingBin - 1; bin++) {
    const index = offset + bin * 3;
    g += histogram[index] as number;
    h += histogram[index + 1] as number;
    c += histogram[index + 2] as number;
    if (c === 0) continue;
    // Missing values right, then missing values left; without missing values, one candidate.
    for (let side = 0; side < (missingCount > 0 ? 2 : 1); side++) {
      const leftG = side === 1 ? g + missingG : g;
      const leftH = side === 1 ? h + missingH : h;
      const leftCount = side === 1 ? c + missingCount : c;
      const rightH = leaf.h - leftH;
      if (leftCount < minDataInLeaf || count - leftCount < minDataInLeaf) continue;
      if (leftH < minSumHessianInLeaf || rightH < minSumHessianInLeaf) continue;
      const gain = leafScore(leftG, leftH, params) + leafScore(leaf.g - leftG, rightH, params) - parentScore;
      if (gain > bestGain) {
        found = true;
        bestGain = gain;
        bestBin = bin;
        bestLeft = side === 1;
        bestG = leftG;
        bestH = leftH;
        bestCount = leftCount;
      }
    }
  }
  if (!found) return undefined;
  // With no missing values seen, missing values follow the side with more weight.
  const defaultLeft = missingCount > 0 ? bestLeft : bestH >= leaf.h - bestH;
  return { gain: bestGain, feature: f, bin: bestBin, defaultLeft, leftG: bestG, leftH: bestH, leftCount: bestCount };
}

/**
 * LightGBM's FindBestThresholdCategoricalInner, on exact counts. The hot loop of split finding on the
 * flights data (two features of 300 airports, two leaves per split): it reads the histogram directly and
 * sorts bin numbers by ratios computed once, where the first version built a [g, h, count] array for every
 * look-up (the sort's comparator made thousands per leaf). Same comparisons, same order, same splits.
 */
function bestCategoricalSplit(leaf: LeafStats, f: number, parentScore: number, layout: HistogramLayout, params: GbdtParams): Split | undefined {
  const { offsets, bins } = layout;
  const offset = (offsets[f] ?? 0) * 3;
  const valueBins = bins[f]?.missingBin ?? 0;
  const count = leaf.count;
  const histogram = leaf.histogram;
  const gOf = (bin: number): number => histogram[offset + bin * 3] ?? 0;
  const hOf = (bin: number): number => histogram[offset + bin * 3 + 1] ?? 0;
  const cOf = (bin: number): number => histogram[offset + bin * 3 + 2] ?? 0;
  let best: Split | undefined;
  const consider = (left: ArrayLike<number>, leftSize: number, leftG: number, leftH: number, leftCount: number, extraL2: number): void => {
    const rightCount = count - leftCount;
    const rightH = leaf.h - leftH;
    if (leftCount < params.minDataInLeaf || rightCount < params.minDataInLeaf) return;
    if (leftH < params.minSumHessianInLeaf || rightH < params.minSumHessianInLeaf) return;
    const gain = leafScore(leftG, leftH, params, extraL2) + leafScore(leaf.g - leftG, rightH, params, extraL2) - parentScore;
    if (gain > params.minGainToSplit && (best === undefined || gain > best.gain)) {
      const leftBins = new Uint8Array(valueBins + 1);
      for (let index = 0; index < leftSize; index++) leftBins[left[index] as number] = 1;
      best = { gain, feature: f, bin: -1, leftBins, defaultLeft: false, leftG, leftH, leftCount };
    }
  };
  if (valueBins <= params.maxCatToOnehot) {
    const one = [0];
    for (let bin = 0; bin < valueBins; bin++) {
      const c = cOf(bin);
      one[0] = bin;
      if (c > 0) consider(one, 1, gOf(bin), hOf(bin), c, 0);
    }
    return best;
  }
  const used: number[] = [];
  const ratios = new Float64Array(valueBins);
  for (let bin = 0; bin < valueBins; bin++) {
    if (cOf(bin) < params.catSmooth) continue;
    used.push(bin);
    ratios[bin] = gOf(bin) / (hOf(bin) + params.catSmooth);
  }
  used.sort((a, b) => (ratios[a] as number) - (ratios[b] as number));
  const maxCategories = Math.min(params.maxCatThreshold, Math.floor((used.length + 1) / 2));
  const left = new Int32Array(Math.max(maxCategories, 1));
  for (const direction of [1, -1]) {
    let leftG = 0;
    let leftH = 0;
    let leftCount = 0;
    let group = 0;
    for (let step = 0; step < used.length && step < maxCategories; step++) {
      const bin = used[direction === 1 ? step : used.length - 1 - step] ?? 0;
      const c = cOf(bin);
      left[step] = bin;
      leftG += gOf(bin);
      leftH += hOf(bin);
      leftCount += c;
      group += c;
      if (leftCount < params.minDataInLeaf || leftH < params.minSumHessianInLeaf) continue;
      if (count - leftCount < params.minDataInLeaf || leaf.h - leftH < params.minSumHessianInLeaf) break;
      if (group < params.minDataPerGroup) continue;
      group = 0;
      consider(left, step + 1, leftG, leftH, leftCount, params.catL2);
    }
  }
  return best;
}
