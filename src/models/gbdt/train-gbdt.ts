/**
 * Histogram gradient-boosted trees, grown leaf-wise as LightGBM grows them (Ke et al. 2017): per round,
 * gradients and Hessians of the objective, a histogram of them per feature bin for each leaf (the smaller
 * child built from its rows, the larger one as parent minus sibling: the subtraction trick), the best
 * split of the leaf with the largest gain taken until `numLeaves`. Missing values have their own bin and a
 * learned default direction. Trees come out in the shared flattened layout, thresholds in feature units.
 *
 * Single-threaded for now; rows are held column-major, a byte per binned value. Hot loops use typed arrays.
 */
import { MlcycleError } from '../../error.js';
import { seededRandom } from '../../stats/random.js';
import { DECISION_DEFAULT_LEFT, MISSING_NAN, type FlatTree, type TreeEnsemble } from '../trees/tree-ensemble.js';
import { binColumn, fitFeatureBins, MAX_BINS, type FeatureBins } from './binning.js';

export type GbdtObjective = 'binary' | 'regression';

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
};

export interface TrainingSet {
  /** One column per feature, NaN for missing. */
  columns: Float64Array[];
  label: Float64Array;
}

export interface GbdtModel {
  ensemble: TreeEnsemble;
  bins: FeatureBins[];
  params: GbdtParams;
}

interface Split {
  gain: number;
  feature: number;
  /** Value bins 0..bin go left. */
  bin: number;
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

function leafScore(g: number, h: number, params: GbdtParams): number {
  const t = threshold(g, params.lambdaL1);
  return (t * t) / (h + params.lambdaL2);
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
  if (params.objective === 'binary') {
    const notBinary = data.label.findIndex((value) => value !== 0 && value !== 1);
    if (notBinary >= 0) throw new MlcycleError('invalid_input', `binary labels are 0 or 1; row ${notBinary} has ${data.label[notBinary]}`);
    const positives = data.label.reduce((sum, value) => sum + value, 0);
    if (positives === 0 || positives === rows) throw new MlcycleError('invalid_input', 'binary training needs both classes; the labels hold one');
  }
}

/** Trains a gradient-boosted tree ensemble. */
export function trainGbdt(data: TrainingSet, options: Partial<GbdtParams> & { objective: GbdtObjective }): GbdtModel {
  const params: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...options };
  checkInput(data, params);
  const rows = data.label.length;
  const features = data.columns.length;
  const random = seededRandom(params.seed);
  const bins = data.columns.map((column) => fitFeatureBins(column, params.maxBins));
  const binned = data.columns.map((column, index) => binColumn(bins[index] as FeatureBins, column));
  const offsets = new Int32Array(features + 1);
  for (let f = 0; f < features; f++) offsets[f + 1] = (offsets[f] ?? 0) + (bins[f]?.missingBin ?? 0) + 1;
  const histogramSize = (offsets[features] ?? 0) * 3;

  const label = data.label;
  const mean = label.reduce((sum, value) => sum + value, 0) / rows;
  const base = params.objective === 'binary' ? Math.log(mean / (1 - mean)) : mean;
  const scores = new Float64Array(rows).fill(base);
  const gradients = new Float64Array(rows);
  const hessians = new Float64Array(rows);
  const order = new Uint32Array(rows);
  const trees: FlatTree[] = [];

  const buildHistogram = (start: number, end: number, allowed: Uint8Array): Float64Array => {
    const histogram = new Float64Array(histogramSize);
    for (let f = 0; f < features; f++) {
      if (allowed[f] === 0) continue;
      const column = binned[f] as Uint8Array;
      const offset = (offsets[f] ?? 0) * 3;
      for (let position = start; position < end; position++) {
        const row = order[position] ?? 0;
        const index = offset + (column[row] ?? 0) * 3;
        histogram[index] = (histogram[index] ?? 0) + (gradients[row] ?? 0);
        histogram[index + 1] = (histogram[index + 1] ?? 0) + (hessians[row] ?? 0);
        histogram[index + 2] = (histogram[index + 2] ?? 0) + 1;
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

  for (let round = 0; round < params.rounds; round++) {
    for (let row = 0; row < rows; row++) {
      const score = scores[row] ?? 0;
      if (params.objective === 'binary') {
        const p = 1 / (1 + Math.exp(-score));
        gradients[row] = p - (label[row] ?? 0);
        hessians[row] = Math.max(p * (1 - p), 1e-16);
      } else {
        gradients[row] = score - (label[row] ?? 0);
        hessians[row] = 1;
      }
    }
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
      g += gradients[order[position] ?? 0] ?? 0;
      h += hessians[order[position] ?? 0] ?? 0;
    }
    const root: Leaf = { start: 0, end: inBag, depth: 0, g, h, histogram: buildHistogram(0, inBag, allowed), split: undefined };
    root.split = bestSplit(root, allowed);
    const leaves: Leaf[] = [root];
    // The tree's internal nodes, and where each leaf hangs: (node, isLeft), or -1 for the root.
    const nodeFeature: number[] = [];
    const nodeBin: number[] = [];
    const nodeDefaultLeft: boolean[] = [];
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
      // Partition the leaf's rows in place: left rows first.
      const column = binned[split.feature] as Uint8Array;
      const missingBin = bins[split.feature]?.missingBin ?? 0;
      let write = leaf.start;
      const right: number[] = [];
      for (let position = leaf.start; position < leaf.end; position++) {
        const row = order[position] ?? 0;
        const bin = column[row] ?? 0;
        const goesLeft = bin === missingBin ? split.defaultLeft : bin <= split.bin;
        if (goesLeft) order[write++] = row;
        else right.push(row);
      }
      for (const row of right) order[write++] = row;
      const middle = leaf.start + split.leftCount;
      const node = nodeFeature.length;
      nodeFeature.push(split.feature);
      nodeBin.push(split.bin);
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
    const tree: FlatTree = {
      feature: Int32Array.from(nodeFeature),
      threshold: Float64Array.from(nodeFeature, (feature, node) => bins[feature]?.thresholds[nodeBin[node] ?? 0] ?? 0),
      left: Int32Array.from(nodeLeft),
      right: Int32Array.from(nodeRight),
      decision: Uint8Array.from(nodeDefaultLeft, (defaultLeft) => (MISSING_NAN << 2) | (defaultLeft ? DECISION_DEFAULT_LEFT : 0)),
      catStart: new Int32Array(nodeFeature.length),
      catLength: new Int32Array(nodeFeature.length),
      catBits: new Uint32Array(0),
      leafValue,
    };
    trees.push(tree);
    // Update every row's score: in-bag rows by their leaf's range, out-of-bag rows by walking the tree's bins.
    if (inBag === rows) {
      leaves.forEach((leaf, index) => {
        const value = leafValue[index] ?? 0;
        for (let position = leaf.start; position < leaf.end; position++) {
          const row = order[position] ?? 0;
          scores[row] = (scores[row] ?? 0) + value;
        }
      });
    } else {
      for (let row = 0; row < rows; row++) scores[row] = (scores[row] ?? 0) + (leafValue[leafOfBinnedRow(tree, nodeBin, binned, bins, row)] ?? 0);
    }
  }
  return {
    ensemble: { featureCount: features, outputs: 1, trees, baseScore: [base], link: params.objective === 'binary' ? 'logistic' : 'identity', logisticSlope: 1, averageOutput: false },
    bins,
    params,
  };
}

/** The leaf of a training row, walking the tree on binned values. */
function leafOfBinnedRow(tree: FlatTree, nodeBin: readonly number[], binned: readonly Uint8Array[], bins: readonly FeatureBins[], row: number): number {
  if (tree.feature.length === 0) return 0;
  let node = 0;
  for (;;) {
    const feature = tree.feature[node] ?? 0;
    const bin = binned[feature]?.[row] ?? 0;
    const goesLeft = bin === bins[feature]?.missingBin ? ((tree.decision[node] ?? 0) & DECISION_DEFAULT_LEFT) !== 0 : bin <= (nodeBin[node] ?? 0);
    const next = goesLeft ? (tree.left[node] ?? 0) : (tree.right[node] ?? 0);
    if (next < 0) return ~next;
    node = next;
  }
}
