/**
 * The memory that training threads share: every array lives in a SharedArrayBuffer, so that worker
 * threads read and write the same rows, gradients and histograms as the main thread without copying.
 *
 * Rows are dealt to threads round-robin (row r belongs to thread r mod T), so that each thread holds an
 * even share of every leaf even when the rows are sorted (by date, say). Thread t keeps its rows in its own
 * region of positions; a leaf is, per thread, a segment of that region. The binned features, gradients and
 * Hessians travel with the rows when a leaf is split (LightGBM's ordered gradients, extended to the bins),
 * so that building a histogram and partitioning a leaf both read memory in sequence. Each is held twice:
 * a split reads a leaf from one copy and writes its children into the other (`parity`).
 */
import type { GbdtObjective } from './objectives.js';

/** The sizes both sides agree on. */
export interface BufferLayout {
  rows: number;
  features: number;
  /** Bytes per row of binned features: the feature count rounded up to whole 32-bit words. */
  stride: number;
  threads: number;
  outputs: number;
  maxLeaves: number;
  /** Numbers in one histogram: (gradient, Hessian, count) per bin of every feature. */
  histogramSize: number;
  objective: GbdtObjective;
  huberDelta: number;
  weighted: boolean;
}

/** Slots of `task`: what the current parallel step works on. */
export const TASK = {
  /** The output (class) whose tree is being grown. */
  output: 0,
  /** 1 when only in-bag rows train this tree. */
  bagging: 1,
  /** A split: the leaf split, the new (right) leaf and the feature; `leftBins` says where each bin goes. */
  leaf: 2,
  newLeaf: 3,
  feature: 4,
  /** The leaf whose histogram to build after the split: the smaller child. */
  histogramLeaf: 5,
  /** Leaves in the finished tree, for the score update. */
  leafCount: 6,
} as const;

export interface TrainingBuffers {
  layout: BufferLayout;
  /** Row-major bins in the original row order, `stride` bytes per row. */
  binnedRows: Uint8Array;
  label: Float64Array;
  weight: Float64Array | undefined;
  /** Raw scores, `outputs` per row. */
  scores: Float64Array;
  /** Per row, this round's gradient and Hessian. */
  gradients: Float64Array;
  hessians: Float64Array;
  /** 1 for rows in this tree's bag. */
  inBag: Uint8Array;
  /** By parity: the row at each position, its bins (bytes and words) and its gradient and Hessian. */
  order: [Uint32Array, Uint32Array];
  bins: [Uint8Array, Uint8Array];
  words: [Uint32Array, Uint32Array];
  orderedGradients: [Float64Array, Float64Array];
  orderedHessians: [Float64Array, Float64Array];
  /** Per leaf and thread, [start, end) of its positions. */
  segments: Int32Array;
  /** Per leaf, which copy holds its rows. */
  parity: Uint8Array;
  leafValues: Float64Array;
  /** The features this tree may use: their count, then their indices. */
  used: Int32Array;
  /** Per feature, where its bins start in a histogram (in bins); one more entry for the end. */
  offsets: Int32Array;
  /** One partial histogram per thread. */
  partials: Float64Array;
  task: Int32Array;
  /** For the split at hand, 1 for each bin of its feature that goes left. */
  leftBins: Uint8Array;
}

/** The shared memory behind the buffers, which is what a worker thread receives. */
export type SharedMemory = Record<string, SharedArrayBuffer>;

const BYTES = { u8: 1, i32: 4, u32: 4, f64: 8 } as const;

function sharedArrays(layout: BufferLayout) {
  const { rows, stride, threads, outputs, maxLeaves, histogramSize, features } = layout;
  return {
    binnedRows: ['u8', rows * stride],
    label: ['f64', rows],
    weight: ['f64', layout.weighted ? rows : 0],
    scores: ['f64', rows * outputs],
    gradients: ['f64', rows],
    hessians: ['f64', rows],
    inBag: ['u8', rows],
    order0: ['u32', rows],
    order1: ['u32', rows],
    bins0: ['u8', rows * stride],
    bins1: ['u8', rows * stride],
    orderedGradients0: ['f64', rows],
    orderedGradients1: ['f64', rows],
    orderedHessians0: ['f64', rows],
    orderedHessians1: ['f64', rows],
    segments: ['i32', maxLeaves * threads * 2],
    parity: ['u8', maxLeaves],
    leafValues: ['f64', maxLeaves],
    used: ['i32', features + 1],
    offsets: ['i32', features + 1],
    partials: ['f64', threads * histogramSize],
    task: ['i32', 16],
    leftBins: ['u8', 256],
  } as const;
}

/** Allocates the shared memory for a layout. */
export function allocateMemory(layout: BufferLayout): SharedMemory {
  return Object.fromEntries(Object.entries(sharedArrays(layout)).map(([name, [type, length]]) => [name, new SharedArrayBuffer(Math.max(BYTES[type] * length, 8))]));
}

/** Typed views over shared memory: the same on the main thread and in every worker. */
export function viewBuffers(layout: BufferLayout, memory: SharedMemory): TrainingBuffers {
  const get = (name: string): SharedArrayBuffer => memory[name] as SharedArrayBuffer;
  const f64 = (name: string) => new Float64Array(get(name));
  const u8 = (name: string) => new Uint8Array(get(name));
  const u32 = (name: string) => new Uint32Array(get(name));
  const i32 = (name: string) => new Int32Array(get(name));
  return {
    layout,
    binnedRows: u8('binnedRows').subarray(0, layout.rows * layout.stride),
    label: f64('label').subarray(0, layout.rows),
    weight: layout.weighted ? f64('weight') : undefined,
    scores: f64('scores'),
    gradients: f64('gradients'),
    hessians: f64('hessians'),
    inBag: u8('inBag'),
    order: [u32('order0'), u32('order1')],
    bins: [u8('bins0'), u8('bins1')],
    words: [u32('bins0'), u32('bins1')],
    orderedGradients: [f64('orderedGradients0'), f64('orderedGradients1')],
    orderedHessians: [f64('orderedHessians0'), f64('orderedHessians1')],
    segments: i32('segments'),
    parity: u8('parity'),
    leafValues: f64('leafValues'),
    used: i32('used'),
    offsets: i32('offsets'),
    partials: f64('partials'),
    task: i32('task'),
    leftBins: u8('leftBins'),
  };
}

/** Where thread t's region of positions starts: threads before it hold ceil((rows - u) / T) rows each. */
export function regionStart(layout: BufferLayout, thread: number): number {
  let start = 0;
  for (let u = 0; u < thread; u++) start += Math.ceil((layout.rows - u) / layout.threads);
  return start;
}
