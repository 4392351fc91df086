/** Turning a grown tree into the shared flattened layout, and walking it on binned training rows. */
import { DECISION_CATEGORICAL, DECISION_DEFAULT_LEFT, MISSING_NAN, type FlatTree } from '../trees/tree-ensemble.js';
import type { FeatureBins } from './binning.js';

/** The flattened tree: numeric thresholds in feature units, category sets as bitsets of their codes. */
export function flattenTree(
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
export function leafOfBinnedRow(
  tree: FlatTree,
  nodeBin: readonly number[],
  nodeLeftBins: readonly (Uint8Array | undefined)[],
  binnedRows: Uint8Array,
  stride: number,
  bins: readonly FeatureBins[],
  row: number,
): number {
  if (tree.feature.length === 0) return 0;
  let node = 0;
  for (;;) {
    const feature = tree.feature[node] ?? 0;
    const bin = binnedRows[row * stride + feature] ?? 0;
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
