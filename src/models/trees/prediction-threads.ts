/**
 * Batch prediction of a packed forest on two threads: the main thread scores the first half of the rows,
 * one worker thread the second half, at the same time. A row's score is the sum of its trees' leaf values
 * in tree order whichever thread computes it, so the scores are those of one thread to the bit.
 *
 * The worker starts with the first batch large enough (PARALLEL_PREDICT_MIN_ROWS rows) and then stays,
 * unreferenced, for every later batch. The call stays synchronous: the main thread hands the worker its
 * job through a message port the worker reads synchronously (receiveMessageOnPort), wakes it through a
 * shared control block (Atomics.notify), scores its own half, then sleeps until the worker is done
 * (Atomics.wait, which Node allows on the main thread), as training's threads do (gbdt/training-threads.ts).
 * The forest's arrays are copied into shared memory once per forest; the worker's rows and scores cross
 * in shared buffers.
 *
 * If the worker cannot start or fails, its half is scored on the main thread: the scores are the same, only
 * slower, and later batches stay on one thread.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { addPackedScores, type PackedForest } from './packed-forest.js';

/** Below this many rows a batch stays on one thread: starting or waking the worker would cost more. */
export const PARALLEL_PREDICT_MIN_ROWS = 65_536;

/** Slots of the control block. */
export const PREDICT_CONTROL = { generation: 0, done: 1, ready: 2, failed: 3 } as const;

/** A packed forest in shared memory, as the worker receives it. */
export interface SharedPackedForest {
  id: number;
  featureCount: number;
  leafStart: number;
  categoryBins: SharedArrayBuffer;
  /** Every numeric feature's thresholds one after another; feature f's from thresholdStarts[f] to thresholdStarts[f + 1]. */
  thresholdValues: SharedArrayBuffer;
  thresholdStarts: number[];
  nodes: SharedArrayBuffer;
  leafValue: SharedArrayBuffer;
  roots: SharedArrayBuffer;
}

/** One batch's share for the worker: rows of x (row-major) to score into `scores` (rows x outputs, zeroed). */
export interface PredictJob {
  forest: SharedPackedForest;
  x: SharedArrayBuffer;
  rows: number;
  outputs: number;
  scores: SharedArrayBuffer;
}

function sharedCopy(array: Int32Array | Float64Array): SharedArrayBuffer {
  // Exactly the array's size: the worker views the whole buffer, so padding would add elements (a tree).
  const buffer = new SharedArrayBuffer(array.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return buffer;
}

let nextForestId = 1;
const sharedForests = new WeakMap<PackedForest, SharedPackedForest>();

/** The forest's arrays in shared memory, copied once per forest. */
function shareForest(forest: PackedForest): SharedPackedForest {
  let shared = sharedForests.get(forest);
  if (shared === undefined) {
    const thresholdStarts = [0];
    for (const cuts of forest.thresholds) thresholdStarts.push((thresholdStarts[thresholdStarts.length - 1] as number) + cuts.length);
    const values = new Float64Array(thresholdStarts[thresholdStarts.length - 1] as number);
    forest.thresholds.forEach((cuts, feature) => values.set(cuts, thresholdStarts[feature] as number));
    shared = {
      id: nextForestId++,
      featureCount: forest.featureCount,
      leafStart: forest.leafStart,
      categoryBins: sharedCopy(forest.categoryBins),
      thresholdValues: sharedCopy(values),
      thresholdStarts,
      nodes: sharedCopy(forest.nodes),
      leafValue: sharedCopy(forest.leafValue),
      roots: sharedCopy(forest.roots),
    };
    sharedForests.set(forest, shared);
  }
  return shared;
}

/** The packed forest a worker walks, over the shared copies (with its own scratch bins). */
export function unshareForest(shared: SharedPackedForest, blockRows: number): PackedForest {
  const values = new Float64Array(shared.thresholdValues);
  return {
    featureCount: shared.featureCount,
    categoryBins: new Int32Array(shared.categoryBins),
    thresholds: shared.thresholdStarts.slice(0, -1).map((start, feature) => values.subarray(start, shared.thresholdStarts[feature + 1] as number)),
    nodes: new Int32Array(shared.nodes),
    leafStart: shared.leafStart,
    leafValue: new Float64Array(shared.leafValue),
    roots: new Int32Array(shared.roots),
    binBuffer: new Int32Array(blockRows * (shared.featureCount + 1)),
  };
}

/**
 * The code a worker starts with: it loads the worker module (through tsx when mlcycle runs from its
 * TypeScript sources, as in tests and benchmarks) and reports a failure to load in the control block.
 */
function bootstrap(moduleUrl: string): string {
  const loader = moduleUrl.endsWith('.ts') ? `(await import('tsx/esm/api')).register();` : '';
  return `(async () => {
    const { workerData } = await import('node:worker_threads');
    try { ${loader} await import(${JSON.stringify(moduleUrl)}); }
    catch {
      const control = new Int32Array(workerData.control);
      Atomics.store(control, ${PREDICT_CONTROL.failed}, 1);
      Atomics.add(control, ${PREDICT_CONTROL.ready}, 1);
      Atomics.notify(control, ${PREDICT_CONTROL.ready});
    }
  })();`;
}

/** How long the main thread waits for the worker to start, or for its half, before scoring that itself. */
const WAIT_MS = 60_000;

class PredictionWorker {
  readonly #control = new Int32Array(new SharedArrayBuffer(4 * 4));
  readonly #port: MessagePort;
  #usable = true;

  constructor() {
    const channel = new MessageChannel();
    this.#port = channel.port1;
    this.#port.unref();
    const own = new URL(import.meta.url);
    const moduleUrl = new URL(own.pathname.endsWith('.ts') ? './prediction-worker.ts' : './prediction-worker.js', own).href;
    const worker = new Worker(bootstrap(moduleUrl), {
      eval: true,
      workerData: { control: this.#control.buffer, port: channel.port2 },
      transferList: [channel.port2],
    });
    worker.unref();
    worker.on('error', () => this.#fail());
  }

  get usable(): boolean {
    return this.#usable && Atomics.load(this.#control, PREDICT_CONTROL.failed) === 0;
  }

  #fail(): void {
    this.#usable = false;
    Atomics.store(this.#control, PREDICT_CONTROL.failed, 1);
  }

  /** Waits until `slot` reaches `value`; false if the worker failed or took too long. */
  #waitFor(slot: number, value: number): boolean {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (Atomics.load(this.#control, PREDICT_CONTROL.failed) === 1) return false;
      const seen = Atomics.load(this.#control, slot);
      if (seen >= value) return true;
      if (Date.now() > deadline) return false;
      Atomics.wait(this.#control, slot, seen, 100);
    }
  }

  /** Starts the job on the worker; false if the worker is not there to take it. */
  start(job: PredictJob): boolean {
    if (!this.usable || !this.#waitFor(PREDICT_CONTROL.ready, 1)) {
      this.#fail();
      return false;
    }
    Atomics.store(this.#control, PREDICT_CONTROL.done, 0);
    this.#port.postMessage(job);
    Atomics.add(this.#control, PREDICT_CONTROL.generation, 1);
    Atomics.notify(this.#control, PREDICT_CONTROL.generation);
    return true;
  }

  /** Waits for the job started last; false if the worker failed on it. */
  finish(): boolean {
    if (this.#waitFor(PREDICT_CONTROL.done, 1)) return true;
    this.#fail();
    return false;
  }
}

let worker: PredictionWorker | undefined;
let workerBatches = 0;

/** How many batches the worker has scored its half of, in this process (for tests: the fallback gives the same scores). */
export function workerBatchCount(): number {
  return workerBatches;
}

/** Whether a batch of this many rows is scored on two threads by default. */
export function predictsInParallel(rows: number): boolean {
  return rows >= PARALLEL_PREDICT_MIN_ROWS && availableParallelism() >= 2 && (worker === undefined || worker.usable);
}

/**
 * Adds the forest's leaf values to `scores` as addPackedScores does, the second half of the rows on the
 * worker thread. `blockRows` is the packed kernel's block, so that both halves start on a block.
 */
export function addPackedScoresInParallel(forest: PackedForest, x: ArrayLike<number>, rows: number, outputs: number, scores: Float64Array, blockRows: number): void {
  const width = forest.featureCount;
  const half = Math.min(rows, Math.ceil(rows / 2 / blockRows) * blockRows);
  const workerRows = rows - half;
  worker ??= new PredictionWorker();
  const xBuffer = new SharedArrayBuffer(Math.max(8 * workerRows * width, 8));
  const xShare = new Float64Array(xBuffer, 0, workerRows * width);
  if (ArrayBuffer.isView(x)) xShare.set((x as unknown as Float64Array).subarray(half * width, rows * width));
  else for (let index = 0; index < workerRows * width; index++) xShare[index] = x[half * width + index] as number;
  const scoreBuffer = new SharedArrayBuffer(Math.max(8 * workerRows * outputs, 8));
  const started = worker.start({ forest: shareForest(forest), x: xBuffer, rows: workerRows, outputs, scores: scoreBuffer });
  addPackedScores(forest, x, half, outputs, scores);
  if (started && worker.finish()) {
    workerBatches++;
    scores.set(new Float64Array(scoreBuffer, 0, workerRows * outputs), half * outputs);
    return;
  }
  // The worker is not there: its half on this thread, into a fresh buffer, since it may have written part of the shared one.
  const rest = new Float64Array(workerRows * outputs);
  addPackedScores(forest, xShare, workerRows, outputs, rest);
  scores.set(rest, half * outputs);
}
