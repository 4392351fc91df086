/**
 * A whole forest packed for fast prediction: every node's decision becomes one bit looked up by the bin
 * of its feature's value, and the trees' nodes share one Int32Array.
 *
 * 1. Bins. Each feature's value is binned once per row: a numeric feature by the count of the forest's
 *    distinct thresholds on it that lie below the value (one more bin for NaN), a categorical one by its
 *    code (codes outside the forest's bitsets and NaN share one last bin). "value <= threshold k" is then
 *    "bin <= k", and a category's test is its own bit, so every node, numeric or categorical, holds a
 *    bitset over its feature's bins with a bit set for each bin that goes left, NaN routing included
 *    (flat-tree.ts's goesLeft, the semantics these decisions reproduce bit for bit).
 * 2. Nodes. One Int32Array holds every node as a record: an internal node's feature, right child, left
 *    child (offsets into the same array) and its bitset, so a step reads one or two cache lines; a leaf is
 *    a record too, reading a bin column that is always 0 and sending bin 0 to itself, so stepping a
 *    finished traversal changes nothing, followed by its value's index.
 * 3. Lanes. A traversal is a chain of dependent loads, and a data-dependent branch per level would
 *    mispredict about as often as the data is unpredictable. The kernels step eight traversals side by
 *    side without branching on the decisions: eight rows through one tree for batches (the tree's
 *    nodes stay in the L1 cache across a block of rows, as in XGBoost's CPU predictor, which walks blocks
 *    of 64 rows tree by tree), eight trees for one row. The processor overlaps
 *    the eight chains; the lanes loop until all have reached a leaf.
 *
 * On the flights model (200 trees of 63 leaves, two thirds of the nodes categorical) this predicted about
 * twice the rows per second of the trees compiled to nested ifs (compiled-trees.ts: 191k rows/s after
 * warm-up, and 115k in the benchmark's first batch, which paid for compiling 200 functions; packed, 370k to
 * 400k) and halved a single row's time (10 to 13 us before, 4.5 to 5 us). Sums add the trees' leaf values
 * in tree order, as the interpreter does, so the scores are the interpreter's to the bit.
 *
 * Forests this cannot hold exactly fall back to the compiled trees: zero-as-missing splits (LightGBM's
 * missing type zero, which tests |value| <= 1e-35 on both sides of 0), NaN thresholds, and a feature
 * split both as a category and as a number.
 */
import { DECISION_CATEGORICAL, DECISION_DEFAULT_LEFT, MISSING_NAN, MISSING_ZERO, type FlatTree } from './flat-tree.js';

export interface PackedForest {
  featureCount: number;
  /** Per feature: -1 when numeric, else the categorical bin of codes past every bitset and of NaN. */
  categoryBins: Int32Array;
  /** Per numeric feature: the forest's distinct thresholds on it, ascending (empty for categorical features). */
  thresholds: Float64Array[];
  /**
   * The nodes, one record each: an internal node's feature, right child, left child (offsets into this
   * array) and its bitset over the feature's bins; a leaf's feature (featureCount, whose bin is always 0),
   * itself twice, a zero word and its index in `leafValue`. A node's bits lie beside it, in its cache line.
   */
  nodes: Int32Array;
  /** Offsets from here on are leaves. */
  leafStart: number;
  leafValue: Float64Array;
  /** Each tree's root offset, in tree order. */
  roots: Int32Array;
  /**
   * Scratch bins for one block of rows, featureCount + 1 a row, the last always 0 (prediction is
   * synchronous, so one buffer serves every call).
   */
  binBuffer: Int32Array;
}

/** Rows binned and predicted together: their bins (9 KB for 8 features) stay in the L1 cache for every tree. */
export const PACKED_BLOCK_ROWS = 256;
/** Traversals stepped side by side: the kernels below are written out for eight. */
export const PACKED_LANES = 8;

/** Bins per feature beyond which a forest is not packed (each node holds a bitset over its feature's bins). */
const MAX_BINS = 1 << 16;

/** Values in a leaf's record. */
const LEAF_SIZE = 5;

const packedForests = new WeakMap<readonly FlatTree[], PackedForest | null>();

/** The forest packed (cached per list of trees), or undefined when its splits cannot be packed exactly. */
export function packForest(trees: readonly FlatTree[], featureCount: number): PackedForest | undefined {
  let packed = packedForests.get(trees);
  if (packed === undefined || (packed !== null && packed.featureCount !== featureCount)) {
    packed = buildPackedForest(trees, featureCount) ?? null;
    packedForests.set(trees, packed);
  }
  return packed ?? undefined;
}

function buildPackedForest(trees: readonly FlatTree[], featureCount: number): PackedForest | undefined {
  // Phase 1: each feature's kind and bins.
  const kind = new Int8Array(featureCount); // 0 unused, 1 numeric, 2 categorical
  const categoryBins = new Int32Array(featureCount).fill(-1);
  const cuts: number[][] = Array.from({ length: featureCount }, () => []);
  let leaves = 0;
  for (const tree of trees) {
    for (let node = 0; node < tree.feature.length; node++) {
      const feature = tree.feature[node] as number;
      const decision = tree.decision[node] as number;
      if (!(feature >= 0 && feature < featureCount)) return undefined;
      const categorical = (decision & DECISION_CATEGORICAL) !== 0;
      if (kind[feature] === (categorical ? 1 : 2)) return undefined;
      kind[feature] = categorical ? 2 : 1;
      if (categorical) categoryBins[feature] = Math.max(categoryBins[feature] as number, (tree.catLength[node] as number) * 32);
      else {
        const threshold = tree.threshold[node] as number;
        if (((decision >> 2) & 3) === MISSING_ZERO || threshold !== threshold) return undefined;
        (cuts[feature] as number[]).push(threshold);
      }
    }
    const leafCount = tree.feature.length === 0 ? 1 : tree.leafValue.length;
    for (let node = 0; node < tree.feature.length; node++) {
      for (const child of [tree.left[node] as number, tree.right[node] as number]) {
        if (child < 0 ? ~child >= leafCount : child >= tree.feature.length) return undefined;
      }
    }
    leaves += leafCount;
  }
  // Set gives SameValueZero, so 0 and -0 are one threshold, as they are to <=.
  const thresholds = cuts.map((values) => Float64Array.from(new Set(values)).sort());
  const binCount = (feature: number): number => (kind[feature] === 2 ? (categoryBins[feature] as number) + 1 : (thresholds[feature] as Float64Array).length + 2);
  // Category codes in the millions would give every node a bitset that size: such forests keep the compiled trees.
  for (let feature = 0; feature < featureCount; feature++) if (binCount(feature) > MAX_BINS) return undefined;

  // Phase 2: each node's offset. An internal node is its feature, right child, left child and bitset; a
  // leaf reads the always-zero bin column (featureCount), so one zero word sends it to itself, then holds
  // its value's index.
  const wordsOf = (feature: number): number => Math.ceil(binCount(feature) / 32);
  const firstOffsets: number[] = [];
  let length = 0;
  for (const tree of trees) {
    firstOffsets.push(length);
    for (let node = 0; node < tree.feature.length; node++) length += 3 + wordsOf(tree.feature[node] as number);
  }
  const leafStart = length;
  length += LEAF_SIZE * leaves;
  if (length >= 2 ** 30) return undefined;

  // Phase 3: the records.
  const nodes = new Int32Array(length);
  const leafValue = new Float64Array(leaves);
  const roots = new Int32Array(trees.length);
  let firstLeaf = 0;
  trees.forEach((tree, index) => {
    const internalOffsets: number[] = [];
    let at = firstOffsets[index] as number;
    for (let node = 0; node < tree.feature.length; node++) {
      internalOffsets.push(at);
      at += 3 + wordsOf(tree.feature[node] as number);
    }
    const offset = (child: number): number => (child < 0 ? leafStart + LEAF_SIZE * (firstLeaf + ~child) : (internalOffsets[child] as number));
    roots[index] = offset(tree.feature.length === 0 ? -1 : 0);
    for (let node = 0; node < tree.feature.length; node++) {
      const feature = tree.feature[node] as number;
      const decision = tree.decision[node] as number;
      const record = internalOffsets[node] as number;
      const words = record + 3;
      const goLeft = (bin: number): void => {
        nodes[words + (bin >>> 5)] = (nodes[words + (bin >>> 5)] as number) | (1 << (bin & 31));
      };
      if (kind[feature] === 2) {
        // Bits past the node's own bitset stay 0: those codes go right, as do NaN and codes <= -1 (the last bin).
        const start = tree.catStart[node] as number;
        for (let word = 0; word < (tree.catLength[node] as number); word++) nodes[words + word] = tree.catBits[start + word] as number;
      } else {
        const threshold = tree.threshold[node] as number;
        const featureThresholds = thresholds[feature] as Float64Array;
        const last = featureThresholds.indexOf(threshold);
        for (let bin = 0; bin <= last; bin++) goLeft(bin);
        // NaN: the default direction for missing type NaN; otherwise NaN reads as 0 (goesLeft).
        const nanLeft = ((decision >> 2) & 3) === MISSING_NAN ? (decision & DECISION_DEFAULT_LEFT) !== 0 : 0 <= threshold;
        if (nanLeft) goLeft(featureThresholds.length + 1);
      }
      nodes[record] = feature;
      nodes[record + 1] = offset(tree.right[node] as number);
      nodes[record + 2] = offset(tree.left[node] as number);
    }
    const leafCount = tree.feature.length === 0 ? 1 : tree.leafValue.length;
    for (let leaf = 0; leaf < leafCount; leaf++) {
      const record = leafStart + LEAF_SIZE * (firstLeaf + leaf);
      nodes[record] = featureCount;
      nodes[record + 1] = record;
      nodes[record + 2] = record;
      nodes[record + 4] = firstLeaf + leaf;
      leafValue[firstLeaf + leaf] = tree.leafValue[leaf] ?? 0;
    }
    firstLeaf += leafCount;
  });
  return {
    featureCount,
    categoryBins,
    thresholds,
    nodes,
    leafStart,
    leafValue,
    roots,
    binBuffer: new Int32Array(PACKED_BLOCK_ROWS * (featureCount + 1)),
  };
}

/** Bins rows first..last-1 of the row-major matrix `x` into forest.binBuffer. */
function binRows(forest: PackedForest, x: ArrayLike<number>, first: number, last: number): void {
  const { featureCount, categoryBins, thresholds, binBuffer } = forest;
  for (let feature = 0; feature < featureCount; feature++) {
    const otherCodes = categoryBins[feature] as number;
    const cuts = thresholds[feature] as Float64Array;
    for (let row = first, at = feature; row < last; row++, at += featureCount + 1) {
      const value = x[row * featureCount + feature] as number;
      let bin: number;
      if (otherCodes >= 0) {
        // Codes in (-1, 0) truncate to category 0 (goesLeft's Math.trunc); >>> 0 truncates the same way here.
        bin = value > -1 && value < otherCodes ? value >>> 0 : otherCodes;
      } else if (value !== value) {
        bin = cuts.length + 1;
      } else {
        // The count of thresholds below the value, by binary search.
        let low = 0;
        let high = cuts.length;
        while (low < high) {
          const middle = (low + high) >>> 1;
          if ((cuts[middle] as number) < value) low = middle + 1;
          else high = middle;
        }
        bin = low;
      }
      binBuffer[at] = bin;
    }
  }
}

/**
 * Adds the forest's leaf values to `scores` (rows x outputs; tree t adds to output t mod outputs) for a
 * row-major feature matrix, in tree order for each score.
 */
export function addPackedScores(forest: PackedForest, x: ArrayLike<number>, rows: number, outputs: number, scores: Float64Array): void {
  for (let first = 0; first < rows; first += PACKED_BLOCK_ROWS) {
    const last = Math.min(rows, first + PACKED_BLOCK_ROWS);
    binRows(forest, x, first, last);
    if (last - first < PACKED_LANES) {
      for (let row = first; row < last; row++) addRowByTreeLanes(forest, row - first, scores, row * outputs, outputs);
    } else {
      addBlockByRowLanes(forest, first, last, scores, outputs);
    }
  }
}

/** One tree's leaf for the binned row at `at` in the bin buffer, stepping one traversal alone. */
function leafOffset(forest: PackedForest, root: number, at: number): number {
  const { nodes, binBuffer, leafStart } = forest;
  let node = root;
  while (node < leafStart) {
    const bin = binBuffer[at + (nodes[node] as number)] as number;
    node = nodes[node + 1 + (((nodes[node + 3 + (bin >>> 5)] as number) >>> (bin & 31)) & 1)] as number;
  }
  return node;
}

/** Rows first..last-1 (binned), eight rows through each tree at a time. */
function addBlockByRowLanes(forest: PackedForest, first: number, last: number, scores: Float64Array, outputs: number): void {
  const { nodes, binBuffer: b, leafStart, leafValue, roots } = forest;
  const width = forest.featureCount + 1;
  const count = last - first;
  for (let tree = 0; tree < roots.length; tree++) {
    const root = roots[tree] as number;
    const output = tree % outputs;
    let row = 0;
    for (; row + PACKED_LANES <= count; row += PACKED_LANES) {
      const a0 = row * width;
      const a1 = a0 + width;
      const a2 = a1 + width;
      const a3 = a2 + width;
      const a4 = a3 + width;
      const a5 = a4 + width;
      const a6 = a5 + width;
      const a7 = a6 + width;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      let n4 = root;
      let n5 = root;
      let n6 = root;
      let n7 = root;
      // Until every lane is at a leaf (offsets below leafStart make the OR negative).
      while (((n0 - leafStart) | (n1 - leafStart) | (n2 - leafStart) | (n3 - leafStart) | (n4 - leafStart) | (n5 - leafStart) | (n6 - leafStart) | (n7 - leafStart)) < 0) {
        let v = b[a0 + (nodes[n0] as number)] as number;
        n0 = nodes[n0 + 1 + (((nodes[n0 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a1 + (nodes[n1] as number)] as number;
        n1 = nodes[n1 + 1 + (((nodes[n1 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a2 + (nodes[n2] as number)] as number;
        n2 = nodes[n2 + 1 + (((nodes[n2 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a3 + (nodes[n3] as number)] as number;
        n3 = nodes[n3 + 1 + (((nodes[n3 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a4 + (nodes[n4] as number)] as number;
        n4 = nodes[n4 + 1 + (((nodes[n4 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a5 + (nodes[n5] as number)] as number;
        n5 = nodes[n5 + 1 + (((nodes[n5 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a6 + (nodes[n6] as number)] as number;
        n6 = nodes[n6 + 1 + (((nodes[n6 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a7 + (nodes[n7] as number)] as number;
        n7 = nodes[n7 + 1 + (((nodes[n7 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      }
      const at = (first + row) * outputs + output;
      scores[at] = (scores[at] as number) + (leafValue[nodes[n0 + 4] as number] as number);
      scores[at + outputs] = (scores[at + outputs] as number) + (leafValue[nodes[n1 + 4] as number] as number);
      scores[at + 2 * outputs] = (scores[at + 2 * outputs] as number) + (leafValue[nodes[n2 + 4] as number] as number);
      scores[at + 3 * outputs] = (scores[at + 3 * outputs] as number) + (leafValue[nodes[n3 + 4] as number] as number);
      scores[at + 4 * outputs] = (scores[at + 4 * outputs] as number) + (leafValue[nodes[n4 + 4] as number] as number);
      scores[at + 5 * outputs] = (scores[at + 5 * outputs] as number) + (leafValue[nodes[n5 + 4] as number] as number);
      scores[at + 6 * outputs] = (scores[at + 6 * outputs] as number) + (leafValue[nodes[n6 + 4] as number] as number);
      scores[at + 7 * outputs] = (scores[at + 7 * outputs] as number) + (leafValue[nodes[n7 + 4] as number] as number);
    }
    for (; row < count; row++) {
      const at = (first + row) * outputs + output;
      scores[at] = (scores[at] as number) + (leafValue[nodes[leafOffset(forest, root, row * width) + 4] as number] as number);
    }
  }
}

/**
 * One binned row (at `row` in the bin buffer), eight trees at a time; its scores start at scores[start].
 * The eight steps are written out again rather than shared with addBlockByRowLanes through scratch arrays
 * of lanes: sharing them cost a third more instructions per row (callgrind, flights model).
 */
function addRowByTreeLanes(forest: PackedForest, row: number, scores: Float64Array, start: number, outputs: number): void {
  const { nodes, binBuffer: b, leafStart, leafValue, roots } = forest;
  const a = row * (forest.featureCount + 1);
  let tree = 0;
  for (; tree + PACKED_LANES <= roots.length; tree += PACKED_LANES) {
    let n0 = roots[tree] as number;
    let n1 = roots[tree + 1] as number;
    let n2 = roots[tree + 2] as number;
    let n3 = roots[tree + 3] as number;
    let n4 = roots[tree + 4] as number;
    let n5 = roots[tree + 5] as number;
    let n6 = roots[tree + 6] as number;
    let n7 = roots[tree + 7] as number;
    while (((n0 - leafStart) | (n1 - leafStart) | (n2 - leafStart) | (n3 - leafStart) | (n4 - leafStart) | (n5 - leafStart) | (n6 - leafStart) | (n7 - leafStart)) < 0) {
      let v = b[a + (nodes[n0] as number)] as number;
      n0 = nodes[n0 + 1 + (((nodes[n0 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n1] as number)] as number;
      n1 = nodes[n1 + 1 + (((nodes[n1 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n2] as number)] as number;
      n2 = nodes[n2 + 1 + (((nodes[n2 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n3] as number)] as number;
      n3 = nodes[n3 + 1 + (((nodes[n3 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n4] as number)] as number;
      n4 = nodes[n4 + 1 + (((nodes[n4 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n5] as number)] as number;
      n5 = nodes[n5 + 1 + (((nodes[n5 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n6] as number)] as number;
      n6 = nodes[n6 + 1 + (((nodes[n6 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n7] as number)] as number;
      n7 = nodes[n7 + 1 + (((nodes[n7 + 3 + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
    }
    // In tree order, each to its own output.
    addLeaf(scores, start + (tree % outputs), leafValue, nodes[n0 + 4] as number);
    addLeaf(scores, start + ((tree + 1) % outputs), leafValue, nodes[n1 + 4] as number);
    addLeaf(scores, start + ((tree + 2) % outputs), leafValue, nodes[n2 + 4] as number);
    addLeaf(scores, start + ((tree + 3) % outputs), leafValue, nodes[n3 + 4] as number);
    addLeaf(scores, start + ((tree + 4) % outputs), leafValue, nodes[n4 + 4] as number);
    addLeaf(scores, start + ((tree + 5) % outputs), leafValue, nodes[n5 + 4] as number);
    addLeaf(scores, start + ((tree + 6) % outputs), leafValue, nodes[n6 + 4] as number);
    addLeaf(scores, start + ((tree + 7) % outputs), leafValue, nodes[n7 + 4] as number);
  }
  for (; tree < roots.length; tree++) addLeaf(scores, start + (tree % outputs), leafValue, nodes[leafOffset(forest, roots[tree] as number, a) + 4] as number);
}

function addLeaf(scores: Float64Array, at: number, leafValue: Float64Array, leaf: number): void {
  scores[at] = (scores[at] as number) + (leafValue[leaf] as number);
}
