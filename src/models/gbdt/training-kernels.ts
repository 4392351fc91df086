/**
 * The parallel steps of growing a tree, each done by every thread on its own rows: filling the root
 * (gradients, then the rows of the bag), splitting a leaf (a partition of the thread's segment into the
 * other copy, then the histogram of the smaller child), and adding the finished tree's leaf values to the
 * scores. A thread writes only its own positions, rows and partial histogram, so the steps need no locks;
 * whoever runs a thread's share (the main thread or a worker), the result is the same.
 */
import type { Objective } from './objectives.js';
import { forEachBlock, regionStart, TASK, type TrainingBuffers } from './training-buffers.js';

export const STEP = { fillRoot: 1, split: 2, updateScores: 3 } as const;
export type Step = (typeof STEP)[keyof typeof STEP];

type HistogramKernel = (order: Uint32Array, bins: Uint8Array, gradientPairs: Float64Array, histogram: Float64Array, start: number, end: number) => void;

const histogramKernels = new WeakMap<TrainingBuffers, Map<string, HistogramKernel>>();

/**
 * The histogram loop for one set of features, written out feature by feature with the offsets and the
 * row width as constants. V8 compiles the unrolled body to about a third of the time of a loop over the
 * features (measured on the flights rows: 29 against 99 ms for a histogram of 2M rows of 8 features),
 * since it drops the inner loop's loads and bound checks and lets the features' updates overlap. Only
 * integers this module computed go into the code.
 */
function histogramKernel(buffers: TrainingBuffers): HistogramKernel {
  const { used, offsets, layout } = buffers;
  const features = Array.from(used.subarray(1, 1 + (used[0] as number)));
  const key = features.join(',');
  let kernels = histogramKernels.get(buffers);
  if (kernels === undefined) histogramKernels.set(buffers, (kernels = new Map()));
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    const body = features
      .map((f) => `i = (${offsets[f] as number} + bins[base + ${f}]) * 3; histogram[i] += g; histogram[i + 1] += h; histogram[i + 2] += 1;`)
      .join('\n');
    kernel = new Function(
      'order',
      'bins',
      'gradientPairs',
      'histogram',
      'start',
      'end',
      `let i = 0;\nfor (let position = start; position < end; position++) {\nconst row = order[position], g = gradientPairs[2 * row], h = gradientPairs[2 * row + 1], base = row * ${layout.features};\n${body}\n}`,
    ) as HistogramKernel;
    kernels.set(key, kernel);
  }
  return kernel;
}

/** Thread t's partial histogram, emptied. */
function partialHistogram(buffers: TrainingBuffers, thread: number): Float64Array {
  const { histogramSize } = buffers.layout;
  const histogram = buffers.partials.subarray(thread * histogramSize, (thread + 1) * histogramSize);
  histogram.fill(0);
  return histogram;
}

/** Thread t's partial histogram of a leaf's rows in the given copy. */
function buildHistogram(buffers: TrainingBuffers, thread: number, leaf: number, parity: number): void {
  const { layout, segments } = buffers;
  const { threads } = layout;
  const histogram = partialHistogram(buffers, thread);
  const start = segments[(leaf * threads + thread) * 2] as number;
  const end = segments[(leaf * threads + thread) * 2 + 1] as number;
  histogramKernel(buffers)(buffers.order[parity] as Uint32Array, buffers.binnedRows, buffers.gradientPairs, histogram, start, end);
}

/**
 * Gradients of the thread's rows, its bagged rows into its region of copy 0, and the root's histogram,
 * block by block: a block's gradients are still in the cache when the histogram reads them. The histogram
 * adds the rows in the same order as one pass over the segment would, so it is the same to the bit.
 */
function fillRoot(buffers: TrainingBuffers, thread: number, objective: Objective): void {
  const { layout, task, inBag, segments, gradientPairs, scores, binnedRows } = buffers;
  const output = task[TASK.output] as number;
  const bagging = task[TASK.bagging] === 1;
  const order = buffers.order[0];
  const histogram = partialHistogram(buffers, thread);
  const kernel = histogramKernel(buffers);
  const start = regionStart(layout, thread);
  let position = start;
  forEachBlock(layout, thread, (first, end) => {
    // A row's gradient and Hessian side by side: histograms read both from one cache line.
    objective.gradients(scores, output, gradientPairs, first, end);
    const blockStart = position;
    if (bagging) {
      for (let row = first; row < end; row++) if (inBag[row] === 1) order[position++] = row;
    } else {
      for (let row = first; row < end; row++) order[position++] = row;
    }
    kernel(order, binnedRows, gradientPairs, histogram, blockStart, position);
  });
  segments[thread * 2] = start;
  segments[thread * 2 + 1] = position;
}

/**
 * Splits the thread's segment of a leaf: left rows keep the leaf's number, right rows go to the new leaf,
 * both into the other copy (left rows from the front, right rows from the back). Then the thread's part
 * of the smaller child's histogram.
 */
function splitLeaf(buffers: TrainingBuffers, thread: number): void {
  const { layout, task, segments, leftBins } = buffers;
  const { threads, rows } = layout;
  const leaf = task[TASK.leaf] as number;
  const newLeaf = task[TASK.newLeaf] as number;
  const column = buffers.binnedColumns.subarray((task[TASK.feature] as number) * rows, ((task[TASK.feature] as number) + 1) * rows);
  const from = buffers.parity[leaf] as number;
  const to = 1 - from;
  const source = buffers.order[from] as Uint32Array;
  const target = buffers.order[to] as Uint32Array;
  const slot = (leaf * threads + thread) * 2;
  const start = segments[slot] as number;
  const end = segments[slot + 1] as number;
  // Without branches: which side a row goes is a coin toss for the processor's branch predictor. The
  // target position is chosen by a mask (-1 or 0), which V8 compiles to a few integer instructions; the
  // same choice written as goesLeft * left + (1 - goesLeft) * right took 2-3x as long per row (9-18
  // against 2.5-7 ns in a micro-benchmark of 2M rows at load ~7, same positions).
  let left = start;
  let right = end - 1;
  for (let position = start; position < end; position++) {
    const row = source[position] as number;
    const goesLeft = (leftBins[column[row] as number] as number) | 0;
    target[right + ((left - right) & -goesLeft)] = row;
    left += goesLeft;
    right -= 1 - goesLeft;
  }
  segments[slot + 1] = left;
  const newSlot = (newLeaf * threads + thread) * 2;
  segments[newSlot] = left;
  segments[newSlot + 1] = end;
  buildHistogram(buffers, thread, task[TASK.histogramLeaf] as number, to);
}

/** Adds each leaf's value to the scores of the thread's rows in it. */
function updateScores(buffers: TrainingBuffers, thread: number): void {
  const { layout, task, segments, scores, leafValues } = buffers;
  const { threads, outputs } = layout;
  const output = task[TASK.output] as number;
  const leafCount = task[TASK.leafCount] as number;
  for (let leaf = 0; leaf < leafCount; leaf++) {
    const value = leafValues[leaf] as number;
    const order = buffers.order[buffers.parity[leaf] as number] as Uint32Array;
    const end = segments[(leaf * threads + thread) * 2 + 1] as number;
    for (let position = segments[(leaf * threads + thread) * 2] as number; position < end; position++) {
      const index = (order[position] as number) * outputs + output;
      scores[index] = (scores[index] as number) + value;
    }
  }
}

/** Runs one thread's share of a step. */
export function runStep(step: Step, buffers: TrainingBuffers, thread: number, objective: Objective): void {
  if (step === STEP.fillRoot) fillRoot(buffers, thread, objective);
  else if (step === STEP.split) splitLeaf(buffers, thread);
  else updateScores(buffers, thread);
}
