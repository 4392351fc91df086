/**
 * Histogram gradient-boosted trees, grown leaf-wise as LightGBM grows them (Ke et al. 2017): per round,
 * gradients and Hessians of the objective, a histogram of them per feature bin for each leaf (the smaller
 * child built from its rows, the larger one as parent minus sibling: the subtraction trick), the best
 * split of the leaf with the largest gain taken until `numLeaves`. Missing values have their own bin and a
 * learned default direction. Categorical features split natively in LightGBM's manner: one category
 * against the rest when there are at most `maxCatToOnehot`, otherwise the categories sorted by their
 * smoothed gradient ratio sum(g) / (sum(h) + catSmooth) and cut into a left set of at most
 * `maxCatThreshold`, scanned from both ends, with an extra `catL2` on the children. Trees come out in the
 * shared flattened layout, thresholds in feature units and category sets as bitsets of codes.
 *
 * Single-threaded for now. Binned values are held twice, a byte each: row-major for building histograms
 * (a row's bins in one place) and column-major for partitioning a leaf on one feature. Gradients and
 * Hessians travel with the rows through the partitions (LightGBM's ordered gradients), so that both
 * passes read them in sequence. Hot loops use typed arrays.
 */
import { MlcycleError } from '../../error.js';
import { seededRandom } from '../../stats/random.js';
import { applyLink, DECISION_CATEGORICAL, DECISION_DEFAULT_LEFT, leafIndex, MISSING_NAN, type FlatTree, type TreeEnsemble } from '../trees/tree-ensemble.js';
import { metricValue, type ValidationMetric } from './validation-metrics.js';
import { binColumn, fitCategoricalBins, fitFeatureBins, MAX_BINS, type FeatureBins } from './binning.js';
import { GBDT_OBJECTIVES, makeObjective, weightedMedian, type GbdtObjective } from './objectives.js';

export type { GbdtObjective } from './objectives.js';


export interface GbdtParams {
  objective: GbdtObjective;
  rounds: number;
  learningRate: number;
  numLeaves: number;
  /** Deepest a leaf may be; 0 for no limit. */
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  /** Share of features each tree may use. */
  featureFraction: number;
  /** Share of rows each tree learns from. */
  baggingFraction: number;
  maxBins: number;
  seed: number;
  maxCatToOnehot: number;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  minDataPerGroup: number;
  /** Huber loss: residuals beyond this are penalised linearly (LightGBM's `alpha`). */
  huberDelta: number;
}

export const DEFAULT_GBDT_PARAMS: Omit<GbdtParams, 'objective'> = {
  rounds: 100,
  learningRate: 0.1,
  numLeaves: 31,
  maxDepth: 0,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  featureFraction: 1,
  baggingFraction: 1,
  maxBins: MAX_BINS,
  seed: 0,
  // LightGBM's defaults for categorical splits.
  maxCatToOnehot: 4,
  catSmooth: 10,
  catL2: 10,
  maxCatThreshold: 32,
  minDataPerGroup: 100,
  huberDelta: 0.9,
};

export interface TrainingSet {
  /** One column per feature, NaN for missing; categorical features hold non-negative integer codes. */
  columns: Float64Array[];
  label: Float64Array;
  /** Sample weights (default: 1 each). */
  weight?: Float64Array;
  /** Which features are categorical (default: none). */
  categorical?: readonly boolean[];
}

export interface GbdtModel {
  ensemble: TreeEnsemble;
  bins: FeatureBins[];
  params: GbdtParams;
  /** The validation metric after each round, when a validation set was given. */
  history: { round: number; value: number }[];
  /** Rounds kept: all of them, or the best before early stopping. */
  bestRound: number;
}

/** A held-out set watched during training; training stops when its metric has not improved for `patience` rounds. */
export interface Validation {
  columns: Float64Array[];
  label: Float64Array;
  metric?: ValidationMetric;
  /** 0 to watch without stopping. */
  patience?: number;
}

interface Split {
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

interface Leaf {
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  histogram: Float64Array;
  split: Split | undefined;
}

/** L1 soft-thresholding of a gradient sum (LightGBM's ThresholdL1). */
function threshold(g: number, l1: number): number {
  return Math.sign(g) * Math.max(0, Math.abs(g) - l1);
}

function leafScore(g: number, h: number, params: GbdtParams, extraL2 = 0): number {
  const t = threshold(g, params.lambdaL1);
  return (t * t) / (h + params.lambdaL2 + extraL2);
}

function leafOutput(g: number, h: number, params: GbdtParams): number {
  return -threshold(g, params.lambdaL1) / (h + params.lambdaL2);
}

function checkInput(data: TrainingSet, params: GbdtParams): void {
  if (data.columns.length === 0) throw new MlcycleError('invalid_input', 'training needs at least one feature');
  const rows = data.label.length;
  data.columns.forEach((column, index) => {
    if (column.length !== rows) throw new MlcycleError('invalid_input', `feature ${index} has ${column.length} values for ${rows} labels`);
  });
  const bad = data.label.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new MlcycleError('invalid_input', `label of row ${bad} is missing or not a number`);
  if (data.weight !== undefined) {
    if (data.weight.length !== rows) throw new MlcycleError('invalid_input', `${data.weight.length} weights for ${rows} labels`);
    const negative = data.weight.findIndex((value) => !(value >= 0));
    if (negative >= 0) throw new MlcycleError('invalid_input', `weight of row ${negative} is not a non-negative number`);
  }
  if (!(GBDT_OBJECTIVES as readonly string[]).includes(params.objective)) {
    throw new MlcycleError('invalid_input', `objective: expected one of ${GBDT_OBJECTIVES.join(', ')}, got "${params.objective}"`);
  }
}

/** Trains a gradient-boosted tree ensemble. */
export function trainGbdt(data: TrainingSet, options: Partial<GbdtParams> & { objective: GbdtObjective }, validation?: Validation): GbdtModel {
  const params: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...options };
  checkInput(data, params);
  const rows = data.label.length;
  const features = data.columns.length;
  const random = seededRandom(params.seed);
  const categorical = data.columns.map((_, index) => data.categorical?.[index] === true);
  const bins = data.columns.map((column, index) => (categorical[index] ? fitCategoricalBins(column, params.maxBins) : fitFeatureBins(column, params.maxBins)));
  const binnedRows = new Uint8Array(rows * features);
  const binnedColumns = data.columns.map((column, f) => {
    const binnedColumn = binColumn(bins[f] as FeatureBins, column);
    for (let row = 0; row < rows; row++) binnedRows[row * features + f] = binnedColumn[row] as number;
    return binnedColumn;
  });
  const scratch = new Uint32Array(rows);
  const orderedGradients = new Float64Array(rows);
  const orderedHessians = new Float64Array(rows);
  const scratchGradients = new Float64Array(rows);
  const scratchHessians = new Float64Array(rows);
  const offsets = new Int32Array(features + 1);
  for (let f = 0; f < features; f++) offsets[f + 1] = (offsets[f] ?? 0) + (bins[f]?.missingBin ?? 0) + 1;
  const histogramSize = (offsets[features] ?? 0) * 3;

  const label = data.label;
  const objective = makeObjective(params.objective, label, data.weight, params.huberDelta);
  const outputs = objective.outputs;
  const scores = new Float64Array(rows * outputs);
  for (let row = 0; row < rows; row++) for (let k = 0; k < outputs; k++) scores[row * outputs + k] = objective.initScores[k] as number;
  const gradients = new Float64Array(rows);
  const hessians = new Float64Array(rows);
  const order = new Uint32Array(rows);
  const trees: FlatTree[] = [];

  const buildHistogram = (start: number, end: number, allowed: Uint8Array): Float64Array => {
    const histogram = new Float64Array(histogramSize);
    const used = Int32Array.from(Array.from({ length: features }, (_, f) => f).filter((f) => allowed[f] === 1));
    const usedOffsets = Int32Array.from(used, (f) => offsets[f] as number);
    const usedCount = used.length;
    for (let position = start; position < end; position++) {
      const row = order[position] as number;
      const g = orderedGradients[position] as number;
      const h = orderedHessians[position] as number;
      const base = row * features;
      for (let k = 0; k < usedCount; k++) {
        const index = ((usedOffsets[k] as number) + (binnedRows[base + (used[k] as number)] as number)) * 3;
        histogram[index] = (histogram[index] as number) + g;
        histogram[index + 1] = (histogram[index + 1] as number) + h;
        histogram[index + 2] = (histogram[index + 2] as number) + 1;
      }
    }
    return histogram;
  };

  const bestSplit = (leaf: Leaf, allowed: Uint8Array): Split | undefined => {
    if (params.maxDepth > 0 && leaf.depth >= params.maxDepth) return undefined;
    const count = leaf.end - leaf.start;
    if (count < 2 * params.minDataInLeaf) return undefined;
    const parentScore = leafScore(leaf.g, leaf.h, params);
    let best: Split | undefined;
    for (let f = 0; f < features; f++) {
      if (allowed[f] === 0) continue;
      if (categorical[f]) {
        const split = bestCategoricalSplit(leaf, f, parentScore);
        if (split !== undefined && (best === undefined || split.gain > best.gain)) best = split;
        continue;
      }
      const offset = (offsets[f] ?? 0) * 3;
      const missingBin = bins[f]?.missingBin ?? 0;
      const missing = offset + missingBin * 3;
      const missingG = leaf.histogram[missing] ?? 0;
      const missingH = leaf.histogram[missing + 1] ?? 0;
      const missingCount = leaf.histogram[missing + 2] ?? 0;
      let g = 0;
      let h = 0;
      let c = 0;
      for (let bin = 0; bin < missingBin - 1; bin++) {
        const index = offset + bin * 3;
        g += leaf.histogram[index] ?? 0;
        h += leaf.histogram[index + 1] ?? 0;
        c += leaf.histogram[index + 2] ?? 0;
        if (c === 0) continue;
        // Missing values right, then missing values left; without missing values, one candidate.
        for (const missingLeft of missingCount > 0 ? [false, true] : [false]) {
          const leftG = missingLeft ? g + missingG : g;
          const leftH = missingLeft ? h + missingH : h;
          const leftCount = missingLeft ? c + missingCount : c;
          const rightCount = count - leftCount;
          const rightH = leaf.h - leftH;
          if (leftCount < params.minDataInLeaf || rightCount < params.minDataInLeaf) continue;
          if (leftH < params.minSumHessianInLeaf || rightH < params.minSumHessianInLeaf) continue;
          const gain = leafScore(leftG, leftH, params) + leafScore(leaf.g - leftG, rightH, params) - parentScore;
          if (gain > params.minGainToSplit && (best === undefined || gain > best.gain)) {
            // With no missing values seen, missing values follow the side with more weight.
            const defaultLeft = missingCount > 0 ? missingLeft : leftH >= rightH;
            best = { gain, feature: f, bin, defaultLeft, leftG, leftH, leftCount };
          }
        }
      }
    }
    return best;
  };

  /** LightGBM's FindBestThresholdCategoricalInner, on exact counts. */
  const bestCategoricalSplit = (leaf: Leaf, f: number, parentScore: number): Split | undefined => {
    const offset = (offsets[f] ?? 0) * 3;
    const valueBins = bins[f]?.missingBin ?? 0;
    const count = leaf.end - leaf.start;
    const stats = (bin: number): [number, number, number] => [leaf.histogram[offset + bin * 3] ?? 0, leaf.histogram[offset + bin * 3 + 1] ?? 0, leaf.histogram[offset + bin * 3 + 2] ?? 0];
    let best: Split | undefined;
    const consider = (left: number[], leftG: number, leftH: number, leftCount: number, extraL2: number): void => {
      const rightCount = count - leftCount;
      const rightH = leaf.h - leftH;
      if (leftCount < params.minDataInLeaf || rightCount < params.minDataInLeaf) return;
      if (leftH < params.minSumHessianInLeaf || rightH < params.minSumHessianInLeaf) return;
      const gain = leafScore(leftG, leftH, params, extraL2) + leafScore(leaf.g - leftG, rightH, params, extraL2) - parentScore;
      if (gain > params.minGainToSplit && (best === undefined || gain > best.gain)) {
        const leftBins = new Uint8Array(valueBins + 1);
        for (const bin of left) leftBins[bin] = 1;
        best = { gain, feature: f, bin: -1, leftBins, defaultLeft: false, leftG, leftH, leftCount };
      }
    };
    if (valueBins <= params.maxCatToOnehot) {
      for (let bin = 0; bin < valueBins; bin++) {
        const [g, h, c] = stats(bin);
        if (c > 0) consider([bin], g, h, c, 0);
      }
      return best;
    }
    const used: number[] = [];
    for (let bin = 0; bin < valueBins; bin++) if ((stats(bin)[2] ?? 0) >= params.catSmooth) used.push(bin);
    const ratio = (bin: number): number => {
      const [g, h] = stats(bin);
      return g / (h + params.catSmooth);
    };
    used.sort((a, b) => ratio(a) - ratio(b));
    const maxCategories = Math.min(params.maxCatThreshold, Math.floor((used.length + 1) / 2));
    for (const direction of [1, -1]) {
      let leftG = 0;
      let leftH = 0;
      let leftCount = 0;
      let group = 0;
      const left: number[] = [];
      for (let step = 0; step < used.length && step < maxCategories; step++) {
        const bin = used[direction === 1 ? step : used.length - 1 - step] ?? 0;
        const [g, h, c] = stats(bin);
        left.push(bin);
        leftG += g;
        leftH += h;
        leftCount += c;
        group += c;
        if (leftCount < params.minDataInLeaf || leftH < params.minSumHessianInLeaf) continue;
        if (count - leftCount < params.minDataInLeaf || leaf.h - leftH < params.minSumHessianInLeaf) break;
        if (group < params.minDataPerGroup) continue;
        group = 0;
        consider(left, leftG, leftH, leftCount, params.catL2);
      }
    }
    return best;
  };

  const watch = validation === undefined ? undefined : watchValidation(validation, params.objective, outputs, objective.initScores, features);
  let bestRound = params.rounds;
  for (let step = 0; step < params.rounds * outputs; step++) {
    // One tree per output and round; for softmax, output k's gradients need every output's scores.
    const k = step % outputs;
    objective.gradients(scores, k, gradients, hessians);
    let inBag = 0;
    for (let row = 0; row < rows; row++) if (params.baggingFraction >= 1 || random() < params.baggingFraction) order[inBag++] = row;
    const allowed = new Uint8Array(features).fill(1);
    if (params.featureFraction < 1) {
      const keep = Math.max(1, Math.round(params.featureFraction * features));
      const shuffled = Array.from({ length: features }, (_, f) => f);
      for (let index = features - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [shuffled[index], shuffled[other]] = [shuffled[other] as number, shuffled[index] as number];
      }
      allowed.fill(0);
      for (const f of shuffled.slice(0, keep)) allowed[f] = 1;
    }
    let g = 0;
    let h = 0;
    for (let position = 0; position < inBag; position++) {
      const row = order[position] as number;
      orderedGradients[position] = gradients[row] as number;
      orderedHessians[position] = hessians[row] as number;
      g += gradients[row] as number;
      h += hessians[row] as number;
    }
    const root: Leaf = { start: 0, end: inBag, depth: 0, g, h, histogram: buildHistogram(0, inBag, allowed), split: undefined };
    root.split = bestSplit(root, allowed);
    const leaves: Leaf[] = [root];
    // The tree's internal nodes, and where each leaf hangs: (node, isLeft), or -1 for the root.
    const nodeFeature: number[] = [];
    const nodeBin: number[] = [];
    const nodeDefaultLeft: boolean[] = [];
    const nodeLeftBins: (Uint8Array | undefined)[] = [];
    const nodeGain: number[] = [];
    const nodeCount: number[] = [];
    const nodeLeft: number[] = [];
    const nodeRight: number[] = [];
    const leafParent: [number, boolean][] = [[-1, true]];
    while (leaves.length < params.numLeaves) {
      let chosen = -1;
      leaves.forEach((leaf, index) => {
        if (leaf.split !== undefined && (chosen < 0 || leaf.split.gain > (leaves[chosen]?.split?.gain ?? -Infinity))) chosen = index;
      });
      if (chosen < 0) break;
      const leaf = leaves[chosen] as Leaf;
      const split = leaf.split as Split;
      // Partition the leaf's rows in place: left rows first, right rows through the scratch buffer.
      const missingBin = bins[split.feature]?.missingBin ?? 0;
      const column = binnedColumns[split.feature] as Uint8Array;
      let write = leaf.start;
      let rightCount = 0;
      for (let position = leaf.start; position < leaf.end; position++) {
        const row = order[position] as number;
        const bin = column[row] as number;
        const goesLeft = split.leftBins !== undefined ? split.leftBins[bin] === 1 : bin === missingBin ? split.defaultLeft : bin <= split.bin;
        if (goesLeft) {
          orderedGradients[write] = orderedGradients[position] as number;
          orderedHessians[write] = orderedHessians[position] as number;
          order[write++] = row;
        } else {
          scratchGradients[rightCount] = orderedGradients[position] as number;
          scratchHessians[rightCount] = orderedHessians[position] as number;
          scratch[rightCount++] = row;
        }
      }
      order.set(scratch.subarray(0, rightCount), write);
      orderedGradients.set(scratchGradients.subarray(0, rightCount), write);
      orderedHessians.set(scratchHessians.subarray(0, rightCount), write);
      const middle = leaf.start + split.leftCount;
      const node = nodeFeature.length;
      nodeFeature.push(split.feature);
      nodeBin.push(split.bin);
      nodeLeftBins.push(split.leftBins);
      nodeGain.push(split.gain);
      nodeCount.push(leaf.end - leaf.start);
      nodeDefaultLeft.push(split.defaultLeft);
      const newLeaf = leaves.length;
      nodeLeft.push(~chosen);
      nodeRight.push(~newLeaf);
      const [parent, isLeft] = leafParent[chosen] ?? [-1, true];
      if (parent >= 0) (isLeft ? nodeLeft : nodeRight)[parent] = node;
      leafParent[chosen] = [node, true];
      leafParent[newLeaf] = [node, false];
      const leftLeaf: Leaf = { start: leaf.start, end: middle, depth: leaf.depth + 1, g: split.leftG, h: split.leftH, histogram: new Float64Array(0), split: undefined };
      const rightLeaf: Leaf = { start: middle, end: leaf.end, depth: leaf.depth + 1, g: leaf.g - split.leftG, h: leaf.h - split.leftH, histogram: new Float64Array(0), split: undefined };
      // Histogram subtraction: build the smaller child, derive the larger from the parent.
      const [small, large] = middle - leaf.start <= leaf.end - middle ? [leftLeaf, rightLeaf] : [rightLeaf, leftLeaf];
      small.histogram = buildHistogram(small.start, small.end, allowed);
      large.histogram = leaf.histogram;
      for (let index = 0; index < histogramSize; index++) large.histogram[index] = (large.histogram[index] ?? 0) - (small.histogram[index] ?? 0);
      leftLeaf.split = bestSplit(leftLeaf, allowed);
      rightLeaf.split = bestSplit(rightLeaf, allowed);
      leaves[chosen] = leftLeaf;
      leaves.push(rightLeaf);
    }
    const leafValue = Float64Array.from(leaves, (leaf) => params.learningRate * leafOutput(leaf.g, leaf.h, params));
    if (objective.renewsLeaves) {
      leaves.forEach((leaf, index) => {
        const residuals: number[] = [];
        const weights: number[] = [];
        for (let position = leaf.start; position < leaf.end; position++) {
          const row = order[position] as number;
          residuals.push((label[row] as number) - (scores[row] as number));
          weights.push(data.weight?.[row] ?? 1);
        }
        if (residuals.length > 0) leafValue[index] = params.learningRate * weightedMedian(residuals, weights);
      });
    }
    const tree = flattenTree(nodeFeature, nodeBin, nodeLeftBins, nodeDefaultLeft, nodeLeft, nodeRight, leafValue, bins);
    tree.nodeCount = Float64Array.from(nodeCount);
    tree.leafCount = Float64Array.from(leaves, (leaf) => leaf.end - leaf.start);
    tree.splitGain = Float64Array.from(nodeGain);
    trees.push(tree);
    if (watch !== undefined && k === outputs - 1 && watch.after(trees, Math.floor(step / outputs) + 1)) {
      bestRound = watch.bestRound();
      break;
    }
    // Update every row's score: in-bag rows by their leaf's range, out-of-bag rows by walking the tree's bins.
    if (inBag === rows) {
      leaves.forEach((leaf, index) => {
        const value = leafValue[index] ?? 0;
        for (let position = leaf.start; position < leaf.end; position++) {
          const index = (order[position] as number) * outputs + k;
          scores[index] = (scores[index] as number) + value;
        }
      });
    } else {
      for (let row = 0; row < rows; row++) {
        const index = row * outputs + k;
        scores[index] = (scores[index] as number) + (leafValue[leafOfBinnedRow(tree, nodeBin, nodeLeftBins, binnedRows, features, bins, row)] ?? 0);
      }
    }
  }
  // Early stopping keeps the best round's trees; watching alone keeps them all.
  if (watch !== undefined && (validation?.patience ?? 0) > 0) bestRound = watch.bestRound();
  return {
    ensemble: { featureCount: features, outputs, trees: trees.slice(0, bestRound * outputs), baseScore: objective.initScores, link: objective.link, logisticSlope: 1, averageOutput: false },
    bins,
    params,
    history: watch?.history ?? [],
    bestRound,
  };
}

/** The flattened tree: numeric thresholds in feature units, category sets as bitsets of their codes. */
function flattenTree(
  nodeFeature: readonly number[],
  nodeBin: readonly number[],
  nodeLeftBins: readonly (Uint8Array | undefined)[],
  nodeDefaultLeft: readonly boolean[],
  nodeLeft: readonly number[],
  nodeRight: readonly number[],
  leafValue: Float64Array,
  bins: readonly FeatureBins[],
): FlatTree {
  const nodes = nodeFeature.length;
  const catStart = new Int32Array(nodes);
  const catLength = new Int32Array(nodes);
  const words: number[] = [];
  const decision = new Uint8Array(nodes);
  const thresholds = new Float64Array(nodes);
  for (let node = 0; node < nodes; node++) {
    const feature = nodeFeature[node] ?? 0;
    const leftBins = nodeLeftBins[node];
    if (leftBins === undefined) {
      thresholds[node] = bins[feature]?.thresholds[nodeBin[node] ?? 0] ?? 0;
      decision[node] = (MISSING_NAN << 2) | (nodeDefaultLeft[node] === true ? DECISION_DEFAULT_LEFT : 0);
      continue;
    }
    const codes = Array.from(bins[feature]?.categories ?? []).filter((_, bin) => leftBins[bin] === 1);
    const length = Math.floor(Math.max(...codes) / 32) + 1;
    catStart[node] = words.length;
    catLength[node] = length;
    const start = words.length;
    for (let word = 0; word < length; word++) words.push(0);
    for (const code of codes) words[start + (code >>> 5)] = ((words[start + (code >>> 5)] ?? 0) | (1 << (code & 31))) >>> 0;
    decision[node] = DECISION_CATEGORICAL | (MISSING_NAN << 2);
  }
  return {
    feature: Int32Array.from(nodeFeature),
    threshold: thresholds,
    left: Int32Array.from(nodeLeft),
    right: Int32Array.from(nodeRight),
    decision,
    catStart,
    catLength,
    catBits: Uint32Array.from(words),
    leafValue,
    nodeCount: new Float64Array(nodes),
    leafCount: new Float64Array(leafValue.length),
    splitGain: new Float64Array(nodes),
  };
}

/** The leaf of a training row, walking the tree on binned values. */
function leafOfBinnedRow(
  tree: FlatTree,
  nodeBin: readonly number[],
  nodeLeftBins: readonly (Uint8Array | undefined)[],
  binnedRows: Uint8Array,
  features: number,
  bins: readonly FeatureBins[],
  row: number,
): number {
  if (tree.feature.length === 0) return 0;
  let node = 0;
  for (;;) {
    const feature = tree.feature[node] ?? 0;
    const bin = binnedRows[row * features + feature] ?? 0;
    const leftBins = nodeLeftBins[node];
    const goesLeft =
      leftBins !== undefined
        ? leftBins[bin] === 1
        : bin === bins[feature]?.missingBin
          ? ((tree.decision[node] ?? 0) & DECISION_DEFAULT_LEFT) !== 0
          : bin <= (nodeBin[node] ?? 0);
    const next = goesLeft ? (tree.left[node] ?? 0) : (tree.right[node] ?? 0);
    if (next < 0) return ~next;
    node = next;
  }
}

/**
 * Keeps the validation set's raw scores up to date tree by tree, records the metric after each round, and
 * says when `patience` rounds have passed without improvement.
 */
function watchValidation(validation: Validation, objective: GbdtObjective, outputs: number, initScores: readonly number[], features: number) {
  const rows = validation.label.length;
  if (validation.columns.length !== features) {
    throw new MlcycleError('invalid_input', `the validation set has ${validation.columns.length} features, the training set ${features}`);
  }
  const rowMajor = new Float64Array(rows * features);
  validation.columns.forEach((column, f) => {
    if (column.length !== rows) throw new MlcycleError('invalid_input', `validation feature ${f} has ${column.length} values for ${rows} labels`);
    for (let row = 0; row < rows; row++) rowMajor[row * features + f] = column[row] as number;
  });
  const metric = validation.metric ?? (objective === 'binary' ? 'auc' : objective === 'multiclass' ? 'multi-logloss' : objective === 'regression_l1' ? 'mae' : 'rmse');
  const patience = validation.patience ?? 0;
  const raw = new Float64Array(rows * outputs);
  for (let row = 0; row < rows; row++) for (let k = 0; k < outputs; k++) raw[row * outputs + k] = initScores[k] as number;
  const link = objective === 'binary' ? 'logistic' : objective === 'multiclass' ? 'softmax' : 'identity';
  const history: { round: number; value: number }[] = [];
  const higherIsBetter = metric === 'auc';
  let best = 0;
  let added = 0;
  return {
    history,
    bestRound: (): number => (history.length === 0 ? 0 : (history[best] as { round: number }).round),
    /** Adds the newest round's trees; true when training should stop. */
    after(trees: readonly FlatTree[], round: number): boolean {
      for (; added < trees.length; added++) {
        const tree = trees[added] as FlatTree;
        const k = added % outputs;
        for (let row = 0; row < rows; row++) raw[row * outputs + k] = (raw[row * outputs + k] as number) + (tree.leafValue[leafIndex(tree, rowMajor, row * features)] as number);
      }
      const predictions = applyLink({ link, outputs, logisticSlope: 1 }, Float64Array.from(raw));
      const value = metricValue(metric, predictions, validation.label, outputs);
      history.push({ round, value });
      const current = history.length - 1;
      const bestValue = (history[best] as { value: number }).value;
      if (current === 0 || (higherIsBetter ? value > bestValue : value < bestValue)) best = current;
      return patience > 0 && current - best >= patience;
    },
  };
}
