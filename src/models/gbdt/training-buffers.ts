/**
 * The memory that training threads share: every array lives in a SharedArrayBuffer, so that worker
 * threads read and write the same rows, gradients and histograms as the main thread without copying.
 *
 * Rows are dealt to threads in blocks of ROW_BLOCK, round-robin (row r belongs to thread
 * floor(r / ROW_BLOCK) mod T), so that each thread holds an even share of every leaf even when the rows are
 * sorted (by date, say), while no two threads write the same cache line of gradients or scores (dealt
 * row by row, they did on every line). Thread t keeps its rows in its own
 * region of positions; a leaf is, per thread, a segment of that region. Only row numbers move when a leaf
 * is split, reading the split feature's bins column by column (a column of 2M rows is 2 MB, which the
 * processor's caches hold); histograms read a row's bins, gradient and Hessian where the row is. Moving the
 * bins, gradients and Hessians with the rows instead (LightGBM's ordered gradients, extended to the bins)
 * made histograms read in sequence but cost more than it saved: a tree of 63 leaves on the 2M flights
 * rows partitions 13M rows and builds histograms of 5.7M. Row numbers are held twice: a split reads a
 * leaf from one copy and writes its children into the other (`parity`).
 */
import type { GbdtObjective } from './objectives.js';

/** The sizes both sides agree on. */
export interface BufferLayout {
  rows: number;
  features: number;
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
  /** Row-major bins: feature f's bin of row r at r * features + f. */
  binnedRows: Uint8Array;
  /** Column-major bins: feature f's bin of row r at f * rows + r. */
  binnedColumns: Uint8Array;
  label: Float64Array;
  weight: Float64Array | undefined;
  /** Raw scores, `outputs` per row. */
  scores: Float64Array;
  /** Per row, this round's gradient and Hessian, interleaved: row r's gradient at 2r, its Hessian at 2r + 1. */
  gradientPairs: Float64Array;
  /** 1 for rows in this tree's bag. */
  inBag: Uint8Array;
  /** By parity: the row at each position. */
  order: [Uint32Array, Uint32Array];
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
  const { rows, threads, outputs, maxLeaves, histogramSize, features } = layout;
  return {
    binnedRows: ['u8', rows * features],
    label: ['f64', rows],
    weight: ['f64', layout.weighted ? rows : 0],
    scores: ['f64', rows * outputs],
    gradientPairs: ['f64', 2 * rows],
    inBag: ['u8', rows],
    binnedColumns: ['u8', rows * features],
    order0: ['u32', rows],
    order1: ['u32', rows],
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
    binnedRows: u8('binnedRows'),
    label: f64('label').subarray(0, layout.rows),
    weight: layout.weighted ? f64('weight') : undefined,
    scores: f64('scores'),
    gradientPairs: f64('gradientPairs'),
    inBag: u8('inBag'),
    binnedColumns: u8('binnedColumns'),
    order: [u32('order0'), u32('order1')],
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

/** Rows dealt to a thread at a time: 8 KB of gradients, a multiple of any cache line. */
export const ROW_BLOCK = 1024;

/** Calls back with [start, end) of each block of rows that belongs to the thread, in row order. */
export function forEachBlock(layout: BufferLayout, thread: number, visit: (start: number, end: number) => void): void {
  const { rows, threads } = layout;
  for (let start = thread * ROW_BLOCK; start < rows; start += threads * ROW_BLOCK) visit(start, Math.min(start + ROW_BLOCK, rows));
}

/** How many rows belong to the thread. */
export function threadRows(layout: BufferLayout, thread: number): number {
  let count = 0;
  forEachBlock(layout, thread, (start, end) => (count += end - start));
  return count;
}

/** Where thread t's region of positions starts: after the rows of the threads before it. */
export function regionStart(layout: BufferLayout, thread: number): number {
  let start = 0;
  for (let u = 0; u < thread; u++) start += threadRows(layout, u);
  return start;
}
