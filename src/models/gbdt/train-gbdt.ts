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
 * With `threads` > 1, worker threads share the rows (training-buffers.ts): each thread partitions its
 * rows of a leaf and builds a partial histogram of them; the main thread sums the partials in thread order,
 * finds the splits and grows the tree. Hot loops use typed arrays.
 */
import { MlcycleError } from '../../error.js';
import { seededRandom } from '../../stats/random.js';
import type { FlatTree, TreeEnsemble } from '../trees/tree-ensemble.js';
import { binColumn, fitCategoricalBins, fitFeatureBins, type FeatureBins } from './binning.js';
import { flattenTree, leafOfBinnedRow } from './flat-tree-builder.js';
import { LeafHistograms, subtractHistogram, sumPartials } from './leaf-histograms.js';
import { GBDT_OBJECTIVES, makeObjective, weightedMedian, type GbdtObjective } from './objectives.js';
import { DEFAULT_GBDT_PARAMS, type GbdtParams } from './params.js';
import { findBestSplit, leafOutput, type HistogramLayout, type LeafStats, type Split } from './split-finder.js';
import { allocateMemory, TASK, viewBuffers, type BufferLayout } from './training-buffers.js';
import { STEP } from './training-kernels.js';
import { TrainingThreads } from './training-threads.js';
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

const MAX_THREADS = 64;

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
  if (!Number.isInteger(params.threads) || params.threads < 1 || params.threads > MAX_THREADS) {
    throw new MlcycleError('invalid_input', `threads: expected a whole number from 1 to ${MAX_THREADS}, got ${params.threads}`);
  }
  if (!Number.isInteger(params.numLeaves) || params.numLeaves < 2) throw new MlcycleError('invalid_input', `numLeaves: expected a whole number of at least 2, got ${params.numLeaves}`);
}

/** Where each bin of the split's feature goes: 1 for left. */
function setLeftBins(leftBins: Uint8Array, split: Split, missingBin: number): void {
  if (split.leftBins !== undefined) {
    leftBins.fill(0);
    leftBins.set(split.leftBins);
    return;
  }
  for (let bin = 0; bin < leftBins.length; bin++) leftBins[bin] = (bin === missingBin ? split.defaultLeft : bin <= split.bin) ? 1 : 0;
}

/** The bins of every feature, and the shared memory holding the binned rows, labels and scores. */
function prepare(data: TrainingSet, params: GbdtParams, categorical: readonly boolean[], outputs: number) {
  const rows = data.label.length;
  const features = data.columns.length;
  const bins = data.columns.map((column, index) => (categorical[index] ? fitCategoricalBins(column, params.maxBins) : fitFeatureBins(column, params.maxBins)));
  const offsets = new Int32Array(features + 1);
  for (let f = 0; f < features; f++) offsets[f + 1] = (offsets[f] ?? 0) + (bins[f]?.missingBin ?? 0) + 1;
  const layout: BufferLayout = {
    rows,
    features,
    threads: params.threads,
    outputs,
    maxLeaves: params.numLeaves,
    histogramSize: (offsets[features] ?? 0) * 3,
    objective: params.objective,
    huberDelta: params.huberDelta,
    weighted: data.weight !== undefined,
  };
  const memory = allocateMemory(layout);
  const buffers = viewBuffers(layout, memory);
  data.columns.forEach((column, f) => {
    const binned = binColumn(bins[f] as FeatureBins, column);
    buffers.binnedColumns.set(binned, f * rows);
    for (let row = 0; row < rows; row++) buffers.binnedRows[row * features + f] = binned[row] as number;
  });
  buffers.offsets.set(offsets);
  buffers.label.set(data.label);
  if (data.weight !== undefined) buffers.weight?.set(data.weight);
  return { bins, layout, memory, buffers };
}

/** Trains a gradient-boosted tree ensemble. */
export function trainGbdt(data: TrainingSet, options: Partial<GbdtParams> & { objective: GbdtObjective }, validation?: Validation): GbdtModel {
  const params: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...options };
  checkInput(data, params);
  const rows = data.label.length;
  const features = data.columns.length;
  const random = seededRandom(params.seed);
  const categorical = data.columns.map((_, index) => data.categorical?.[index] === true);
  const objective = makeObjective(params.objective, data.label, data.weight, params.huberDelta);
  const outputs = objective.outputs;
  const { bins, layout, memory, buffers } = prepare(data, params, categorical, outputs);
  const { scores, task, segments, parity, binnedRows, inBag } = buffers;
  const threadCount = params.threads;
  const histogramLayout: HistogramLayout = { offsets: buffers.offsets, bins, categorical };
  const bestSplit = (leaf: Leaf, allowed: Uint8Array): Split | undefined => findBestSplit(leaf, allowed, histogramLayout, params);
  for (let row = 0; row < rows; row++) for (let k = 0; k < outputs; k++) scores[row * outputs + k] = objective.initScores[k] as number;
  const label = data.label;
  const trees: FlatTree[] = [];
  const pool = new TrainingThreads(layout, memory, buffers, objective);
  const histograms = new LeafHistograms(layout.histogramSize);
  /** Calls back with each row of a leaf, over every thread's segment. */
  const forRowsOf = (leaf: number, visit: (row: number) => void): void => {
    const order = buffers.order[parity[leaf] as number] as Uint32Array;
    for (let thread = 0; thread < threadCount; thread++) {
      const end = segments[(leaf * threadCount + thread) * 2 + 1] as number;
      for (let position = segments[(leaf * threadCount + thread) * 2] as number; position < end; position++) visit(order[position] as number);
    }
  };

  const watch = validation === undefined ? undefined : watchValidation(validation, params.objective, outputs, objective.initScores, features);
  let bestRound = params.rounds;
  try {
    for (let step = 0; step < params.rounds * outputs; step++) {
      // One tree per output and round; for softmax, output k's gradients need every output's scores.
      const k = step % outputs;
      task[TASK.output] = k;
      const bagging = params.baggingFraction < 1;
      task[TASK.bagging] = bagging ? 1 : 0;
      if (bagging) for (let row = 0; row < rows; row++) inBag[row] = random() < params.baggingFraction ? 1 : 0;
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
      const used = Array.from({ length: features }, (_, f) => f).filter((f) => allowed[f] === 1);
      buffers.used[0] = used.length;
      buffers.used.set(used, 1);
      parity[0] = 0;
      pool.run(STEP.fillRoot, rows);
      const rootHistogram = sumPartials(buffers.partials, threadCount, histograms.slot(0));
      // The root's sums, from the bins of one feature (every row is in exactly one of them).
      let g = 0;
      let h = 0;
      let count = 0;
      const first = used[0] ?? 0;
      for (let index = (buffers.offsets[first] as number) * 3; index < (buffers.offsets[first + 1] as number) * 3; index += 3) {
        g += rootHistogram[index] as number;
        h += rootHistogram[index + 1] as number;
        count += rootHistogram[index + 2] as number;
      }
      const root: Leaf = { count, depth: 0, g, h, histogram: rootHistogram, split: undefined };
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
        const newLeaf = leaves.length;
        const rightCount = leaf.count - split.leftCount;
        // Partition the leaf's rows, and build the histogram of the smaller child; the larger one is the
        // parent's minus it (the subtraction trick).
        task[TASK.leaf] = chosen;
        task[TASK.newLeaf] = newLeaf;
        task[TASK.feature] = split.feature;
        task[TASK.histogramLeaf] = split.leftCount <= rightCount ? chosen : newLeaf;
        setLeftBins(buffers.leftBins, split, bins[split.feature]?.missingBin ?? 0);
        pool.run(STEP.split, leaf.count);
        parity[chosen] = parity[newLeaf] = 1 - (parity[chosen] as number);
        const node = nodeFeature.length;
        nodeFeature.push(split.feature);
        nodeBin.push(split.bin);
        nodeLeftBins.push(split.leftBins);
        nodeGain.push(split.gain);
        nodeCount.push(leaf.count);
        nodeDefaultLeft.push(split.defaultLeft);
        nodeLeft.push(~chosen);
        nodeRight.push(~newLeaf);
        const [parent, isLeft] = leafParent[chosen] ?? [-1, true];
        if (parent >= 0) (isLeft ? nodeLeft : nodeRight)[parent] = node;
        leafParent[chosen] = [node, true];
        leafParent[newLeaf] = [node, false];
        const small = sumPartials(buffers.partials, threadCount, histograms.slot(newLeaf));
        const large = leaf.histogram;
        subtractHistogram(large, small);
        const leftHistogram = split.leftCount <= rightCount ? small : large;
        const rightHistogram = split.leftCount <= rightCount ? large : small;
        const leftLeaf: Leaf = { count: split.leftCount, depth: leaf.depth + 1, g: split.leftG, h: split.leftH, histogram: leftHistogram, split: undefined };
        const rightLeaf: Leaf = { count: rightCount, depth: leaf.depth + 1, g: leaf.g - split.leftG, h: leaf.h - split.leftH, histogram: rightHistogram, split: undefined };
        leftLeaf.split = bestSplit(leftLeaf, allowed);
        rightLeaf.split = bestSplit(rightLeaf, allowed);
        leaves[chosen] = leftLeaf;
        leaves.push(rightLeaf);
      }
      const leafValue = Float64Array.from(leaves, (leaf) => params.learningRate * leafOutput(leaf.g, leaf.h, params));
      if (objective.renewsLeaves) {
        leaves.forEach((_, index) => {
          const residuals: number[] = [];
          const weights: number[] = [];
          forRowsOf(index, (row) => {
            residuals.push((label[row] as number) - (scores[row] as number));
            weights.push(data.weight?.[row] ?? 1);
          });
          if (residuals.length > 0) leafValue[index] = params.learningRate * weightedMedian(residuals, weights);
        });
      }
      const tree = flattenTree(nodeFeature, nodeBin, nodeLeftBins, nodeDefaultLeft, nodeLeft, nodeRight, leafValue, bins);
      tree.nodeCount = Float64Array.from(nodeCount);
      tree.leafCount = Float64Array.from(leaves, (leaf) => leaf.count);
      tree.splitGain = Float64Array.from(nodeGain);
      trees.push(tree);
      if (watch !== undefined && k === outputs - 1 && watch.after(trees, Math.floor(step / outputs) + 1)) {
        // Stopped by the caller: keep every round trained; by early stopping: the best one.
        bestRound = watch.stoppedByCallback() ? Math.floor(step / outputs) + 1 : watch.bestRound();
        break;
      }
      // Update every row's score: in-bag rows by their leaf's segments, out-of-bag rows by walking the tree's bins.
      buffers.leafValues.set(leafValue);
      task[TASK.leafCount] = leaves.length;
      pool.run(STEP.updateScores, rows);
      if (bagging) {
        for (let row = 0; row < rows; row++) {
          if (inBag[row] === 1) continue;
          const index = row * outputs + k;
          scores[index] = (scores[index] as number) + (leafValue[leafOfBinnedRow(tree, nodeBin, nodeLeftBins, binnedRows, features, bins, row)] ?? 0);
        }
      }
    }
  } finally {
    pool.close();
  }
  // Early stopping keeps the best round's trees; watching alone keeps them all.
  if (watch !== undefined && (validation?.patience ?? 0) > 0 && !watch.stoppedByCallback()) bestRound = watch.bestRound();
  return {
    ensemble: { featureCount: features, outputs, trees: trees.slice(0, bestRound * outputs), baseScore: objective.initScores, link: objective.link, logisticSlope: 1, averageOutput: false },
    bins,
    params,
    history: watch?.history ?? [],
    bestRound,
  };
}

