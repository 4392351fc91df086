/**
 * One tree in the flattened layout (structure of arrays, one typed array per field) and its decisions, shared
 * by the trees mlcycle trains and the ones it imports. The split semantics are LightGBM's (include/LightGBM/
 * tree.h): a node's decision byte holds bit 0 categorical, bit 1 default-left, bits 2-3 the missing type
 * (0 none, 1 zero, 2 NaN); a child index below zero is the leaf ~index. The interpreter here and the
 * compiled trees (compiled-trees.ts) both build on this module, so neither imports the other.
 */
export const DECISION_CATEGORICAL = 1;
export const DECISION_DEFAULT_LEFT = 2;
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;
/** LightGBM's kZeroThreshold: values this close to 0 count as zero. */
const ZERO_THRESHOLD = 1e-35;

export interface FlatTree {
  feature: Int32Array;
  /** Numeric nodes: go left when value <= threshold. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  decision: Uint8Array;
  /** Categorical nodes: their categories going left, as a bitset slice catBits[catStart, catStart + catLength). */
  catStart: Int32Array;
  catLength: Int32Array;
  catBits: Uint32Array;
  leafValue: Float64Array;
  /** Training rows through each internal node and each leaf: TreeSHAP's cover. */
  nodeCount: Float64Array;
  leafCount: Float64Array;
  /** Each internal node's split gain, for gain importance. */
  splitGain: Float64Array;
}

/** Whether a node sends a feature value left. The hot path of prediction: typed arrays, no allocation. */
export function goesLeft(tree: FlatTree, node: number, featureValue: number): boolean {
  const decision = tree.decision[node] as number;
  if ((decision & DECISION_CATEGORICAL) !== 0) {
    // NaN, negative categories and categories past the bitset go right (values in (-1, 0) truncate to
    // category 0, as in C++); otherwise left when the category's bit is set.
    if (featureValue !== featureValue) return false;
    const category = Math.trunc(featureValue);
    if (category < 0 || category >= (tree.catLength[node] as number) * 32) return false;
    return (((tree.catBits[(tree.catStart[node] as number) + (category >>> 5)] as number) >>> (category & 31)) & 1) === 1;
  }
  const missing = (decision >> 2) & 3;
  let value = featureValue;
  if (value !== value) {
    // NaN: the default direction when NaN is the node's missing value, else treated as 0.
    if (missing === MISSING_NAN) return (decision & DECISION_DEFAULT_LEFT) !== 0;
    value = 0;
  }
  if (missing === MISSING_ZERO && Math.abs(value) <= ZERO_THRESHOLD) return (decision & DECISION_DEFAULT_LEFT) !== 0;
  return value <= (tree.threshold[node] as number);
}

/** The leaf a row reaches in a tree; `row` holds the features from `offset`. */
export function leafIndex(tree: FlatTree, row: ArrayLike<number>, offset = 0): number {
  if (tree.feature.length === 0) return 0;
  const { feature, left, right } = tree;
  let node = 0;
  for (;;) {
    const next = goesLeft(tree, node, row[offset + (feature[node] as number)] as number) ? (left[node] as number) : (right[node] as number);
    if (next < 0) return ~next;
    node = next;
  }
}
