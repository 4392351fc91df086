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
 * 2. Nodes. A node is four Int32 values: feature, bitset start, right child, left child, as offsets into
 *    the same array; a leaf is a node too, whose children are itself and whose bitset is all zeros, so
 *    stepping a finished traversal changes nothing.
 * 3. Lanes. A traversal is a chain of dependent loads, and a data-dependent branch per level would
 *    mispredict about as often as the data is unpredictable. The kernels step eight traversals side by
 *    side without branching on the decisions: eight rows through one tree for batches (the tree's
 *    nodes stay in the L1 cache across a block of rows), eight trees for one row. The processor overlaps
 *    the eight chains; the lanes loop until all have reached a leaf.
 *
 * On the flights model (200 trees of 63 leaves, two thirds of the nodes categorical) this predicted about
 * twice the rows per second of the trees compiled to nested ifs (compiled-trees.ts, 191k rows/s after
 * warm-up and far fewer in the first batch, which paid for compiling 200 functions) and halved a single
 * row's time; see issue 24's notes. Sums add the trees' leaf values in tree order, as the interpreter does.
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
  /** Four values per node: feature, start in `bits`, right child, left child (children as offsets into `nodes`). */
  nodes: Int32Array;
  /** Offsets from here on are leaves. */
  leafStart: number;
  /** Leaf values by node offset / 4. */
  leafValue: Float64Array;
  bits: Uint32Array;
  /** Each tree's root offset, in tree order. */
  roots: Int32Array;
  /** Scratch bins for one block of rows (prediction is synchronous, so one buffer serves every call). */
  binBuffer: Int32Array;
}

/** Rows binned and predicted together: their bins (8 features: 8 KB) stay in the L1 cache for every tree. */
export const PACKED_BLOCK_ROWS = 256;
/** Traversals stepped side by side: the kernels below are written out for eight. */
export const PACKED_LANES = 8;

/** Bins per feature beyond which a forest is not packed (each node holds a bitset over its feature's bins). */
const MAX_BINS = 1 << 16;

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
  let internal = 0;
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
    internal += tree.feature.length;
    leaves += leafCount;
  }
  // Set gives SameValueZero, so 0 and -0 are one threshold, as they are to <=.
  const thresholds = cuts.map((values) => Float64Array.from(new Set(values)).sort());
  const binCount = (feature: number): number => (kind[feature] === 2 ? (categoryBins[feature] as number) + 1 : (thresholds[feature] as Float64Array).length + 2);
  let maxWords = 1;
  for (let feature = 0; feature < featureCount; feature++) maxWords = Math.max(maxWords, Math.ceil(binCount(feature) / 32));
  // Category codes in the millions would give every node a bitset that size: such forests keep the compiled trees.
  if (maxWords * 32 > MAX_BINS) return undefined;

  // Phase 2: nodes, leaves after every internal node, the leaves' all-zero bitset first in `bits`.
  const nodes = new Int32Array(4 * (internal + leaves));
  const leafValue = new Float64Array(internal + leaves);
  const roots = new Int32Array(trees.length);
  const bits: number[] = new Array<number>(maxWords).fill(0);
  let nextNode = 0;
  let nextLeaf = internal;
  trees.forEach((tree, index) => {
    const firstNode = nextNode;
    const firstLeaf = nextLeaf;
    const offset = (child: number): number => 4 * (child < 0 ? firstLeaf + ~child : firstNode + child);
    roots[index] = offset(tree.feature.length === 0 ? -1 : 0);
    for (let node = 0; node < tree.feature.length; node++) {
      const feature = tree.feature[node] as number;
      const decision = tree.decision[node] as number;
      const at = 4 * (firstNode + node);
      const words = new Array<number>(Math.ceil(binCount(feature) / 32)).fill(0);
      const goLeft = (bin: number): void => {
        words[bin >>> 5] = ((words[bin >>> 5] as number) | (1 << (bin & 31))) >>> 0;
      };
      if (kind[feature] === 2) {
        // Bits past the node's own bitset stay 0: those codes go right, as do NaN and codes <= -1 (the last bin).
        const start = tree.catStart[node] as number;
        for (let word = 0; word < (tree.catLength[node] as number); word++) words[word] = tree.catBits[start + word] as number;
      } else {
        const threshold = tree.threshold[node] as number;
        const featureThresholds = thresholds[feature] as Float64Array;
        const last = featureThresholds.indexOf(threshold);
        for (let bin = 0; bin <= last; bin++) goLeft(bin);
        // NaN: the default direction for missing type NaN; otherwise NaN reads as 0 (goesLeft).
        const nanLeft = ((decision >> 2) & 3) === MISSING_NAN ? (decision & DECISION_DEFAULT_LEFT) !== 0 : 0 <= threshold;
        if (nanLeft) goLeft(featureThresholds.length + 1);
      }
      nodes[at] = feature;
      nodes[at + 1] = bits.length;
      nodes[at + 2] = offset(tree.right[node] as number);
      nodes[at + 3] = offset(tree.left[node] as number);
      for (const word of words) bits.push(word);
    }
    const leafCount = tree.feature.length === 0 ? 1 : tree.leafValue.length;
    for (let leaf = 0; leaf < leafCount; leaf++) {
      const at = 4 * (firstLeaf + leaf);
      nodes[at + 2] = at;
      nodes[at + 3] = at;
      leafValue[firstLeaf + leaf] = tree.leafValue[leaf] ?? 0;
    }
    nextNode += tree.feature.length;
    nextLeaf += leafCount;
  });
  return {
    featureCount,
    categoryBins,
    thresholds,
    nodes,
    leafStart: 4 * internal,
    leafValue,
    bits: Uint32Array.from(bits),
    roots,
    binBuffer: new Int32Array(PACKED_BLOCK_ROWS * featureCount),
  };
}

/** Bins rows first..last-1 of the row-major matrix `x` into forest.binBuffer. */
function binRows(forest: PackedForest, x: ArrayLike<number>, first: number, last: number): void {
  const { featureCount, categoryBins, thresholds, binBuffer } = forest;
  for (let feature = 0; feature < featureCount; feature++) {
    const otherCodes = categoryBins[feature] as number;
    const cuts = thresholds[feature] as Float64Array;
    for (let row = first, at = feature; row < last; row++, at += featureCount) {
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
  const { nodes, bits, binBuffer, leafStart } = forest;
  let node = root;
  while (node < leafStart) {
    const bin = binBuffer[at + (nodes[node] as number)] as number;
    node = nodes[node + 2 + (((bits[(nodes[node + 1] as number) + (bin >>> 5)] as number) >>> (bin & 31)) & 1)] as number;
  }
  return node;
}

/** Rows first..last-1 (binned), eight rows through each tree at a time. */
function addBlockByRowLanes(forest: PackedForest, first: number, last: number, scores: Float64Array, outputs: number): void {
  const { nodes, bits, binBuffer: b, leafStart, leafValue, roots, featureCount: width } = forest;
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
        n0 = nodes[n0 + 2 + (((bits[(nodes[n0 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a1 + (nodes[n1] as number)] as number;
        n1 = nodes[n1 + 2 + (((bits[(nodes[n1 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a2 + (nodes[n2] as number)] as number;
        n2 = nodes[n2 + 2 + (((bits[(nodes[n2 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a3 + (nodes[n3] as number)] as number;
        n3 = nodes[n3 + 2 + (((bits[(nodes[n3 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a4 + (nodes[n4] as number)] as number;
        n4 = nodes[n4 + 2 + (((bits[(nodes[n4 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a5 + (nodes[n5] as number)] as number;
        n5 = nodes[n5 + 2 + (((bits[(nodes[n5 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a6 + (nodes[n6] as number)] as number;
        n6 = nodes[n6 + 2 + (((bits[(nodes[n6 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
        v = b[a7 + (nodes[n7] as number)] as number;
        n7 = nodes[n7 + 2 + (((bits[(nodes[n7 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      }
      const at = (first + row) * outputs + output;
      scores[at] = (scores[at] as number) + (leafValue[n0 >> 2] as number);
      scores[at + outputs] = (scores[at + outputs] as number) + (leafValue[n1 >> 2] as number);
      scores[at + 2 * outputs] = (scores[at + 2 * outputs] as number) + (leafValue[n2 >> 2] as number);
      scores[at + 3 * outputs] = (scores[at + 3 * outputs] as number) + (leafValue[n3 >> 2] as number);
      scores[at + 4 * outputs] = (scores[at + 4 * outputs] as number) + (leafValue[n4 >> 2] as number);
      scores[at + 5 * outputs] = (scores[at + 5 * outputs] as number) + (leafValue[n5 >> 2] as number);
      scores[at + 6 * outputs] = (scores[at + 6 * outputs] as number) + (leafValue[n6 >> 2] as number);
      scores[at + 7 * outputs] = (scores[at + 7 * outputs] as number) + (leafValue[n7 >> 2] as number);
    }
    for (; row < count; row++) {
      const at = (first + row) * outputs + output;
      scores[at] = (scores[at] as number) + (leafValue[leafOffset(forest, root, row * width) >> 2] as number);
    }
  }
}

/** One binned row (at `row` in the bin buffer), eight trees at a time; its scores start at scores[start]. */
function addRowByTreeLanes(forest: PackedForest, row: number, scores: Float64Array, start: number, outputs: number): void {
  const { nodes, bits, binBuffer: b, leafStart, leafValue, roots } = forest;
  const a = row * forest.featureCount;
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
      n0 = nodes[n0 + 2 + (((bits[(nodes[n0 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n1] as number)] as number;
      n1 = nodes[n1 + 2 + (((bits[(nodes[n1 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n2] as number)] as number;
      n2 = nodes[n2 + 2 + (((bits[(nodes[n2 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n3] as number)] as number;
      n3 = nodes[n3 + 2 + (((bits[(nodes[n3 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n4] as number)] as number;
      n4 = nodes[n4 + 2 + (((bits[(nodes[n4 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n5] as number)] as number;
      n5 = nodes[n5 + 2 + (((bits[(nodes[n5 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n6] as number)] as number;
      n6 = nodes[n6 + 2 + (((bits[(nodes[n6 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
      v = b[a + (nodes[n7] as number)] as number;
      n7 = nodes[n7 + 2 + (((bits[(nodes[n7 + 1] as number) + (v >>> 5)] as number) >>> (v & 31)) & 1)] as number;
    }
    // In tree order, each to its own output.
    addLeaf(scores, start + (tree % outputs), leafValue, n0);
    addLeaf(scores, start + ((tree + 1) % outputs), leafValue, n1);
    addLeaf(scores, start + ((tree + 2) % outputs), leafValue, n2);
    addLeaf(scores, start + ((tree + 3) % outputs), leafValue, n3);
    addLeaf(scores, start + ((tree + 4) % outputs), leafValue, n4);
    addLeaf(scores, start + ((tree + 5) % outputs), leafValue, n5);
    addLeaf(scores, start + ((tree + 6) % outputs), leafValue, n6);
    addLeaf(scores, start + ((tree + 7) % outputs), leafValue, n7);
  }
  for (; tree < roots.length; tree++) addLeaf(scores, start + (tree % outputs), leafValue, leafOffset(forest, roots[tree] as number, a));
}

function addLeaf(scores: Float64Array, at: number, leafValue: Float64Array, leaf: number): void {
  scores[at] = (scores[at] as number) + (leafValue[leaf >> 2] as number);
}
