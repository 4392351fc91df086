/**
 * Worker threads for training, driven synchronously over shared memory. The main thread is thread 0: to
 * run a step it writes the step into a shared control block, bumps the generation and wakes the workers
 * (Atomics.notify), does its own share, then sleeps on the count of finished workers (Atomics.wait, which
 * Node allows on the main thread). No messages cross threads while training, so a step costs a few
 * microseconds of synchronisation, and training stays a plain synchronous function.
 *
 * A worker that fails writes its error into shared memory, since the main thread, blocked in a step, would
 * not see an 'error' event; the step then throws it.
 */
import { Worker } from 'node:worker_threads';
import { MlcycleError } from '../../error.js';
import type { Objective } from './objectives.js';
import type { BufferLayout, SharedMemory, TrainingBuffers } from './training-buffers.js';
import { runStep, type Step } from './training-kernels.js';

/** Slots of the control block. */
export const CONTROL = { generation: 0, step: 1, done: 2, ready: 3, failed: 4 } as const;
export const STOP_STEP = -1;
/** Bytes for a worker's error message. */
export const MESSAGE_BYTES = 4096;
/** Below this many rows a step runs on the main thread alone: waking the workers would cost more. */
export const PARALLEL_MIN_ROWS = 16_384;

/** What a worker receives at start. */
export interface WorkerStart {
  layout: BufferLayout;
  memory: SharedMemory;
  control: SharedArrayBuffer;
  message: SharedArrayBuffer;
  thread: number;
  initScores: number[];
}

/** Records a worker's failure where the main thread will look. */
export function reportFailure(control: Int32Array, message: Uint8Array, error: unknown): void {
  const text = new TextEncoder().encode(error instanceof Error ? (error.stack ?? error.message) : String(error)).subarray(0, MESSAGE_BYTES);
  message.fill(0);
  message.set(text);
  Atomics.store(control, CONTROL.failed, 1);
  Atomics.add(control, CONTROL.done, 1);
  Atomics.notify(control, CONTROL.done);
  Atomics.add(control, CONTROL.ready, 1);
  Atomics.notify(control, CONTROL.ready);
}

/**
 * The code a worker starts with: it loads the worker module (through tsx when mlcycle runs from its
 * TypeScript sources, as in tests and benchmarks) and reports a failure to load in shared memory.
 */
function bootstrap(moduleUrl: string): string {
  const loader = moduleUrl.endsWith('.ts') ? `(await import('tsx/esm/api')).register();` : '';
  return `(async () => {
    const { workerData } = await import('node:worker_threads');
    try { ${loader} await import(${JSON.stringify(moduleUrl)}); }
    catch (error) {
      const control = new Int32Array(workerData.control);
      const text = new TextEncoder().encode(String(error && error.stack || error)).subarray(0, ${MESSAGE_BYTES});
      new Uint8Array(workerData.message).set(text);
      Atomics.store(control, ${CONTROL.failed}, 1);
      Atomics.add(control, ${CONTROL.ready}, 1);
      Atomics.notify(control, ${CONTROL.ready});
    }
  })();`;
}

export class TrainingThreads {
  readonly #threads: number;
  readonly #buffers: TrainingBuffers;
  readonly #objective: Objective;
  readonly #control: Int32Array;
  readonly #message: Uint8Array;
  readonly #workers: Worker[] = [];
  readonly #start: () => void;
  #ready = false;

  /**
   * The workers start with the first step that runs in parallel: on data too small for any (fewer rows
   * than PARALLEL_MIN_ROWS) none start, which saved more than the whole training of LightGBM's 7,000-row
   * examples when each worker loaded the trainer's modules (see the commit that made it so).
   */
  constructor(layout: BufferLayout, memory: SharedMemory, buffers: TrainingBuffers, objective: Objective) {
    this.#threads = layout.threads;
    this.#buffers = buffers;
    this.#objective = objective;
    const control = new SharedArrayBuffer(8 * 4);
    const message = new SharedArrayBuffer(MESSAGE_BYTES);
    this.#control = new Int32Array(control);
    this.#message = new Uint8Array(message);
    this.#start = () => {
      const own = new URL(import.meta.url);
      const moduleUrl = new URL(own.pathname.endsWith('.ts') ? './training-worker.ts' : './training-worker.js', own).href;
      for (let thread = 1; thread < this.#threads; thread++) {
        const workerData: WorkerStart = { layout, memory, control, message, thread, initScores: objective.initScores };
        const worker = new Worker(bootstrap(moduleUrl), { eval: true, workerData });
        worker.unref();
        this.#workers.push(worker);
      }
    };
  }

  /** Runs a step on every thread's rows; steps over few rows run on this thread alone. */
  run(step: Step, rows: number): void {
    if (this.#threads === 1 || rows < PARALLEL_MIN_ROWS) {
      for (let thread = 0; thread < this.#threads; thread++) runStep(step, this.#buffers, thread, this.#objective);
      return;
    }
    if (!this.#ready) {
      this.#start();
      this.#waitFor(CONTROL.ready, this.#threads - 1);
      this.#ready = true;
    }
    const control = this.#control;
    Atomics.store(control, CONTROL.step, step);
    Atomics.store(control, CONTROL.done, 0);
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);
    runStep(step, this.#buffers, 0, this.#objective);
    this.#waitFor(CONTROL.done, this.#threads - 1);
  }

  /** Tells the workers to finish. */
  close(): void {
    if (this.#workers.length === 0) return;
    Atomics.store(this.#control, CONTROL.step, STOP_STEP);
    Atomics.add(this.#control, CONTROL.generation, 1);
    Atomics.notify(this.#control, CONTROL.generation);
    for (const worker of this.#workers) void worker.terminate();
  }

  #waitFor(slot: number, count: number): void {
    const control = this.#control;
    for (;;) {
      const seen = Atomics.load(control, slot);
      if (Atomics.load(control, CONTROL.failed) === 1) {
        const text = new TextDecoder().decode(this.#message).replace(/\0+$/, '');
        this.close();
        throw new MlcycleError('internal', `a training thread failed: ${text}`);
      }
      if (seen >= count) return;
      Atomics.wait(control, slot, seen, 1000);
    }
  }
}
