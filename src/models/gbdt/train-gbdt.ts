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
import type { FlatTree, TreeEnsemble } from '../trees/tree-ensemble.js';
import { binColumn, fitCategoricalBins, fitFeatureBins, type FeatureBins } from './binning.js';
import { flattenTree, leafOfBinnedRow } from './flat-tree-builder.js';
import { GBDT_OBJECTIVES, makeObjective, weightedMedian, type GbdtObjective } from './objectives.js';
import { DEFAULT_GBDT_PARAMS, type GbdtParams } from './params.js';
import { findBestSplit, leafOutput, type HistogramLayout, type LeafStats, type Split } from './split-finder.js';
import { watchValidation, type Validation } from './validation-watch.js';

export type { GbdtObjective } from './objectives.js';
export { DEFAULT_GBDT_PARAMS, type GbdtParams } from './params.js';
export type { Validation } from './validation-watch.js';

interface Leaf extends LeafStats {
  split: Split | undefined;
}

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
  const layout: HistogramLayout = { offsets, bins, categorical };
  const bestSplit = (leaf: Leaf, allowed: Uint8Array): Split | undefined => findBestSplit(leaf, allowed, layout, params);

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

